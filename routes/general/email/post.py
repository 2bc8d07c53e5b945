"""POST /general/email {id, email, name?}: a public, templated e-mail (BEM's ``general/email``).

``id`` names ``routes/general/email/_templates/{id with ':' → '/'}.py`` in any routes layer (a
project adds its own); its ``build(settings, config)`` returns ``{"payload": <send settings>}``
and optionally ``spamFilter`` / ``delay``. BEM's spam filter on the usage meter: the request that
would be the 3rd of the day from one IP, or for one address, answers ``{success: true}`` and sends
nothing (so a probe cannot tell). Answers ``{success: true}``.
"""

import hashlib

from functions.api import RouteOptions
from functions.email.recipients import valid_email
from functions.errors import TooManyRequests, ValidationError

OPTIONS = RouteOptions(setup_usage=False)
SPAM_FILTER = {"ip": 3, "email": 3}  # BEM: refused once the count reaches these (2 sends per day)
METRIC = "general-email"


def main(manager, assistant, settings):
    from functions.api.modules import import_file
    from functions.usage import Usage

    if not valid_email(settings.email):
        raise ValidationError(f"Invalid value for email: '{settings.email}' is not an e-mail address", field="email")
    path = manager.find_file("routes", f"general/email/_templates/{settings.id.replace(':', '/')}.py")
    if path is None:
        raise ValidationError(f"Invalid value for id: {settings.id} is not a valid email ID", field="id")
    built = import_file(path, f"general_email_{path.stem.replace('-', '_')}").build(settings, manager.config)
    limits = {**SPAM_FILTER, **(built.get("spamFilter") or {})}
    address = hashlib.sha256(settings.email.strip().lower().encode()).hexdigest()[:40]
    try:
        Usage.for_ip(manager, assistant.ip).consume(METRIC, daily_limit=limits["ip"] - 1)
        Usage.for_ip(manager, f"email-{address}").consume(METRIC, daily_limit=limits["email"] - 1)
    except TooManyRequests:
        assistant.log.warning("general/email: spam filter for %s (id %s)", assistant.ip, settings.id)
        return {"success": True}
    manager.email.send(built["payload"])
    return {"success": True}
