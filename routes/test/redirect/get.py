"""GET /test/redirect?url=...: redirect there (BEM's test route; not in production)."""

from functions.api import RouteOptions

OPTIONS = RouteOptions(environments=("development", "testing"), authenticate=False, setup_usage=False)


def main(settings, assistant):
    return assistant.redirect(settings.url)
