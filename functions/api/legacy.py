"""BEM's legacy ``{command, payload}`` API.

A request to the bare API path with a ``command`` is a legacy call. Old names are
aliased; a command runs ``routes/api/{group}/{name}.py`` when a layer has one, else
the REST route that replaced it. ``manager.handlers["bm_api"]`` hooks run before
(``"pre"``: may raise to refuse) and after (``"post"``: may return a new result).
"""

from __future__ import annotations

from functions.errors import BadRequest

ALIASES = {
    "generate-uuid": "general:generate-uuid",
    "create-custom-token": "user:create-custom-token",
    "delete-user": "user:delete",
    "sign-out-all-sessions": "user:sign-out-all-sessions",
    "get-user-subscription-info": "user:get-subscription-info",
    "sign-up": "user:sign-up",
    "firestore-read": "admin:firestore-read",
    "firestore-write": "admin:firestore-write",
    "firestore-query": "admin:firestore-query",
    "payment-processor": "admin:payment-processor",
}

# command → (REST route, method) that does the same job; commands with no REST route
# (``firebase:get-providers``) are built-in ``routes/api/{group}/{name}.py`` modules
REST_EQUIVALENTS = {
    "general:generate-uuid": ("general/uuid", "post"),
    "test:health": ("test/health", "get"),
    "test:authenticate": ("test/authenticate", "get"),
    "test:usage": ("test/usage", "post"),
    "test:lab": ("test/lab", "post"),
    "test:redirect": ("test/redirect", "get"),
    "test:webhook": ("test/webhook", "post"),
    "special:setup-electron-manager-client": ("special/electron-client", "post"),
    "user:resolve": ("user", "get"),
    "user:get-subscription-info": ("user/subscription", "get"),
    "user:sign-up": ("user/signup", "post"),
    "user:delete": ("user", "delete"),
    "user:create-custom-token": ("user/token", "post"),
    "user:regenerate-api-keys": ("user/api-keys", "post"),
    "user:get-active-sessions": ("user/sessions", "get"),
    "user:sign-out-all-sessions": ("user/sessions", "delete"),
    "user:submit-feedback": ("user/feedback", "post"),
    "user:validate-settings": ("user/settings/validate", "post"),
    "admin:firestore-read": ("admin/firestore", "get"),
    "admin:firestore-write": ("admin/firestore", "post"),
    "admin:firestore-query": ("admin/firestore/query", "post"),
    "admin:cron": ("admin/cron", "post"),
    "admin:send-email": ("admin/email", "post"),
    "general:send-email": ("general/email", "post"),
    "admin:infer-contact": ("admin/infer-contact", "post"),
    "admin:send-notification": ("admin/notification", "post"),
    "general:remove-marketing-contact": ("marketing/contact", "delete"),
}


def _notification_defaults(payload: dict) -> dict:
    """BEM's legacy ``admin:send-notification`` fills a missing title and body one by one (the REST
    route only defaults a missing ``notification``)."""
    notification = payload.get("notification")
    if notification is None or isinstance(notification, dict):
        notification = dict(notification or {})
        notification["title"] = notification.get("title") or "Notification"
        notification["body"] = notification.get("body") or "Check this out"
        payload["notification"] = notification
    return payload


# command → how its payload differs from the REST route's body (BEM's legacy handlers' own defaults)
PAYLOAD_ADAPTERS = {"admin:send-notification": _notification_defaults}


def command_of(data: dict) -> str | None:
    command = data.get("command")
    if not isinstance(command, str) or not command.strip():
        return None
    command = command.strip()
    return ALIASES.get(command, command)


def payload_of(data: dict, command: str | None = None) -> dict:
    payload = data.get("payload")
    if payload is None:
        payload = {}
    elif not isinstance(payload, dict):  # never read as "no settings" (``user:delete`` would act on the caller)
        raise BadRequest(f"payload must be a JSON object, not {type(payload).__name__}")
    # credentials may travel beside the command, as old clients send them
    for key in ("backendManagerKey", "authenticationToken", "apiKey"):
        if key in data and key not in payload:
            payload[key] = data[key]
    adapt = PAYLOAD_ADAPTERS.get(command or "")
    return adapt(payload) if adapt else payload
