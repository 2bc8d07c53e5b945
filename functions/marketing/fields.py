"""BEM's marketing custom fields and segments (``constants.js`` FIELDS, SEGMENTS): the one source of truth.

``FIELDS[name]``: ``display`` (the provider's field name), ``source`` (``user``: a path in the user
document; ``resolved``: computed from the subscription; ``config``: a path in the config), ``path``,
``type`` (``text`` | ``number`` | ``date``) and ``skip`` (providers that do not get the field: SendGrid
has first/last name built in, Beehiiv has no country / UTM source field).
``resolve_field_values(user_doc, config)`` gives ``{name: value}`` for one user, type-coerced as BEM
does; a stored document of any shape never raises (a part that cannot be read is left out).
The fields and segments themselves are created in the providers by BEM's external tool (OMEGA,
BEM ``docs/marketing-fields.md``); at run time ids are resolved by name.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger("bem.marketing")

FIELDS: dict[str, dict[str, Any]] = {
    # Brand
    "brand_id": {"display": "Brand ID", "source": "config", "path": "brand.id", "type": "text"},
    # User identity
    "user_auth_uid": {"display": "User UID", "source": "user", "path": "auth.uid", "type": "text"},
    "user_personal_name_first": {"display": "First Name", "source": "user", "path": "personal.name.first", "type": "text", "skip": ["sendgrid"]},
    "user_personal_name_last": {"display": "Last Name", "source": "user", "path": "personal.name.last", "type": "text", "skip": ["sendgrid"]},
    "user_personal_company": {"display": "Company", "source": "user", "path": "personal.company.name", "type": "text"},
    "user_personal_country": {"display": "Country", "source": "user", "path": "personal.location.country", "type": "text", "skip": ["beehiiv"]},
    "user_metadata_signup_date": {"display": "Signup Date", "source": "user", "path": "metadata.created.timestamp", "type": "date"},
    "user_metadata_last_activity": {"display": "Last Activity", "source": "user", "path": "metadata.updated.timestamp", "type": "date"},
    # Subscription
    "user_subscription_plan": {"display": "Plan", "source": "resolved", "path": "plan", "type": "text"},
    "user_subscription_status": {"display": "Status", "source": "resolved", "path": "status", "type": "text"},
    "user_subscription_trialing": {"display": "Trialing", "source": "resolved", "path": "trialing", "type": "text"},
    "user_subscription_trial_claimed": {"display": "Trial Claimed", "source": "user", "path": "subscription.trial.claimed", "type": "text"},
    "user_subscription_cancelling": {"display": "Cancelling", "source": "resolved", "path": "cancelling", "type": "text"},
    "user_subscription_ever_paid": {"display": "Ever Paid", "source": "resolved", "path": "everPaid", "type": "text"},
    "user_subscription_payment_processor": {"display": "Payment Processor", "source": "user", "path": "subscription.payment.processor",
         "type": "text"},
    "user_subscription_payment_frequency": {"display": "Payment Frequency", "source": "user", "path": "subscription.payment.frequency",
         "type": "text"},
    "user_subscription_payment_price": {"display": "Payment Price", "source": "user", "path": "subscription.payment.price", "type": "number"},
    "user_subscription_payment_last_date": {"display": "Last Payment Date", "source": "user", "path": "subscription.payment.updatedBy.date.timestamp",
         "type": "date"},
    # Attribution
    "user_attribution_utm_source": {"display": "UTM Source", "source": "user", "path": "attribution.utm.tags.utm_source", "type": "text",
                                    "skip": ["beehiiv"]},
}


def _field(name: str, op: str, value: str) -> dict:
    return {"field": name, "op": op, "value": value}


def _engagement(op: str, value: str) -> dict:
    return {"type": "engagement", "op": op, "value": value}


SEGMENTS: dict[str, dict[str, Any]] = {
    # Subscription
    "subscription_free": {"display": "Free Users", "conditions": [_field("user_subscription_plan", "==", "basic")]},
    "subscription_paid": {"display": "Paid Users", "conditions": [_field("user_subscription_plan", "!=", "basic"),
                                                                  _field("user_subscription_status", "==", "active")]},
    "subscription_trialing": {"display": "Trialing", "conditions": [_field("user_subscription_trialing", "==", "true")]},
    "subscription_cancelling": {"display": "Cancelling", "conditions": [_field("user_subscription_cancelling", "==", "true")]},
    "subscription_suspended": {"display": "Suspended", "conditions": [_field("user_subscription_status", "==", "suspended")]},
    "subscription_cancelled": {"display": "Cancelled", "conditions": [_field("user_subscription_status", "==", "cancelled")]},
    "subscription_churned_paid": {"display": "Churned Paid (Paid → Cancelled)", "conditions": [
        _field("user_subscription_ever_paid", "==", "true"), _field("user_subscription_status", "==", "cancelled")]},
    "subscription_churned_trial": {"display": "Churned Trial (Trial → Never Paid)", "conditions": [
        _field("user_subscription_trial_claimed", "==", "true"), _field("user_subscription_ever_paid", "!=", "true")]},
    "subscription_ever_paid": {"display": "Ever Paid", "conditions": [_field("user_subscription_ever_paid", "==", "true")]},
    "subscription_never_paid": {"display": "Never Paid", "conditions": [_field("user_subscription_ever_paid", "!=", "true")]},
    # Lifecycle (time since sign-up)
    "lifecycle_7d": {"display": "Signed Up Last 7 Days", "conditions": [_field("user_metadata_signup_date", "within", "7d")]},
    "lifecycle_30d": {"display": "Signed Up Last 30 Days", "conditions": [_field("user_metadata_signup_date", "within", "30d")]},
    "lifecycle_90d": {"display": "Signed Up Last 90 Days", "conditions": [_field("user_metadata_signup_date", "within", "90d")]},
    "lifecycle_6m": {"display": "Signed Up Last 6 Months", "conditions": [_field("user_metadata_signup_date", "within", "180d")]},
    "lifecycle_1y": {"display": "Signed Up Last 1 Year", "conditions": [_field("user_metadata_signup_date", "within", "365d")]},
    # Engagement (the providers' own open/click tracking)
    "engagement_active_30d": {"display": "Engaged Last 30 Days", "conditions": [_engagement("opened_or_clicked", "30d")]},
    "engagement_active_90d": {"display": "Engaged Last 90 Days", "conditions": [_engagement("opened_or_clicked", "90d")]},
    "engagement_inactive_90d": {"display": "Inactive 90+ Days", "conditions": [_engagement("not_opened", "90d")]},
    "engagement_inactive_5m": {"display": "Inactive 5+ Months", "conditions": [
        _engagement("not_opened_or_clicked", "150d"), _engagement("received_gte", "5"),
        _field("user_metadata_signup_date", "not_within", "150d")]},
    "engagement_inactive_6m": {"display": "Inactive 6+ Months", "conditions": [
        _engagement("not_opened_or_clicked", "180d"), _engagement("received_gte", "5"),
        _field("user_metadata_signup_date", "not_within", "180d")]},
    # Test
    "test_admin": {"display": "Test Admin", "conditions": [{"type": "contact", "op": "email_is", "value": "hello@itwcreativeworks.com"}]},
}

EPOCH_DATES = ("1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00Z")


def unknown_segments(keys: list[str] | None) -> list[str]:
    """The keys of ``keys`` that are not BEM segments (for routes answering 400)."""
    return [key for key in keys or [] if key not in SEGMENTS]


def get_path(data: Any, path: str) -> Any:
    """``lodash.get``: the value at a dotted path, or None when any step is missing or not a mapping."""
    current = data
    for part in path.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current


def resolved_values(user_doc: dict) -> dict[str, Any]:
    """BEM's computed subscription values (``User.resolveSubscription`` + the raw status)."""
    from functions.user.subscription import resolve_subscription

    subscription = user_doc.get("subscription") if isinstance(user_doc.get("subscription"), dict) else {}
    if not subscription:  # a free account that never had a subscription (most contacts): no model needed
        return {"plan": "basic", "status": "active", "everPaid": "false", "trialing": "false", "cancelling": "false"}
    try:
        resolved = resolve_subscription(user_doc)
        plan, ever_paid, trialing, cancelling = resolved.plan, resolved.ever_paid, resolved.trialing, resolved.cancelling
    except Exception as error:  # a stored document of any shape: fall back to a free account
        log.warning("marketing fields: subscription of %s unreadable (%s): sent as basic", get_path(user_doc, "auth.uid"), error)
        plan, ever_paid, trialing, cancelling = "basic", False, False, False
    status = subscription.get("status") if isinstance(subscription.get("status"), str) and subscription.get("status") else "active"
    return {"plan": plan, "status": status, "everPaid": _text(ever_paid), "trialing": _text(trialing),
            "cancelling": _text(cancelling)}


