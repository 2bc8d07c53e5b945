"""POST /test/usage: count usage for the caller (development and testing only).

``{name, value?, id?}`` consumes a metric: validates, increments and writes in one transaction,
answers the metric's updated counts, or 429 when the caller's plan has no room left.
BEM's body ``{amount?}`` (no ``name``) counts ``requests`` up by ``amount`` without a limit check
and answers BEM's ``{metric, amount, authenticated, key, before, after, user}``.
"""

from functions.api import RouteOptions

OPTIONS = RouteOptions(environments=("development", "testing"))
COUNTERS = ("monthly", "daily", "total")


def _counts(metric: dict) -> dict:
    return {counter: metric.get(counter, 0) for counter in COUNTERS}


def main(settings, usage, user):
    if settings.name is None:
        return _bem_increment(settings.amount, usage, user)
    metric = usage.consume(settings.name, settings.value, settings.id)[settings.name]
    return {
        "name": settings.name,
        "usage": _counts(metric),
        "limit": usage.limit(settings.name),
    }


def _bem_increment(amount: int, usage, user) -> dict:
    before = _counts(usage.get("requests"))
    after = _counts(usage.increment("requests", amount).update()["requests"])
    return {
        "metric": "requests",
        "amount": amount,
        "authenticated": user.authenticated,
        "key": user.uid or usage.key,
        "before": before,
        "after": after,
        "user": {"uid": user.uid, "usage": {"requests": after}},
    }
