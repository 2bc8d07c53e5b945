"""POST payments/portal {returnUrl}: ``{url}`` of a Stripe Billing Portal session."""

from functions.api import RouteOptions
from functions.payments.portal import portal_session

OPTIONS = RouteOptions(require="user")


def main(manager, user, settings):
    return portal_session(manager, user.target_uid(None), user.doc, settings.return_url)
