"""POST payments/webhook?processor=stripe|test[&key=…]: record a processor event (see functions/payments/intake.py).

No authentication, usage or schema: the processor's signature (Stripe-Signature) or ``?key=``
is the credential, and the raw body must stay byte-exact for the signature check. Bodies up to
1 MB are accepted here (``WEBHOOK_BODY_LIMIT``; every other route keeps 100 KB).
"""

from functions.api import RouteOptions
from functions.payments.intake import WEBHOOK_BODY_LIMIT, receive_webhook

OPTIONS = RouteOptions(authenticate=False, setup_usage=False, setup_settings=False, sanitize=False,
                       body_limit=WEBHOOK_BODY_LIMIT)


def main(manager, assistant):
    return receive_webhook(manager, assistant)
