"""GET /test/health: is the API up, and where is it running (BEM's answer, ``status: "healthy"``).

BEM's test runner and web clients check ``status == "healthy"`` and read ``projectId`` and
``testExtendedMode``; ``bemVersion`` is this framework's version (the BEM-equivalent package).
"""

import datetime as dt

from functions import __version__
from functions.api import RouteOptions
from functions.environment import is_extended_testing
from functions.timestamps import iso

OPTIONS = RouteOptions(authenticate=False, setup_usage=False, setup_settings=False)


def main(manager):
    now = dt.datetime.now(dt.UTC)
    return {
        "status": "healthy",
        "timestamp": iso(now),
        "timestampUNIX": int(now.timestamp()),
        "environment": manager.environment,
        "projectId": manager.project_id,
        "version": __version__,
        "bemVersion": __version__,
        "testExtendedMode": is_extended_testing(),
    }
