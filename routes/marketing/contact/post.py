"""POST /marketing/contact {email, firstName, lastName, source, skipValidation, g-recaptcha-response}: subscribe
an address to the marketing providers. Public callers always get ``{success: true}`` (no enumeration);
admins get ``{success, providers, validation, nameInferred}``. See functions/marketing/subscribe.py."""

from functions.api import RouteOptions

OPTIONS = RouteOptions()


def main(manager, assistant, settings):
    from functions.marketing.subscribe import add_contact

    return add_contact(manager, assistant, settings)
