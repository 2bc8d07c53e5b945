"""GET /user/subscription: BEM's curated subscription (``uid`` for another user needs admin).

``{subscription: {product{id,name}, status, expires, trial{claimed,expires},
cancellation{pending,date}, payment{processor,frequency,startDate}}}`` with BEM's defaults
(basic, active, the epoch for missing dates, null processor); ``resolved`` (what the plan
entitles now) is the port's extra.
"""

from functions.api import RouteOptions
from functions.user import resolve_subscription

OPTIONS = RouteOptions(require="user")
EPOCH = {"timestamp": "1970-01-01T00:00:00.000Z", "timestampUNIX": 0}


def _stamp(value: object) -> dict:
    value = value if isinstance(value, dict) else {}
    return {"timestamp": value.get("timestamp") or EPOCH["timestamp"], "timestampUNIX": value.get("timestampUNIX") or 0}


def _get(data: object, *path: str) -> object:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def curated(stored: dict) -> dict:
    """BEM's answer from a stored ``subscription`` map of any shape."""
    return {
        "product": {"id": _get(stored, "product", "id") or "basic", "name": _get(stored, "product", "name") or "Basic"},
        "status": _get(stored, "status") or "active",
        "expires": _stamp(_get(stored, "expires")),
        "trial": {"claimed": bool(_get(stored, "trial", "claimed")), "expires": _stamp(_get(stored, "trial", "expires"))},
        "cancellation": {
            "pending": bool(_get(stored, "cancellation", "pending")),
            "date": _stamp(_get(stored, "cancellation", "date")),
        },
        "payment": {
            "processor": _get(stored, "payment", "processor") or None,
            "frequency": _get(stored, "payment", "frequency") or None,
            "startDate": _stamp(_get(stored, "payment", "startDate")),
        },
    }


def main(user, settings, manager):
    _, doc = user.target_doc(settings.uid, manager.users)
    return {"subscription": curated(doc.subscription.dump()), "resolved": resolve_subscription(doc).model_dump()}
