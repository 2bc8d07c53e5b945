"""POST /marketing/email-preferences {action[, email, asmId, sig]}: marketing consent from the account page
(signed in) or from the signed unsubscribe link (anonymous). See functions/marketing/preferences.py."""

from functions.api import RouteOptions

OPTIONS = RouteOptions()


def main(manager, assistant, settings):
    from functions.marketing.preferences import update

    return update(manager, assistant, settings)
