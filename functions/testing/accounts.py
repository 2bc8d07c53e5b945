"""BEM's test accounts: uid ``_test-{id}``, email ``_test.{id}@{domain}``, with their documents."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from functions.timestamps import Stamp
from functions.user import new_user_doc

DOMAIN = "bem-test.dev"
DAY = 86400


@dataclass
class Account:
    id: str
    overrides: dict = field(default_factory=dict)
    token: str | None = None
    password: str = "bem-test-password"

    @property
    def uid(self) -> str:
        return f"_test-{self.id}"

    @property
    def email(self) -> str:
        return f"_test.{self.id}@{DOMAIN}"

    def document(self) -> dict:
        doc = new_user_doc(self.uid, self.email).dump()
        doc["flags"]["signupProcessed"] = True
        _deep_update(doc, self.overrides)
        return doc


def _premium(status: str, *, expires_in: int, pending: bool = False) -> dict:
    now = int(time.time())
    return {
        "subscription": {
            "product": {"id": "premium", "name": "Premium"},
            "status": status,
            "expires": Stamp.at(now + expires_in).dump(),
            "cancellation": {"pending": pending, "date": Stamp.at(now + expires_in).dump() if pending else Stamp().dump()},
            "payment": {
                "processor": "stripe",
                "orderId": "0000-0000-0001",
                "resourceId": "sub_test_premium",
                "frequency": "monthly",
                "price": 4.99,
                "startDate": Stamp.at(now - 40 * DAY).dump(),
            },
        }
    }


def default_accounts() -> dict[str, Account]:
    accounts = [
        Account("admin", {"roles": {"admin": True}}),
        Account("basic"),
        Account("premium-active", _premium("active", expires_in=30 * DAY)),
        Account("premium-expired", _premium("cancelled", expires_in=-5 * DAY)),
        Account("premium-suspended", _premium("suspended", expires_in=2 * DAY)),
        Account("premium-cancelling", _premium("active", expires_in=10 * DAY, pending=True)),
    ]
    return {a.id: a for a in accounts}


def _deep_update(target: dict, changes: dict) -> None:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_update(target[key], value)
        else:
            target[key] = value
