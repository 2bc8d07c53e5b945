"""POST /marketing/webhook/forward?provider=sendgrid|beehiiv&key=…: a parent brand (``parent: "self"``)
re-posts the provider's body to every brand's ``marketing/webhook`` (404 on any other brand).
See functions/marketing/webhooks/forward.py."""

from functions.api import RouteOptions

OPTIONS = RouteOptions(authenticate=False, setup_usage=False, setup_settings=False, body_limit=1024 * 1024)


def main(manager, assistant):
    from functions.marketing.webhooks.forward import forward

    return forward(manager, assistant)
