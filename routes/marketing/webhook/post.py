"""POST /marketing/webhook?provider=sendgrid|beehiiv&key=…: unsubscribe, spam and hard-bounce events from
the marketing providers → consent revoked (see functions/marketing/webhooks/__init__.py).

No authentication, usage or schema: ``?key=`` is the credential and the body is the provider's.
Bodies up to 1 MB (SendGrid batches events)."""

from functions.api import RouteOptions

OPTIONS = RouteOptions(authenticate=False, setup_usage=False, setup_settings=False, body_limit=1024 * 1024)


def main(manager, assistant):
    from functions.marketing.webhooks import receive

    return receive(manager, assistant)
