"""POST /admin/firestore/query body: BEM's ``queries[]`` (the port's earlier single query still works).

Each query: ``collection``, ``where: [{field, operator, value}]`` (also ``op`` or ``[field, op,
value]``), ``filter: [{field, matches}]`` (a regex post-filter; ``field`` may be ``"a || b"``),
``orderBy: [{field, order}]`` (or field names), ``limit`` (at most 1000, BEM's softer rule:
larger is clamped), ``filterIndex: [start, end]``. A body with a top-level ``collection`` and no
``queries`` is the port's single-query form.
"""

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BeforeValidator, Field, PrivateAttr, model_validator

from functions.schemas import BaseModel, Clamp

Operator = Literal["==", "!=", "<", "<=", ">", ">=", "in", "not-in", "array-contains", "array-contains-any"]
CURSORS = ("startAt", "startAfter", "endAt", "endBefore")


class Condition(BaseModel):
    field: str
    op: Operator = Field(validation_alias=AliasChoices("operator", "op"))
    value: Any = None


class Order(BaseModel):
    field: str
    direction: Literal["asc", "desc"] = Field(default="asc", validation_alias=AliasChoices("order", "direction"))


class Match(BaseModel):
    field: str
    matches: str = ""


def _listify(value: Any) -> Any:
    return [] if value is None else value if isinstance(value, list) else [value]


def _conditions(value: Any) -> Any:
    """Accept [[field, op, value], ...] as well as [{field, operator, value}, ...]."""
    return [dict(zip(("field", "op", "value"), c, strict=False)) if isinstance(c, (list, tuple)) else c for c in _listify(value)]


def _orders(value: Any) -> Any:
    return [{"field": o} if isinstance(o, str) else o for o in _listify(value)]


class Query(BaseModel):
    collection: Annotated[str, Field(pattern=r"^[^/]+(/[^/]+/[^/]+)*$")] | None = None
    where: Annotated[list[Condition], BeforeValidator(_conditions)] = []
    filter: Annotated[list[Match], BeforeValidator(_listify)] = []
    order_by: Annotated[list[Order], BeforeValidator(_orders)] = Field(default=[], alias="orderBy")
    limit: Annotated[int, Field(ge=1), Clamp(hi=1000)] = 1000
    filter_index: list[int] | None = Field(default=None, alias="filterIndex", min_length=2, max_length=2)

    @model_validator(mode="before")
    @classmethod
    def _no_cursors(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in CURSORS:
                if data.get(name) is not None:
                    raise ValueError(f"{name} is not supported; page with orderBy + where instead")
        return data


class Schema(Query):
    """``queries`` (BEM); the inherited top-level query fields are the port's single-query form."""

    queries: Annotated[list[Query], BeforeValidator(_listify)] = []
    _single: bool = PrivateAttr(default=False)

    @property
    def single(self) -> bool:
        """The body was the single-query form (answered in its earlier shape)."""
        return self._single

    @model_validator(mode="after")
    def _single_query(self):
        if self.collection and not self.queries:
            self.queries = [Query.model_validate(self.model_dump(by_alias=True, exclude={"queries"}))]
            self._single = True
        return self
