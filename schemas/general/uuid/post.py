"""POST /general/uuid body, as BEM takes it.

``version`` 4 or 5 as a number or a string (``5``, ``"5"``, ``"v5"``), default 5; ``name`` (or
its BEM alias ``input``) is hashed for v5; ``namespace`` defaults to ``BACKEND_MANAGER_NAMESPACE``.
"""

from pydantic import field_validator, model_validator

from functions.schemas import BaseModel


class Schema(BaseModel):
    version: int | str = 5
    name: str | None = None
    input: str | None = None
    namespace: str | None = None

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: object) -> int:
        text = str(value).strip().lower().removeprefix("v")
        if text not in ("4", "5"):
            raise ValueError(f"v{text} is not a valid version.")
        return int(text)

    @model_validator(mode="after")
    def _name_for_v5(self):
        self.name = self.name or self.input
        if self.version == 5 and not self.name:
            raise ValueError("You must provide a name to hash for UUID v5.")
        return self
