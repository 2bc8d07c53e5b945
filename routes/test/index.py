"""ALL /test: echo what the API received (BEM's debug route; not in production).

Answers ``{timestamp, id}`` as BEM does, plus the method and the settings the request became
(body and query after trimming; credentials such as ``backendManagerKey`` are never echoed).
"""

import datetime as dt
import uuid

from functions.api import RouteOptions
from functions.timestamps import iso

OPTIONS = RouteOptions(environments=("development", "testing"), setup_usage=False)


def main(request, settings):
    return {
        "timestamp": iso(dt.datetime.now(dt.UTC)),
        "id": uuid.uuid4().hex,
        "method": request.method,
        "settings": settings,
    }
