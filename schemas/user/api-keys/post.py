from typing import Literal

from functions.schemas import BaseModel, Clean, Field


class Schema(BaseModel):
    uid: Clean[str] | None = None
    keys: list[Literal["clientId", "privateKey"]] = Field(default=["clientId", "privateKey"], min_length=1, max_length=2)
