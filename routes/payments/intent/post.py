"""POST payments/intent: validate, open a checkout with the processor, record the intent.

reCAPTCHA (``verification['g-recaptcha-response']``) is checked first when configured.
Answers ``{id, orderId, url}`` (``url`` is the Stripe Checkout page; for the test processor
the confirmation URL, the webhook events having already been delivered).
"""

from functions.api import RouteOptions
from functions.payments.intent import create_intent, plan_intent

OPTIONS = RouteOptions(require="user")


def main(manager, user, settings, assistant):
    plan = plan_intent(manager, user.target_uid(None), user.doc, settings, ip=assistant.ip)
    return create_intent(manager, plan)
