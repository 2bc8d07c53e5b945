"""POST /user/api-keys {keys?, uid?}: regenerate ``api.clientId`` and/or ``api.privateKey``.

The old private key stops authenticating at once (keys are looked up in Firestore on
every request). The answer is the only time the new private key is shown.
"""

from functions.api import RouteOptions
from functions.errors import NotFound
from functions.timestamps import Stamp
from functions.user import new_api_keys

OPTIONS = RouteOptions(require="user")


def main(manager, user, settings):
    from google.api_core.exceptions import NotFound as MissingDocument

    uid = user.target_uid(settings.uid)
    fresh = new_api_keys()
    regenerated = {key: fresh[key] for key in settings.keys}
    updates = {f"api.{key}": value for key, value in regenerated.items()}
    updates["metadata.updated"] = Stamp.now().dump()
    try:
        manager.users.ref(uid).update(updates)
    except MissingDocument:
        raise NotFound(f"User '{uid}' not found") from None
    return regenerated
