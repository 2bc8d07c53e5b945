"""POST payments/refund {reason, confirmed}: refund the last payment (full or prorated), cancel now."""

from functions.api import RouteOptions
from functions.payments.refund import refund_subscription

OPTIONS = RouteOptions(require="user")


def main(manager, user, settings):
    return refund_subscription(manager, user.target_uid(None), user.doc, settings)
