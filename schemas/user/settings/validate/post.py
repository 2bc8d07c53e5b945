"""POST /user/settings/validate: the request (``Schema``) and the user-settings model
(``UserSettings``) the route checks ``settings`` against. A project replaces this file
(in its schemas layer) to describe its own settings; keep both names.
"""

from typing import Annotated, Literal

from pydantic import ConfigDict

from functions.schemas import BaseModel, Clean, Field, Uid


class UserSettings(BaseModel):
    """The default app settings a user may save. Unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")

    theme: Literal["light", "dark", "system"] = "system"
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = "en"
    timezone: Annotated[Clean[str], Field(max_length=64)] | None = None
    notifications: Annotated[dict[Annotated[str, Field(max_length=64)], bool], Field(max_length=50)] = {}


class Schema(BaseModel):
    uid: Uid | None = None
    settings: Annotated[dict, Field(max_length=200)]
