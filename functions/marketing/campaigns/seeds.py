"""BEM's recurring campaigns (``setup-tests/helpers/seed-campaigns.js``), created by ``mgr setup``.

Each seed has a stable id (``_recurring-…``), the document created when it is missing, and the
``enforced`` keys BEM restores on every setup (type, generator, template, providers, sender,
segments). Anything else the owner changed (subject, content, sendAt, recurrence timing) is kept;
keys missing from a stored seed are filled from the seed's defaults. Running it twice changes
nothing the second time. ``plan`` says what ``apply`` would write, for ``mgr doctor``.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from functions.marketing.campaigns.model import COLLECTION
from functions.marketing.campaigns.recurrence import next_nth_weekday, next_weekday
from functions.timestamps import Stamp

_SALE_RECURRENCE = {"pattern": "monthly-weekday", "nth": 2, "day": 3, "hour": 17, "minute": 30}  # 2nd Wednesday, 17:30 UTC
_SALES = (  # id suffix, audience, segments, excluded, subject, preheader, title, message (first paragraph, offer), button, code
    ("free", "Free Users", ["subscription_free"], ["subscription_paid"],
     "{holiday.name} Sale — {discount.percent}% Off!", "Limited time offer from {brand.name}", "{holiday.name} Sale!",
     ["You've been using **{brand.name}** on our free plan — and we think you'll love what's on the other side.",
      "For a limited time, upgrade to Premium and get **{discount.percent}% off** your first month."],
     "Upgrade Now →", "UPGRADE15", "free_users"),
    ("churned-trial", "Churned Trial", ["subscription_churned_trial"], ["subscription_paid"],
     "Your trial ended — come back for {discount.percent}% off!", "We saved your spot at {brand.name}", "Come Back to {brand.name}!",
     ["Your free trial may have ended, but we haven't forgotten about you.",
      "For our **{holiday.name}** offer, get **{discount.percent}% off** your first month of Premium."],
     "Reactivate Now →", "COMEBACK20", "churned_trial"),
    ("churned-paid", "Churned Paid", ["subscription_churned_paid"], ["subscription_paid"],
     "We miss you — here's {discount.percent}% off to come back", "{holiday.name} offer from {brand.name}",
     "We Miss You at {brand.name}!",
     ["It's been a while since you cancelled, and a lot has changed.",
      "For our **{holiday.name}** offer, get **{discount.percent}% off** your next month."],
     "Come Back →", "MISSYOU25", "churned_paid"),
    ("cancelled", "Cancelled", ["subscription_cancelled"], ["subscription_paid", "subscription_churned_paid", "subscription_churned_trial"],
     "Ready to give {brand.name} another try?", "{holiday.name} offer — {discount.percent}% off", "Give {brand.name} Another Try!",
     ["We know things didn't work out before, and that's okay.",
      "For our **{holiday.name}** offer, get **{discount.percent}% off** your first month back."],
     "Try Again →", "TRYAGAIN10", "cancelled"),
)


@dataclass(frozen=True)
class Seed:
    id: str
    doc: dict
    enforced: dict  # dotted path → value


@dataclass
class Change:
    id: str
    action: str  # created | updated | unchanged
    paths: list[str] = field(default_factory=list)
    updates: dict = field(default_factory=dict)


def build_seeds(now: dt.datetime) -> list[Seed]:
    stamp = Stamp.at(now).dump()
    metadata = {"created": stamp, "updated": stamp}
    seeds = []
    for suffix, audience, segments, excluded, subject, preheader, title, paragraphs, button, code, utm_content in _SALES:
        closing = "Use code **{discount.code}** at checkout." + (" No pressure — just an open door." if suffix == "cancelled" else "")
        settings = {"name": f"{{holiday.name}} Sale — {audience}", "subject": subject, "preheader": preheader, "template": "card",
                    "sender": "marketing", "providers": ["campaigns"], "segments": segments, "excludeSegments": excluded,
                    "utm": {"utm_campaign": "{holiday.name}_sale", "utm_content": utm_content},
                    "data": {"content": {"title": title, "message": "\n".join([paragraphs[0], "", paragraphs[1], "", closing]),
                                         "button": {"text": button, "url": "{brand.url}/pricing"}, "discountCode": code}}}
        doc = {"settings": settings, "sendAt": next_nth_weekday(2, 3, 17, 30, now=now), "status": "pending", "type": "email",
               "recurrence": dict(_SALE_RECURRENCE), "metadata": metadata}
        enforced = {"type": "email", "settings.template": "card", "settings.providers": ["campaigns"], "settings.sender": "marketing",
                    "settings.segments": segments, "settings.excludeSegments": excluded}
        seeds.append(Seed(f"_recurring-sale-{suffix}", doc, enforced))
    newsletter = {"settings": {"name": "{brand.name} Newsletter — {date.month} {date.year}", "subject": "", "preheader": "",
                               "sender": "newsletter", "providers": ["newsletter"],
                               "utm": {"utm_campaign": "newsletter_{date.month}_{date.year}", "utm_content": "newsletter"}},
                  "sendAt": next_weekday(3, 17, 30, now=now), "status": "pending", "type": "email", "generator": "newsletter",
                  "recurrence": {"pattern": "weekly", "day": 3, "hour": 17, "minute": 30}, "metadata": metadata}
    seeds.append(Seed("_recurring-newsletter", newsletter, {"type": "email", "generator": "newsletter",
                                                            "settings.providers": ["newsletter"], "settings.sender": "newsletter"}))
    return seeds


def plan(stored: dict | None, seed: Seed) -> Change:
    """What seeding changes in one stored document (None: missing)."""
    if not isinstance(stored, dict):
        return Change(seed.id, "created", ["*"], copy.deepcopy(seed.doc))
    updates: dict = {}
    paths: list[str] = []
    _fill_missing(stored, seed.doc, "", updates, paths)
    for path, expected in seed.enforced.items():
        if _get(stored, path) != expected:
            _set(updates, path, copy.deepcopy(expected))
            paths.append(path)
    return Change(seed.id, "updated" if paths else "unchanged", paths, updates)


def apply(db: Any, now: dt.datetime, *, dry_run: bool = False) -> list[Change]:
    """Create missing seeds and restore their enforced keys, each in a transaction (two setups at once agree)."""
    from google.cloud import firestore

    changes = []
    for seed in build_seeds(now):
        reference = db.collection(COLLECTION).document(seed.id)

        @firestore.transactional
        def write(transaction: Any, seed: Seed = seed, reference: Any = reference) -> Change:
            snapshot = reference.get(transaction=transaction)
            change = plan(snapshot.to_dict() if snapshot.exists else None, seed)
            if dry_run or change.action == "unchanged":
                return change
            if change.action == "created":
                transaction.set(reference, change.updates)
            else:
                transaction.set(reference, {**change.updates, "metadata": {"updated": Stamp.at(now).dump()}}, merge=True)
            return change

        changes.append(write(db.transaction()))
    return changes


def _fill_missing(stored: dict, seed: dict, prefix: str, updates: dict, paths: list[str]) -> None:
    for key, value in seed.items():
        if key == "metadata":
            continue
        path = f"{prefix}.{key}" if prefix else key
        current = _get(stored, path)
        if current is None:
            _set(updates, path, copy.deepcopy(value))
            paths.append(path)
        elif isinstance(value, dict) and isinstance(current, dict):
            _fill_missing(stored, value, path, updates, paths)


def _get(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _set(data: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value
