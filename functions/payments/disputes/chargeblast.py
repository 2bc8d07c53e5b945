"""Chargeblast alerts → BEM's normalised dispute alert (the ``alert`` of ``payments-disputes/{id}``).

Chargeblast sends ``alert.created`` (``alertId`` or ``id``, ``card``, ``cardBrand``, ``amount``,
``transactionDate``, ``processor``, …) and ``alert.updated`` (the same plus ``externalOrder`` = the
charge id, ``metadata`` = the payment intent id, ``customerEmail``, ``externalUrl``, …).

Required, each a 400 naming the field when missing or unusable: ``id`` (or ``alertId``; a Firestore
document id), ``card`` (its last 4 characters must be digits: ``4242424242424242``,
``546616******5805`` and ``9124`` all give a last4), ``amount`` (a number ≥ 0, or a numeric string),
``transactionDate`` (``YYYY-MM-DD``, any time part after a space or ``T`` is dropped).
Optional fields are kept when they are text (numbers are turned into text), else ``null``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from functions.errors import ValidationError

ALERT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,200}$")  # a Firestore document id we can trust in logs and keys
OPTIONAL_TEXT = {  # normalised name ← Chargeblast field (BEM's mapping)
    "alertType": "alertType",
    "customerEmail": "customerEmail",
    "chargeId": "externalOrder",
    "paymentIntentId": "metadata",
    "stripeUrl": "externalUrl",
    "reasonCode": "reasonCode",
    "subprovider": "subprovider",
}
TEXT_LIMIT = 2000


def normalize(body: Mapping[str, Any]) -> dict:
    """BEM's normalised alert: ``{id, card: {last4, brand}, amount, transactionDate, processor, …}``."""
    alert: dict[str, Any] = {
        "id": _alert_id(body),
        "card": {"last4": _last4(body.get("card")), "brand": _lower(body.get("cardBrand"))},
        "amount": _amount(body.get("amount")),
        "transactionDate": _date(body.get("transactionDate")),
        "processor": _lower(body.get("processor")) or "stripe",
    }
    for name, source in OPTIONAL_TEXT.items():
        alert[name] = _text(body.get(source))
    alert["isRefunded"] = body.get("isRefunded") is True or str(body.get("isRefunded")).lower() == "true"
    return alert


def _missing(name: str) -> ValidationError:
    return ValidationError(f"Missing required field: {name}", field=name)


def _alert_id(body: Mapping[str, Any]) -> str:
    value = body.get("id") or body.get("alertId")
    if value is None or value == "" or isinstance(value, bool):
        raise _missing("id")
    if not isinstance(value, str | int) or not ALERT_ID.match(str(value)):
        field = "id" if body.get("id") else "alertId"
        raise ValidationError(f"Invalid {field}: letters, digits and _ . : - only, at most 200", field=field)
    return str(value)


def _last4(card: Any) -> str:
    if card is None or card == "" or isinstance(card, bool):
        raise _missing("card")
    last4 = str(card).strip()[-4:] if isinstance(card, str | int) else ""
    if not re.fullmatch(r"\d{4}", last4):
        raise ValidationError("Invalid card: it must end with the card's last 4 digits", field="card")
    return last4


def _amount(value: Any) -> float:
    if value is None or value == "":
        raise _missing("amount")
    try:
        amount = float(value) if isinstance(value, int | float | str) and not isinstance(value, bool) else math.nan
    except ValueError:
        amount = math.nan
    if not math.isfinite(amount) or amount < 0 or amount > 1e9:
        raise ValidationError("Invalid amount: a number of currency units, like 29.99", field="amount")
    return amount


def _date(value: Any) -> str:
    if value is None or value == "":
        raise _missing("transactionDate")
    day = re.split(r"[ T]", str(value).strip(), maxsplit=1)[0] if isinstance(value, str) else ""
    try:
        return dt.date.fromisoformat(day).isoformat() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) else _bad_date()
    except ValueError:
        return _bad_date()


def _bad_date() -> str:
    raise ValidationError("Invalid transactionDate: expected YYYY-MM-DD (a time after it is ignored)",
                          field="transactionDate")


def _lower(value: Any) -> str | None:
    text = _text(value)
    return text.lower() if text else None


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value).strip()[:TEXT_LIMIT]
    return text or None
