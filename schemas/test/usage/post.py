"""POST /test/usage body: the port's ``{name, value?, id?}`` (consume, with the plan's limits) or
BEM's ``{amount?}`` (count ``requests`` up by ``amount``, default 1, without a limit check)."""

from typing import Annotated

from pydantic import StringConstraints

from functions.schemas import BaseModel, Field

MetricName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class Schema(BaseModel):
    name: MetricName | None = None
    value: int = Field(default=1, ge=1, le=1000)
    id: str | None = Field(default=None, max_length=200)
    amount: int = Field(default=1, ge=1, le=1000)
