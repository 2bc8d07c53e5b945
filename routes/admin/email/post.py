"""POST /admin/email: send (or queue) one e-mail through ``manager.email`` (admin only).

Answers ``{status: sent|queued|retrying, id, provider, providerMessageId?}``; bad settings → 400
naming the field; the provider refusing it → 500 with its reason (BEM). ``idempotencyKey`` makes a
retried request send once.
"""

from functions.api import RouteOptions
from functions.errors import InternalError

OPTIONS = RouteOptions(require="admin", setup_usage=False)


def main(email, settings):
    fields = settings.model_dump(by_alias=True, exclude_none=True, exclude={"idempotency_key"})
    result = email.send(fields, idempotency_key=settings.idempotency_key)
    if result.status == "failed":
        raise InternalError(f"Failed to send email: {result.error}")
    return {"status": result.status, "id": result.id, "provider": result.provider,
            "providerMessageId": result.provider_message_id, "duplicate": result.duplicate}
