from typing import Annotated, Any

from pydantic import AliasChoices, BeforeValidator, Field, StringConstraints

from functions.schemas import BaseModel

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


def _tags(value: Any) -> Any:
    """BEM sends ``false`` or a single tag as well as a list."""
    if value in (None, False, ""):
        return []
    return [value] if isinstance(value, str) else value


class Notification(BaseModel):
    title: Text
    body: Text
    icon: Url | None = None
    """Image URL; default ``brand.images.brandmark``."""
    click_action: Url | None = Field(default=None, validation_alias=AliasChoices("clickAction", "click_action"))
    """Absolute https URL opened on click; default ``brand.url``. ``cb=<ms>`` is added."""


class Filters(BaseModel):
    tags: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=200)]], BeforeValidator(_tags)] = \
        Field(default=[], max_length=30)
    """Documents whose ``tags`` contain any of these (Firestore allows 30)."""
    owner: str | None = None
    token: str | None = None
    """One token: send to it only."""
    limit: int | None = Field(default=None, ge=1)


class Schema(BaseModel):
    notification: Notification = Notification(title="Notification", body="Check this out")
    """BEM's default when the request has none."""
    filters: Filters = Filters()
