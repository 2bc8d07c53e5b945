"""What every payment journey checks, whatever the processor (PayPal's journeys use it; any can).

- ``subscription_of(firestore, uid)``, ``webhook_record(firestore, event_id)``;
- ``order_emails(firestore, uid)``: the order e-mails in the local mailbox for the user (no SendGrid
  key in tests), as their ``order/…`` categories, sorted;
- ``expected_emails(firestore, uid)``: one order e-mail per transition recorded on the user's webhooks;
- ``SAME_STATE``: the subscription fields that must agree whatever order events arrived in;
- ``assert_state(firestore, uid, status, pending, product)``.
"""

from __future__ import annotations

from typing import Any

ORDER_CATEGORY = {
    "new-subscription": "order/confirmation", "purchase-completed": "order/confirmation", "payment-failed": "order/payment-failed",
    "purchase-failed": "order/payment-failed", "payment-recovered": "order/payment-recovered",
    "cancellation-requested": "order/cancellation-requested", "subscription-cancelled": "order/cancelled",
    "plan-changed": "order/plan-changed", "payment-refunded": "order/refunded",
}
SAME_STATE = ("status", "product", "cancellation", "expires", "trial")


def subscription_of(firestore: Any, uid: str) -> dict:
    return (firestore.get(f"users/{uid}") or {}).get("subscription") or {}


def webhook_record(firestore: Any, event_id: str) -> dict | None:
    return firestore.get(f"payments-webhooks/{event_id}")


def order_emails(firestore: Any, uid: str) -> list[str]:
    email = ((firestore.get(f"users/{uid}") or {}).get("auth") or {}).get("email")
    found = [m for m in firestore.list("emails-mailbox").values() if (m.get("to") or [{}])[0].get("email") == email]
    return sorted(m["categories"][-1] for m in found if str(m["categories"][-1]).startswith("order/"))


def expected_emails(firestore: Any, uid: str) -> list[str]:
    records = [r for r in firestore.list("payments-webhooks").values() if r.get("owner") == uid and r.get("transition")]
    return sorted(ORDER_CATEGORY[r["transition"]] for r in records)


def assert_state(firestore: Any, uid: str, status: str, pending: bool, product: str) -> dict:
    current = subscription_of(firestore, uid)
    assert (current.get("status"), (current.get("cancellation") or {}).get("pending"), (current.get("product") or {}).get("id")) == (
        status, pending, product), current
    return current
