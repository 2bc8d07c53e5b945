"""POST /test/lab: BEM's sandbox route; a project overrides it to try things (not in production)."""

from functions.api import RouteOptions

OPTIONS = RouteOptions(environments=("development", "testing"), setup_usage=False)


def main():
    return {"success": True}
