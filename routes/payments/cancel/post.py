"""POST payments/cancel {confirmed, reason, feedback, skipGuards}: cancel at period end (now while trialing)."""

from functions.api import RouteOptions
from functions.payments.cancel import cancel_subscription

OPTIONS = RouteOptions(require="user")


def main(manager, user, settings):
    return cancel_subscription(manager, user.target_uid(None), user.doc, settings, privileged=user.is_admin)
