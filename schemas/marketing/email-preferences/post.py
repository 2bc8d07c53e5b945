from typing import Annotated

from pydantic import StringConstraints

from functions.schemas import BaseModel

Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]


class Schema(BaseModel):
    """BEM's fields; which are needed depends on the caller (route docstring)."""

    action: Short = "unsubscribe"
    """``subscribe`` | ``unsubscribe`` (400 otherwise)."""
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] | None = None
    """Anonymous link only: the address (decoded from the link)."""
    asmId: Short | int | None = None  # noqa: N815 (BEM's field name)
    """Anonymous link only: the SendGrid unsubscribe group (decoded from the link)."""
    sig: Short | None = None
    """Anonymous link only: hex HMAC-SHA256 of the address."""
