"""POST /test/usage {name, value?, id?}: consume a metric for the caller (development and testing only).

Validates, increments and writes in one transaction; answers the metric's updated
counts, or 429 when the caller's plan has no room left.
"""

from functions.api import RouteOptions

OPTIONS = RouteOptions(environments=("development", "testing"))


def main(settings, usage):
    metric = usage.consume(settings.name, settings.value, settings.id)[settings.name]
    return {
        "name": settings.name,
        "usage": {counter: metric[counter] for counter in ("monthly", "daily", "total")},
        "limit": usage.limit(settings.name),
    }
