"""POST payments/dispute-alert?provider=chargeblast&key=…: record a dispute alert (see functions/payments/disputes/intake.py).

No authentication or usage: ``?key=`` (``BACKEND_MANAGER_WEBHOOK_KEY``) is the credential, checked
before the body is judged. ``bm_paymentsDisputeOnWrite`` resolves the recorded alert.
"""

from functions.api import RouteOptions
from functions.payments.disputes.intake import receive_alert

OPTIONS = RouteOptions(authenticate=False, setup_usage=False)


def main(manager, assistant):
    # the body alone: ``data`` also holds the query string, and ``?key=`` must never be stored
    return receive_alert(manager, assistant.query, assistant.parsed.body or {})
