"""POST payments/webhook?processor=stripe|test[&key=…]: record a processor event (see functions/payments/intake.py).

No authentication, usage or schema: the processor's signature (Stripe-Signature) or ``?key=``
is the credential, and the raw body must stay byte-exact for the signature check.
"""

from functions.api import RouteOptions
from functions.payments.intake import receive_webhook

OPTIONS = RouteOptions(authenticate=False, setup_usage=False, setup_settings=False, sanitize=False)


def main(manager, assistant):
    return receive_webhook(manager, assistant)
