"""Test data for disputes: a paid Stripe charge seeded into the fake, and Chargeblast alert bodies.

    ids = seed_paid_charge(stripe_fake, uid="u1", amount=2999, last4="4242", created=...)
    ids.charge, ids.customer, ids.invoice, ids.subscription      # what the match should name
    bm.post("payments/dispute-alert", chargeblast_alert(ids, amount=29.99), query={"key": WEBHOOK_KEY})

The charge has today's API shape: no ``charge.invoice``; its payment intent's invoice payment
names the invoice, whose ``parent.subscription_details`` names the subscription.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass
from typing import Any

from functions.testing.payment_builders import make_subscription


@dataclass(frozen=True)
class PaidCharge:
    charge: str
    customer: str
    invoice: str | None
    subscription: str | None
    created: int


def seed_paid_charge(fake: Any, *, uid: str | None, amount: int = 2999, last4: str = "4242", created: int | None = None,
                     email: str = "buyer@example.com", subscription: bool = True, status: str = "succeeded") -> PaidCharge:
    token = secrets.token_hex(6)
    created = int(created if created is not None else time.time())
    customer = fake.add({"id": f"cus_d{token}", "object": "customer", "email": email,
                         "metadata": {"uid": uid} if uid else {}})["id"]
    payment_intent = f"pi_d{token}"
    invoice = subscription_id = None
    if subscription:
        sub = make_subscription(uid=uid, id=f"sub_d{token}", amount=amount)
        sub["customer"] = customer
        subscription_id = fake.add(sub)["id"]
        invoice = fake.add({"id": f"in_d{token}", "object": "invoice", "status": "paid", "amount_paid": amount,
                            "currency": "usd", "customer": customer, "created": created,
                            "parent": {"type": "subscription_details",
                                       "subscription_details": {"subscription": subscription_id}}})["id"]
        fake.add({"id": f"inpay_d{token}", "object": "invoice_payment", "invoice": invoice, "status": "paid",
                  "payment": {"type": "payment_intent", "payment_intent": payment_intent}})
    charge = fake.add({"id": f"ch_d{token}", "object": "charge", "amount": amount, "amount_refunded": 0, "refunded": False,
                       "currency": "usd", "status": status, "created": created, "customer": customer,
                       "payment_intent": payment_intent, "metadata": {},
                       "payment_method_details": {"type": "card", "card": {"last4": last4, "brand": "visa"}}})["id"]
    return PaidCharge(charge=charge, customer=customer, invoice=invoice, subscription=subscription_id, created=created)


def chargeblast_alert(paid: PaidCharge | None = None, *, alert_id: str | None = None, amount: float = 29.99,
                      last4: str = "4242", with_charge_id: bool = False, **fields: Any) -> dict:
    """A Chargeblast ``alert.created`` body for the charge (``alert.updated`` with ``with_charge_id``)."""
    created = paid.created if paid else int(time.time())
    body = {"id": alert_id or f"cb_{secrets.token_hex(6)}", "card": f"424242******{last4}", "cardBrand": "Visa",
            "amount": amount, "transactionDate": dt.datetime.fromtimestamp(created, dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "processor": "stripe", "alertType": "FRAUD", "reasonCode": "10.4", "subprovider": "Ethoca"}
    if with_charge_id and paid:
        body["externalOrder"] = paid.charge
    return {**body, **fields}
