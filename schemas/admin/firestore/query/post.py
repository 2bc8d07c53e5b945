from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints

from functions.schemas import BaseModel

Operator = Literal["==", "!=", "<", "<=", ">", ">=", "in", "not-in", "array-contains", "array-contains-any"]


class Condition(BaseModel):
    field: str
    op: Operator
    value: Any = None


class Order(BaseModel):
    field: str
    direction: Literal["asc", "desc"] = "asc"


def _conditions(value: Any) -> Any:
    """Accept [[field, op, value], ...] as well as [{field, op, value}, ...]."""
    if isinstance(value, list):
        return [dict(zip(("field", "op", "value"), c, strict=False)) if isinstance(c, (list, tuple)) else c for c in value]
    return value


def _orders(value: Any) -> Any:
    if isinstance(value, str):
        return [{"field": value}]
    if isinstance(value, list):
        return [{"field": o} if isinstance(o, str) else o for o in value]
    return value


class Schema(BaseModel):
    collection: Annotated[str, StringConstraints(pattern=r"^[^/]+(/[^/]+/[^/]+)*$")]
    where: Annotated[list[Condition], BeforeValidator(_conditions)] = []
    order_by: Annotated[list[Order], BeforeValidator(_orders)] = Field(default=[], alias="orderBy")
    limit: int = Field(default=100, ge=1, le=1000)
