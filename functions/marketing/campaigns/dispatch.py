"""Sending one campaign occurrence: its generator (if any), then e-mail or push.

- **generator** (``generator: "newsletter"``): ``functions.marketing.generators.{name}.generate(manager,
  campaign, now=...)`` returns the settings overlay for this occurrence (subject, preheader, content, ...)
  or None (nothing to send this time); BEM's generation byproducts are kept out of the send.
- **email**: ``manager.marketing.send_campaign(settings, idempotency_key="campaign:{id}:{occurrence}")``,
  one SendGrid Single Send and/or one Beehiiv post for the whole segment.
- **push**: ``manager.notifications.send`` with BEM's mapping (title = name, body = subject; test mode
  sends to the admin who created it: ``filters.owner = settings._testUid``).

Answers BEM's results ``{provider: {success, ...}}``; ``succeeded`` is BEM's rule (any provider
succeeded or sent something).
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import re
import sys
from typing import Any

GENERATOR_NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
# What a generator may return beside the settings (BEM strips them before sending).
BYPRODUCTS = ("images", "mjml", "structure", "contentMarkdown", "article", "assets", "meta")


class UnknownGenerator(LookupError):
    pass


def idempotency_key(campaign_id: str, occurrence: int) -> str:
    return f"campaign:{campaign_id}:{occurrence}"


def generator_exists(name: Any) -> bool:
    if not isinstance(name, str) or not GENERATOR_NAME.match(name):
        return False
    module = f"functions.marketing.generators.{name}"
    if module in sys.modules:
        return True
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def generate(manager: Any, campaign: dict, now: dt.datetime) -> tuple[dict | None, dict]:
    """Run the campaign's generator: (settings overlay or None, byproducts {assets, meta})."""
    name = campaign.get("generator")
    if not generator_exists(name):
        raise UnknownGenerator(f'Unknown generator "{name}"')
    generated = importlib.import_module(f"functions.marketing.generators.{name}").generate(manager, campaign, now=now)
    if not generated:
        return None, {}
    if not isinstance(generated, dict):
        raise TypeError(f"generator {name} returned {type(generated).__name__}, not a dict of settings")
    extras = {key: generated.get(key) for key in ("assets", "meta")}
    return {key: value for key, value in generated.items() if key not in BYPRODUCTS}, extras


def missing_content(kind: str, settings: dict) -> str | None:
    """The settings key without which the campaign cannot be sent (e-mail: subject; push: name and subject)."""
    for key in ("name", "subject") if kind == "push" else ("subject",):
        if not isinstance(settings.get(key), str) or not settings[key].strip():
            return key
    return None


def send(manager: Any, campaign_id: str, campaign: dict, settings: dict, occurrence: int) -> dict:
    kind = campaign.get("type") or "email"
    if kind == "email":
        return manager.marketing.send_campaign({**settings, "sendAt": "now"}, idempotency_key=idempotency_key(campaign_id, occurrence))
    if kind == "push":
        return {"push": send_push(manager, settings)}
    raise ValueError(f'Unknown campaign type "{kind}"')


def send_push(manager: Any, settings: dict) -> dict:
    from functions.notifications import Notice, Targets

    filters = settings.get("filters") if isinstance(settings.get("filters"), dict) else {}
    if settings.get("test"):
        if not settings.get("_testUid"):  # BEM would send a test to every subscriber (owner: null)
            return {"success": False, "sent": 0, "error": "test campaign without _testUid: not sent", "retry": False}
        filters = {**filters, "owner": settings["_testUid"]}
    tags = filters.get("tags") or []
    notice = Notice(title=str(settings.get("name") or ""), body=str(settings.get("subject") or settings.get("body") or ""),
                    icon=settings.get("icon") or None, click_action=settings.get("clickAction") or None)
    targets = Targets(tags=[tags] if isinstance(tags, str) else list(tags), owner=filters.get("owner"), token=filters.get("token"),
                      limit=filters.get("limit") if isinstance(filters.get("limit"), int) else None)
    result = manager.notifications.send(notice, targets)
    answer = {"success": result.get("sent", 0) > 0, **result}
    if not result.get("subscribers"):
        answer.update(retry=False, error="no subscriber matches the filters")
    elif not answer["success"]:
        answer["error"] = f"FCM delivered to none of {result['subscribers']} subscriber(s)"
    return answer


def succeeded(results: Any) -> bool:
    """BEM: ``Object.values(results).some(r => r.success || r.sent > 0)``."""
    if not isinstance(results, dict):
        return False
    return any(isinstance(r, dict) and (r.get("success") is True or _positive(r.get("sent"))) for r in results.values())


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
