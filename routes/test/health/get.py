"""GET /test/health: is the API up, and where is it running."""

import time

from functions import __version__
from functions.api import RouteOptions
from functions.timestamps import stamp_now

OPTIONS = RouteOptions(authenticate=False, setup_usage=False, setup_settings=False)


def main(manager):
    return {
        "status": "ok",
        "timestamp": stamp_now()["timestamp"],
        "timestampUNIX": int(time.time()),
        "environment": manager.environment,
        "projectId": manager.project_id,
        "version": __version__,
    }
