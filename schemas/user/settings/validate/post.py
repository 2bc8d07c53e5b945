"""POST /user/settings/validate: the request (``Schema``) and the user-settings model
(``UserSettings``) the route checks ``settings`` against. A project replaces this file
(in its schemas layer) to describe its own settings; keep both names.
"""

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, model_validator

from functions.schemas import BaseModel, Clean, Field, Uid


class UserSettings(BaseModel):
    """The default app settings a user may save. Unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")

    theme: Literal["light", "dark", "system"] = "system"
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = "en"
    timezone: Annotated[Clean[str], Field(max_length=64)] | None = None
    notifications: Annotated[dict[Annotated[str, Field(max_length=64)], bool], Field(max_length=50)] = {}


def deep_merge(base: dict, update: dict) -> dict:
    """``update`` laid over ``base``, nested maps merged (lodash ``merge``, as BEM does)."""
    merged = dict(base)
    for key, value in update.items():
        merged[key] = deep_merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


class Schema(BaseModel):
    """``settings``, or BEM's ``existingSettings`` + ``newSettings`` (merged into ``settings``)."""

    uid: Uid | None = None
    settings: Annotated[dict, Field(max_length=200)] | None = None
    existing_settings: Annotated[dict[str, Any], Field(alias="existingSettings", max_length=200)] = {}
    new_settings: Annotated[dict[str, Any], Field(alias="newSettings", max_length=200)] = {}

    @model_validator(mode="after")
    def _bem_body(self):
        if self.settings is None:
            if not (self.existing_settings or self.new_settings) and "existing_settings" not in self.model_fields_set \
                    and "new_settings" not in self.model_fields_set:
                raise ValueError("settings (or existingSettings/newSettings) is required")
            self.settings = deep_merge(self.existing_settings, self.new_settings)
        return self
