"""POST /test/webhook {status?, response?, delay?}: answer ``response`` with ``status`` after ``delay`` ms.

BEM's webhook echo for testing senders (not in production). A status outside 200–299 and
400–599 answers ``{received: true}``.
"""

import time

from functions.api import RouteOptions

OPTIONS = RouteOptions(environments=("development", "testing"), authenticate=False, setup_usage=False)


def main(settings, assistant):
    if settings.delay > 0:
        time.sleep(settings.delay / 1000)
    if 200 <= settings.status <= 299 or 400 <= settings.status <= 599:
        return assistant.respond(settings.response, code=settings.status)
    return {"received": True}
