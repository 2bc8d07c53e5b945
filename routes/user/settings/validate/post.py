"""POST /user/settings/validate {settings, uid?}: check settings against the user-settings model.

Answers ``{valid, errors: [{field, message}], settings}``; ``settings`` is the normalised
value (defaults filled) when valid, else null. The model is ``UserSettings`` from
``schemas/user/settings/validate/post.py`` (the first layer that has that file).
"""

from pydantic import BaseModel, ValidationError

from functions.api import RouteOptions
from functions.api.modules import import_file
from functions.errors import SetupError

OPTIONS = RouteOptions(require="user")
SCHEMA_FILE = "user/settings/validate/post.py"


def main(manager, user, settings):
    user.target_uid(settings.uid)
    model = _user_settings_model(manager)
    try:
        normalised = model.model_validate(settings.settings)
    except ValidationError as error:
        errors = [{"field": ".".join(str(p) for p in e["loc"]) or "(settings)", "message": e["msg"]} for e in error.errors()]
        return {"valid": False, "errors": errors, "settings": None}
    return {"valid": True, "errors": [], "settings": normalised.model_dump(mode="json")}


def _user_settings_model(manager) -> type[BaseModel]:
    path = manager.find_file("schemas", SCHEMA_FILE)
    model = getattr(import_file(path, "schema"), "UserSettings", None) if path else None
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise SetupError(f"schemas/{SCHEMA_FILE} must define class UserSettings(BaseModel)")
    return model
