"""GET /openapi.json: the OpenAPI 3.1 document of bm_api (development and testing only).

The same document ``mgr openapi`` writes (functions/api/openapi.py), for the routes served here.
"""

from functions.api import RouteOptions
from functions.api.openapi import build_document

OPTIONS = RouteOptions(authenticate=False, setup_usage=False, setup_settings=False, environments=("development", "testing"))


def main(manager):
    return build_document(manager)
