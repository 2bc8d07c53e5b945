from typing import Annotated

from pydantic import Field, StringConstraints

from functions.schemas import BaseModel

Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^(.+@[^@\s]+)?$")]


class Schema(BaseModel):
    email: Email | None = None
    """One address (BEM: used when ``emails`` is empty)."""
    emails: list[Email] = Field(default=[], max_length=100)
    """Several addresses, answered in order."""
