from typing import Literal

from pydantic import model_validator

from functions.schemas import BaseModel


class Schema(BaseModel):
    version: Literal[4, 5] = 4
    name: str | None = None
    namespace: str | None = None

    @model_validator(mode="after")
    def _name_for_v5(self):
        if self.version == 5 and not self.name:
            raise ValueError("name is required for version 5")
        return self
