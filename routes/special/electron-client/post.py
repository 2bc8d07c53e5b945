"""POST /special/electron-client {uid?, config?}: bootstrap an Electron Manager client (BEM's answer).

``{uuid, signInToken, timestamp, ip, country, brand, config}``: ``uuid`` is the v5 UUID of the
uid (DNS namespace, as BEM) for the admin caller or the ``uid`` given; an admin caller also gets
a custom sign-in token; ``brand`` is GET /brand's public config; ``config`` is echoed only when
it carries the admin key (the key itself is never echoed back).
"""

import datetime as dt
import uuid

from functions.api import RouteOptions
from functions.auth.admin import auth_admin
from functions.config import secret_matches
from functions.config.public import public_config
from functions.timestamps import iso

OPTIONS = RouteOptions(setup_usage=False)
UUID_NAMESPACE = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")


def main(manager, user, settings, config, assistant):
    uid, sign_in_token = settings.uid, None
    if user.is_admin and user.uid:
        uid = user.uid
        sign_in_token = auth_admin(manager).create_custom_token(uid)
    echoed = {}
    given_key = settings.config.get("backendManagerKey")
    if isinstance(given_key, str) and secret_matches("BACKEND_MANAGER_KEY", given_key):
        echoed = {k: v for k, v in settings.config.items() if k != "backendManagerKey"}
    return {
        "uuid": str(uuid.uuid5(UUID_NAMESPACE, uid)) if uid else None,
        "signInToken": sign_in_token,
        "timestamp": iso(dt.datetime.now(dt.UTC)),
        "ip": assistant.geolocation.get("ip"),
        "country": assistant.geolocation.get("country"),
        "brand": public_config(config),
        "config": echoed,
    }
