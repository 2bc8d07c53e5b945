"""Chargebee's account actions: cancel, refund, self-serve portal (BEM's ``routes/payments/*/processors/chargebee.js``).

- cancel: the subscription is retrieved; gone (404) or ``cancelled`` → ``SubscriptionGone``;
  ``in_trial`` (or the caller's trial) → ``cancel_for_items`` ``cancel_option=immediately``, else
  ``end_of_term`` (status ``non_renewing``). Key ``bem-cancel-{subscriptionId}-{option}``.
- refund: the latest paid invoice of the subscription (``invoices`` ``subscription_id[is]``,
  ``status[is]=paid``, ``sort_by[desc]=date``), the amount by ``quote_refund`` (full within 7 days,
  else the unused whole days of ``current_term_start..current_term_end``), ``invoices/{id}/refund``
  (key ``bem-refund-{subscriptionId}``), then ``cancel_for_items`` immediately (key
  ``bem-refund-cancel-{subscriptionId}``) unless already cancelled.
- portal: ``portal_sessions`` for the customer of the user's Chargebee subscription → ``access_url``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from functions.errors import BadRequest
from functions.payments.processors.base import SubscriptionGone
from functions.payments.processors.chargebee.api import chargebee_client, is_not_found, key, processor_errors, raw
from functions.payments.refund import RefundQuote, quote_refund

if TYPE_CHECKING:
    from functions.payments.actions import PaidSubscription
    from functions.user.models import UserDoc


def _retrieve(client: Any, subscription_id: str) -> tuple[dict, dict]:
    import chargebee

    try:
        answer = client.Subscription.retrieve(subscription_id)
    except chargebee.APIError as error:
        if is_not_found(error):
            raise SubscriptionGone(subscription_id) from None
        raise
    return raw(answer.subscription), raw(getattr(answer, "customer", None))


def cancel(manager: Any, paid: PaidSubscription, *, trialing: bool) -> bool:
    """At the end of the term, or now while in trial. Answers whether it was immediate."""
    client = chargebee_client(manager)
    with processor_errors("cancel"):
        subscription, _ = _retrieve(client, paid.resource_id)
        if subscription.get("status") in ("cancelled", "transferred"):
            raise SubscriptionGone(paid.resource_id)
        immediate = trialing or subscription.get("status") == "in_trial"
        option = "immediately" if immediate else "end_of_term"
        client.Subscription.cancel_for_items(paid.resource_id, {"cancel_option": option},
                                             key(f"bem-cancel-{paid.resource_id}-{option}"))
    return immediate


def latest_paid_invoice(client: Any, subscription_id: str) -> dict:
    answer = client.Invoice.list({"subscription_id": {"is": subscription_id}, "status": {"is": "paid"},
                                  "sort_by": {"desc": "date"}, "limit": 1})
    entries = getattr(answer, "list", None) or []
    invoice = raw(getattr(entries[0], "invoice", None)) if entries else {}
    if not invoice:
        raise BadRequest("Nothing to refund: no payment was made for this subscription")
    return invoice


def chargebee_quote(subscription: dict, invoice: dict, now: float) -> RefundQuote:
    paid_cents = int(invoice.get("amount_paid") or invoice.get("total") or 0)
    if paid_cents <= 0:
        raise BadRequest("Nothing to refund: the last invoice was not paid (trial or free period)")
    paid_at = int(invoice.get("paid_at") or invoice.get("date") or now)
    start = int(subscription.get("current_term_start") or invoice.get("date") or paid_at)
    end = int(subscription.get("current_term_end") or start + 30 * 86400)
    quote = quote_refund(paid_cents, paid_at, start, end, now, str(invoice.get("currency_code") or "usd").lower())
    if quote.amount_cents <= 0:
        raise BadRequest("Nothing to refund: the paid period is used up")
    return quote


def refund(manager: Any, paid: PaidSubscription) -> tuple[RefundQuote, str]:
    """Refund the latest paid invoice by the shared rule, then cancel the subscription now."""
    client = chargebee_client(manager)
    with processor_errors("refund"):
        subscription, _ = _retrieve(client, paid.resource_id)
        invoice = latest_paid_invoice(client, paid.resource_id)
        quote = chargebee_quote(subscription, invoice, time.time())
        answer = client.Invoice.refund(
            invoice["id"],
            {"refund_amount": quote.amount_cents, "comment": f"Refund requested (order {paid.order_id})"},
            key(f"bem-refund-{paid.resource_id}"),
        )
        refund_id = raw(getattr(answer, "credit_note", None)).get("id") or raw(getattr(answer, "transaction", None)).get("id")
        if subscription.get("status") != "cancelled":
            client.Subscription.cancel_for_items(paid.resource_id, {"cancel_option": "immediately"},
                                                 key(f"bem-refund-cancel-{paid.resource_id}"))
    return quote, str(refund_id or invoice["id"])


def portal(manager: Any, uid: str, doc: UserDoc, return_url: str) -> dict:
    """A self-serve portal session for the customer of the user's Chargebee subscription."""
    payment = doc.subscription.payment
    if payment.processor != "chargebee" or not payment.resource_id:
        raise BadRequest("No billing account yet: buy a plan first")
    client = chargebee_client(manager)
    with processor_errors("portal"):
        try:
            subscription, _ = _retrieve(client, payment.resource_id)
        except SubscriptionGone:
            raise BadRequest("No billing account yet: buy a plan first") from None
        customer_id = subscription.get("customer_id")
        if not customer_id:
            raise BadRequest("No billing account yet: buy a plan first")
        session = raw(client.PortalSession.create({"customer": {"id": customer_id}, "redirect_url": return_url}).portal_session)
    return {"url": session.get("access_url"), "processor": "chargebee"}
