"""GET /test/health: is the API up, and where is it running."""

import datetime as dt

from functions import __version__
from functions.api import RouteOptions
from functions.timestamps import iso

OPTIONS = RouteOptions(authenticate=False, setup_usage=False, setup_settings=False)


def main(manager):
    now = dt.datetime.now(dt.UTC)
    return {
        "status": "ok",
        "timestamp": iso(now),
        "timestampUNIX": int(now.timestamp()),
        "environment": manager.environment,
        "projectId": manager.project_id,
        "version": __version__,
    }
