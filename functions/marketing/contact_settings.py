"""The request body of ``POST marketing/contact`` and ``general:add-marketing-contact`` (BEM's schema)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from functions.schemas import BaseModel

Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]


class ContactSettings(BaseModel):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)]
    firstName: Name = ""  # noqa: N815 (BEM's field names)
    lastName: Name = ""  # noqa: N815
    source: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = "unknown"
    tags: list[Annotated[str, StringConstraints(max_length=100)]] = Field(default=[], max_length=30)
    """Admin only (BEM accepts and ignores them)."""
    skipValidation: bool = False  # noqa: N815
    """Admin only: check the format alone."""
    recaptcha: str | None = Field(default=None, alias="g-recaptcha-response", max_length=4000)
    """Public callers, when reCAPTCHA is configured (``RECAPTCHA_SECRET_KEY``)."""
