"""The dispute e-mail to the brand (BEM's ``sendDisputeEmail``): once per alert, through the e-mail library.

To ``brand.contact.email``, sender ``internal``, template ``card``, category ``order/dispute-alert``,
subject ``Dispute Alert: Matched|Unmatched — $29.99 on ****4242 [alertId]``; the body lists the
alert, the match and what was done (markdown). Key ``dispute:{alertId}:email``: a retried or
redelivered alert finds the first e-mail and does not send another. Skipped when testing unless
``TEST_EXTENDED_MODE`` (BEM). Answers the ``actions.email`` value and an error line, if any.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from functions import environment as env

log = logging.getLogger("bem.payments.disputes")
DASHBOARD_URL = re.compile(r"^https://[^\s()<>\[\]]{1,500}$")


def email_key(alert_id: str) -> str:
    return f"dispute:{alert_id}:email"


def send_dispute_email(manager: Any, alert_id: str, alert: dict, match: dict | None, actions: dict,
                       errors: list[str]) -> tuple[str, str | None]:
    if manager.environment == "testing" and not env.is_extended_testing():
        return "skipped-testing", None
    to = manager.config.brand.contact.email
    if not to:
        return "skipped", "Email skipped: no brand.contact.email configured"
    matched = "Matched" if match else "Unmatched"
    headline = f"Dispute Alert: {matched} — ${money(alert.get('amount'))} on ****{_plain((alert.get('card') or {}).get('last4'))}"
    try:
        result = manager.email.send(
            to=to, sender="internal", subject=f"{headline} [{alert_id}]", template="card",
            categories=["order/dispute-alert"], copy=True, idempotency_key=email_key(alert_id),
            data={"email": {"preview": headline},
                  "content": {"title": f"Dispute Alert: {matched}", "message": message(alert_id, alert, match, actions, errors)}},
        )
    except Exception as error:  # the refund and cancellation stand; the e-mail is reported, not retried
        log.exception("dispute %s: e-mail could not be sent", alert_id)
        return "failed", f"Email failed: {type(error).__name__}"
    if not result.ok:
        return "failed", f"Email failed: {result.error or result.status}"
    return "success", None


def message(alert_id: str, alert: dict, match: dict | None, actions: dict, errors: list[str]) -> str:
    card = alert.get("card") or {}
    if match:
        banner = "Partially processed (see errors below)" if errors else "Automatically processed"
    else:
        banner = "Could not be matched to a charge — manual review required."
    lines = [f"**{banner}**", "", "**Alert details:**", ""]
    lines += _items({
        "Alert ID": alert_id, "Type": alert.get("alertType"), "Card": f"****{_plain(card.get('last4'))} ({_plain(card.get('brand')) or 'unknown'})",
        "Amount": f"${money(alert.get('amount'))}", "Transaction date": alert.get("transactionDate"), "Processor": alert.get("processor"),
        "Reason": alert.get("reasonCode"), "Network": alert.get("subprovider"), "Customer email": alert.get("customerEmail"),
        "Already refunded": "Yes" if alert.get("isRefunded") else "No",
    })
    if match:
        lines += ["", "**Match details:**", ""]
        lines += _items({"Method": match.get("method"), "Charge": match.get("chargeId"), "Invoice": match.get("invoiceId"),
                         "Subscription": match.get("subscriptionId"), "Customer": match.get("customerId"),
                         "Customer email": match.get("email"), "UID": match.get("uid")})
        refunded = match.get("amountRefunded")
        amount = f" — {refunded / 100:.2f} {str(match.get('currency') or '').upper()}" if isinstance(refunded, int) else ""
        refund_id = f" ({match['refundId']})" if match.get("refundId") else ""
        lines += ["", "**Actions taken:**", ""]
        lines += _items({"Refund": f"{actions.get('refund')}{refund_id}{amount}", "Cancel subscription": actions.get("cancel")})
    url = alert.get("stripeUrl")
    if isinstance(url, str) and DASHBOARD_URL.match(url):
        lines += ["", f"[View in the Stripe Dashboard]({url})"]
    if errors:
        lines += ["", "**Errors:**", ""] + [f"- {_plain(error)}" for error in errors]
    return "\n".join(lines)


def money(amount: Any) -> str:
    """``29.99`` → ``29.99``, ``8.0`` → ``8`` (as BEM's JavaScript prints the amount)."""
    if isinstance(amount, int | float) and not isinstance(amount, bool):
        return str(int(amount)) if float(amount).is_integer() else f"{amount:.2f}"
    return _plain(amount)


def _items(fields: dict[str, Any]) -> list[str]:
    return [f"- **{name}:** {_plain(value) or 'N/A'}" for name, value in fields.items()]


def _plain(value: Any) -> str:
    """Text from the alert, safe in markdown: no HTML, no markup characters."""
    if value is None:
        return ""
    return re.sub(r"[<>`\[\]\\]", "", str(value))[:300]
