from typing import Annotated, Any

from pydantic import Field

from functions.schemas import BaseModel, Unsanitized


class Schema(BaseModel):
    uid: str | None = Field(default=None, max_length=128)
    brand_id: str | None = Field(default=None, alias="brandId", max_length=200)
    brand: str | None = Field(default=None, max_length=200)
    config: Annotated[dict[str, Any], Unsanitized] = Field(default_factory=dict)
