"""Find the Stripe charge a dispute alert is about (BEM matches Stripe charges only).

1. by id: the alert names a charge (``chargeId`` from Chargeblast's ``externalOrder``, ``ch_…``) →
   that charge; when Stripe does not know it, on to 2;
2. by amount, date and card: Charge Search ``amount:{cents} AND created>{day-2d} AND created<{day+2d}``
   (the alert's day at 00:00 UTC), the first charge that ``succeeded`` with the alert's card last4.
A matched charge that did not succeed is no match (nothing to refund). The match names its customer
(``metadata.uid`` and ``email`` from the Stripe customer), invoice and subscription (both API shapes:
``charge.invoice`` before basil, the payment intent's invoice payment since).
A Stripe outage or refusal raises (the dispute is ``failed`` and can be retried); ``None`` is no match.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from functions.payments.processors.stripe.api import processor_errors, stripe_client, to_cents, to_dict
from functions.payments.processors.stripe.unify import ref_id, subscription_id_of_invoice
from functions.payments.processors.stripe.webhook import invoice_id_of_charge

WINDOW = dt.timedelta(days=2)
SEARCH_LIMIT = 100
log = logging.getLogger("bem.payments.disputes")


@dataclass(frozen=True)
class Match:
    method: str  # "charge-id" | "amount-date-card"
    charge_id: str
    customer_id: str | None
    uid: str | None
    email: str | None
    invoice_id: str | None
    subscription_id: str | None
    amount_cents: int  # what the charge took
    currency: str | None

    def dump(self) -> dict:
        """BEM's ``match`` fields (plus ``method``); the resolution adds the refund's."""
        return {"chargeId": self.charge_id, "invoiceId": self.invoice_id, "subscriptionId": self.subscription_id,
                "customerId": self.customer_id, "uid": self.uid, "email": self.email, "method": self.method}


def find_stripe_match(manager: Any, alert: dict) -> Match | None:
    client = stripe_client(manager)
    with processor_errors("dispute match"):
        charge_id = alert.get("chargeId")
        if isinstance(charge_id, str) and charge_id.startswith("ch_"):
            charge = _charge(client, charge_id)
            if charge is not None:
                return _match(client, charge, "charge-id") if charge.get("status") == "succeeded" else None
            log.info("dispute %s: Stripe has no charge %s, searching", alert.get("id"), charge_id)
        return _search(client, alert)


def search_window(transaction_date: str) -> tuple[int, int]:
    """Unix seconds two days either side of the alert's day (00:00 UTC)."""
    day = dt.datetime.combine(dt.date.fromisoformat(transaction_date), dt.time(), dt.UTC)
    return int((day - WINDOW).timestamp()), int((day + WINDOW).timestamp())


def _charge(client: Any, charge_id: str) -> dict | None:
    import stripe

    try:
        return to_dict(client.v1.charges.retrieve(charge_id))
    except stripe.InvalidRequestError as error:
        if getattr(error, "http_status", None) == 404:
            return None
        raise


def _search(client: Any, alert: dict) -> Match | None:
    start, end = search_window(alert["transactionDate"])
    cents = to_cents(float(alert["amount"]))
    query = f"amount:{cents} AND created>{start} AND created<{end}"
    found = to_dict(client.v1.charges.search({"query": query, "limit": SEARCH_LIMIT})).get("data") or []
    if len(found) >= SEARCH_LIMIT:
        log.warning("dispute %s: %s+ charges of %s cents in the window; only the first page is compared",
                    alert.get("id"), SEARCH_LIMIT, cents)
    last4 = (alert.get("card") or {}).get("last4")
    for charge in found:
        card = (charge.get("payment_method_details") or {}).get("card") or {}
        if charge.get("status") == "succeeded" and card.get("last4") == last4:
            return _match(client, charge, "amount-date-card")
    log.info("dispute %s: no succeeded charge of %s cents with card ****%s in the window", alert.get("id"), cents, last4)
    return None


def _match(client: Any, charge: dict, method: str) -> Match:
    customer_id = ref_id(charge.get("customer"))
    customer = charge["customer"] if isinstance(charge.get("customer"), dict) else _customer(client, customer_id)
    invoice_id = invoice_id_of_charge(client, charge)
    subscription_id = subscription_id_of_invoice(to_dict(client.v1.invoices.retrieve(invoice_id))) if invoice_id else None
    return Match(method=method, charge_id=charge["id"], customer_id=customer_id,
                 uid=(customer.get("metadata") or {}).get("uid") or None, email=customer.get("email") or None,
                 invoice_id=invoice_id, subscription_id=subscription_id, amount_cents=int(charge.get("amount") or 0),
                 currency=charge.get("currency"))


def _customer(client: Any, customer_id: str | None) -> dict:
    if not customer_id:
        return {}
    return to_dict(client.v1.customers.retrieve(customer_id))