def resolve_field_values(user_doc: Any, config: Any) -> dict[str, Any]:
    """``{field name: value}`` for one user document (BEM ``resolveFieldValues``)."""
    doc = user_doc if isinstance(user_doc, dict) else {}
    raw_config = config_values(config)
    computed = resolved_values(doc)
    values: dict[str, Any] = {}
    for name, spec in FIELDS.items():
        if spec["source"] == "config":
            value = get_path(raw_config, spec["path"])
        elif spec["source"] == "resolved":
            value = computed.get(spec["path"])
        else:
            value = get_path(doc, spec["path"])
        value = _coerce(value, spec["type"])
        if value is not None:
            values[name] = value
    return values


def config_values(config: Any) -> dict:
    """The config-sourced fields' values as a dict (computed once per config object)."""
    if isinstance(config, dict):
        return config
    cached = _config_cache.get(id(config))
    if cached is None or cached[0] is not config:
        raw = config.model_dump(by_alias=True) if hasattr(config, "model_dump") else {}
        cached = (config, raw)
        with _config_lock:  # one live config at a time; an old one is dropped
            _config_cache.clear()
            _config_cache[id(config)] = cached
    return cached[1]


_config_cache: dict[int, tuple[Any, dict]] = {}
_config_lock = threading.Lock()


def for_provider(values: dict[str, Any], provider: str) -> dict[str, Any]:
    """The values a provider (``sendgrid`` | ``beehiiv``) takes (BEM's ``skip`` flags)."""
    return {name: value for name, value in values.items() if provider not in FIELDS[name].get("skip", ())}


def _coerce(value: Any, kind: str) -> Any:
    if value is None or isinstance(value, (dict, list)):
        return None
    if kind == "text":
        return _text(value) if isinstance(value, bool) else (value if isinstance(value, str) else str(value))
    if kind == "number":
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, (int, float)):
            return value
        try:
            return float(value)
        except (TypeError, ValueError):
            return 0
    if kind == "date":
        if not value or value in EPOCH_DATES or not isinstance(value, str):
            return None
        return value
    return value


def _text(value: bool) -> str:
    return "true" if value else "false"
