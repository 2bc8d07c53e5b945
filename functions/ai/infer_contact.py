"""Contact inference: first name, last name and company from an e-mail address (BEM's
``libraries/infer-contact.js`` with its prompt, ``prompts/infer-contact.md``).

The model answers in a schema (OpenAI strict output / Anthropic forced tool), so the fields
are always there. Without a configured provider, or when the call fails, the answer is the
empty contact with ``method: "none"`` (BEM); it never raises.

Provider and model: ``config.ai.inferContact.{provider,model}``, else the library's default
provider; the OpenAI model defaults to ``gpt-5.4-mini`` as in BEM.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from functions.ai.errors import AIError

log = logging.getLogger("bem.ai")

PROMPT_PATH = Path(__file__).parent / "prompts" / "infer-contact.md"
OPENAI_MODEL = "gpt-5.4-mini"
TIMEOUT = 60.0
MAX_TOKENS = 2048


class InferredContact(BaseModel):
    firstName: str  # noqa: N815 (the model's JSON keys are BEM's)
    lastName: str  # noqa: N815
    company: str
    confidence: float


def empty() -> dict[str, Any]:
    return {"firstName": "", "lastName": "", "company": "", "confidence": 0, "method": "none"}


def infer_contact(manager: Any, email: str) -> dict[str, Any]:
    """``{firstName, lastName, company, confidence, method}`` for ``email`` (``method``: ``ai`` or ``none``)."""
    from functions.ai.settings import default_provider

    options = manager.config.ai.infer_contact
    provider = options.provider or default_provider(manager.config)
    if not manager.ai.configured(provider):
        log.info("infer-contact: no %s provider configured, skipped", provider)
        return empty()
    model = options.model or (OPENAI_MODEL if provider == "openai" and not manager.config.openai.model else None)
    try:
        result = manager.ai.request(
            provider=provider, model=model, prompt={"path": PROMPT_PATH}, message=f"Email: {email}",
            schema=InferredContact, moderate=False, max_tokens=MAX_TOKENS, timeout=TIMEOUT,
        )
    except AIError as error:
        log.warning("infer-contact: %s failed: %s", provider, error.message)
        return empty()
    contact: InferredContact = result.output
    return {
        "firstName": capitalize(contact.firstName), "lastName": capitalize(contact.lastName),
        "company": capitalize(contact.company), "confidence": min(max(float(contact.confidence), 0.0), 1.0), "method": "ai",
    }


def capitalize(text: str) -> str:
    """First letter of every word (and of each part of a hyphenated name) upper, the rest lower."""
    return re.sub(r"[^\s-]+", lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), (text or "").strip())


def signup_personal(manager: Any, user: Any) -> dict[str, Any]:
    """What ``user/signup`` adds to the user record from inference: ``{"personal": {name, company}}``
    (BEM's ``buildUserRecord``), or ``{}``. Skipped when the user already has a name, when no provider
    is configured, and under tests unless the provider is ``test``. Never raises: a sign-up never
    fails because of inference."""
    from functions.ai.settings import default_provider

    try:
        personal = _as_dict(_get(user, "personal"))
        name = _as_dict(personal.get("name"))
        email = _get(_get(user, "auth"), "email")
        provider = manager.config.ai.infer_contact.provider or default_provider(manager.config)
        if name.get("first") or name.get("last") or not email:
            return {}
        if manager.environment == "testing" and provider != "test":
            return {}
        inferred = infer_contact(manager, str(email))
    except Exception:  # inference is best effort: a sign-up never fails because of it
        log.exception("infer-contact: sign-up inference failed")
        return {}
    out: dict[str, Any] = {}
    if inferred["firstName"] or inferred["lastName"]:
        out["name"] = {k: v for k, v in (("first", inferred["firstName"]), ("last", inferred["lastName"])) if v}
    if inferred["company"]:
        out["company"] = {"name": inferred["company"]}
    return {"personal": out} if out else {}


def _get(value: Any, key: str) -> Any:
    if value is None:
        return None
    return value.get(key) if isinstance(value, dict) else getattr(value, key, None)


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if hasattr(value, "model_dump"):
        return value.model_dump(by_alias=True)
    return {}


def record_signup_contact(manager: Any, uid: str, user: Any) -> dict[str, Any]:
    """``signup_personal`` written onto ``users/{uid}`` (merged: only the inferred leaves). Returns what
    was written (``{}`` when nothing was). Never raises: a sign-up never fails because of it."""
    personal = signup_personal(manager, user)
    if not personal:
        return {}
    try:
        manager.users.ref(uid).set(personal, merge=True)
    except Exception:  # the inference is a nicety; the sign-up itself is already written
        log.exception("infer-contact: writing the inferred contact for %s failed", uid)
        return {}
    return personal
