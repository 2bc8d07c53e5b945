from typing import Literal

from functions.schemas import BaseModel, Field, Uid


class Schema(BaseModel):
    uid: Uid | None = None
    keys: list[Literal["clientId", "privateKey"]] = Field(default=["clientId", "privateKey"], min_length=1, max_length=2)
