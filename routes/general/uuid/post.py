"""POST /general/uuid: a v5 UUID of ``name`` in a namespace (BEM's default), or a random v4.

Answers ``{uuid, version}`` (BEM answers ``{uuid}``; ``version`` is an extra).
"""

import os
import uuid

from functions.errors import BadRequest


def main(settings):
    if settings.version == 4:
        return {"uuid": str(uuid.uuid4()), "version": 4}
    namespace = settings.namespace or os.environ.get("BACKEND_MANAGER_NAMESPACE")
    if not namespace:
        raise BadRequest("namespace is required for version 5 (or set BACKEND_MANAGER_NAMESPACE)")
    try:
        namespace_uuid = uuid.UUID(str(namespace))
    except ValueError:
        raise BadRequest("namespace must be a UUID") from None
    return {"uuid": str(uuid.uuid5(namespace_uuid, settings.name)), "version": 5}
