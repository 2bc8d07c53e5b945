"""The work behind ``POST user/signup`` (called by the client right after account creation), as BEM does it.

- ``wait_for_user``: the document may still be on its way from on-create (BEM waits up to 30 s).
- ``build_consent``: the client's ``{legal, marketing: {granted, text}}`` in BEM's canonical
  shape, stamped with the Auth creation time; a granted consent is never downgraded.
- ``complete_signup``: in one transaction, refuse a second run (``flags.signupProcessed``),
  then write the whole document: BEM's default shape ← the stored document ← what sign-up
  owns (auth, flags, activity with the client's ``context``, attribution, consent,
  ``metadata.created`` from Auth, ``metadata.tag``). Two concurrent calls cannot both succeed.
- ``record_referral``: append ``{uid, timestamp}`` to the referrer's ``affiliate.referrals``
  (never for disposable e-mail addresses, never to oneself).
- ``after_signup``: the one place that runs once a sign-up completed (referral today; the
  welcome e-mails and the marketing sync hook in here).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from functions.auth.disposable import is_disposable
from functions.errors import BadRequest, NotFound
from functions.logs import get_logger
from functions.timestamps import Stamp
from functions.user import UserDoc, new_user_doc

if TYPE_CHECKING:
    from functions.manager import Manager

WAIT_SECONDS = 30.0
POLL_SECONDS = 0.5
ALREADY_PROCESSED = "Signup has already been processed"
METADATA_TAG = "user/signup"

log = get_logger("user/signup")


def wait_for_user(manager: Manager, uid: str, timeout: float = WAIT_SECONDS, interval: float = POLL_SECONDS) -> UserDoc:
    """The user document once on-create wrote it (``auth.uid`` set); 404 after ``timeout``.

    Blocks only the calling request's thread (each request runs on its own thread)."""
    deadline = time.monotonic() + timeout
    while True:
        doc = manager.users.get(uid)
        if doc is not None and doc.auth.uid:
            return doc
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise NotFound("User document not found after waiting. Please try again.")
        time.sleep(min(interval, remaining))


def _event(stamp: Stamp, ip: str | None, text: str | None = None) -> dict:
    return {"timestamp": stamp.timestamp, "timestampUNIX": stamp.timestamp_unix, "source": "signup", "ip": ip, "text": text}


def empty_event() -> dict:
    return {"timestamp": None, "timestampUNIX": None, "source": None, "ip": None, "text": None}


def build_consent(incoming: dict[str, dict | None], existing: Any, when: Stamp, ip: str | None) -> dict:
    """BEM's ``consent`` record for sign-up.

    ``incoming`` is ``{kind: {granted, text} | None}``; only ``granted is True`` grants. A
    declined marketing consent records ``revokedAt`` (source ``signup``); ``legal`` has no
    ``revokedAt``. A consent the stored document already grants is kept as stored unless the
    request grants it again.
    """
    legal_choice, marketing_choice = incoming.get("legal") or {}, incoming.get("marketing") or {}
    if legal_choice.get("granted") is True:
        legal = {"status": "granted", "grantedAt": _event(when, ip, legal_choice.get("text"))}
    else:
        legal = {"status": "revoked", "grantedAt": empty_event()}
    if marketing_choice.get("granted") is True:
        marketing = {"status": "granted", "grantedAt": _event(when, ip, marketing_choice.get("text")), "revokedAt": empty_event()}
    else:
        marketing = {"status": "revoked", "grantedAt": empty_event(), "revokedAt": _event(when, ip)}
    records = {"legal": legal, "marketing": marketing}
    existing = existing if isinstance(existing, dict) else {}
    for kind, record in records.items():
        stored = existing.get(kind)
        if isinstance(stored, dict) and stored.get("status") == "granted" and record["status"] != "granted":
            records[kind] = stored
    return records


def deep_merge(base: Any, over: Any) -> Any:
    """``over`` laid on ``base``: dicts merge key by key, anything else in ``over`` wins."""
    if not (isinstance(base, dict) and isinstance(over, dict)):
        return over
    merged = dict(base)
    for key, value in over.items():
        merged[key] = deep_merge(base[key], value) if key in base else value
    return merged


@dataclass
class SignupRequest:
    """What the route hands over: the caller's choices and, for one's own sign-up, the request's activity."""

    uid: str
    email: str | None = None
    attribution: dict = field(default_factory=dict)
    context: dict = field(default_factory=dict)
    consent: dict[str, dict | None] = field(default_factory=dict)
    geolocation: dict = field(default_factory=dict)
    client: dict = field(default_factory=dict)
    ip: str | None = None
    created: Stamp | None = None
    """Auth's creation time (``metadata.created`` and the consent stamps)."""


def _activity(request: SignupRequest) -> dict:
    context = request.context or {}
    geolocation = context.get("geolocation") if isinstance(context.get("geolocation"), dict) else {}
    client = context.get("client") if isinstance(context.get("client"), dict) else {}
    return {**context, "geolocation": {**geolocation, **request.geolocation}, "client": {**request.client, **client}}


def signup_record(request: SignupRequest, stored: dict, now: Stamp) -> dict:
    """The whole document sign-up writes: defaults ← stored ← what sign-up owns."""
    created = request.created or now
    defaults = new_user_doc(request.uid, request.email, created=created).dump()
    stored_auth = stored.get("auth") if isinstance(stored.get("auth"), dict) else {}
    email = request.email or stored_auth.get("email")
    owned = {
        "auth": {"uid": request.uid, "email": email},
        "flags": {"signupProcessed": True},
        "activity": _activity(request),
        "attribution": request.attribution,
        "consent": build_consent(request.consent, stored.get("consent"), created, request.ip),
        "metadata": {"created": created.dump(), "updated": now.dump(), "tag": METADATA_TAG},
    }
    return deep_merge(deep_merge(defaults, stored), owned)


def complete_signup(manager: Manager, request: SignupRequest) -> dict:
    """Write the sign-up record once; a second call answers 400. Returns the document written."""
    from google.cloud import firestore

    ref = manager.users.ref(request.uid)

    @firestore.transactional
    def apply(transaction: Any) -> dict:
        snapshot = ref.get(transaction=transaction)
        current = snapshot.to_dict() if snapshot.exists else None
        if current is None:
            raise NotFound(f"User '{request.uid}' not found")
        flags = current.get("flags")
        if isinstance(flags, dict) and flags.get("signupProcessed") is True:
            raise BadRequest(ALREADY_PROCESSED)
        record = signup_record(request, current, Stamp.now())
        transaction.set(ref, record)
        return record

    return apply(manager.db.transaction())


def record_referral(manager: Manager, uid: str, email: str | None, code: str | None) -> str | None:
    """The referrer's uid when a referral was recorded."""
    if not code:
        return None
    if is_disposable(email, manager.config.auth.disposable_domains):
        log.info("signup: referral code ignored for a disposable address (%s)", uid)
        return None
    from google.cloud.firestore_v1 import ArrayUnion
    from google.cloud.firestore_v1.base_query import FieldFilter

    query = manager.db.collection("users").where(filter=FieldFilter("affiliate.code", "==", code)).limit(1)
    referrer = next(iter(query.stream()), None)
    if referrer is None or referrer.id == uid:
        log.info("signup: no referrer for affiliate code of %s", uid)
        return None
    entry = {"uid": uid, "timestamp": Stamp.now().timestamp}
    manager.users.ref(referrer.id).update({"affiliate.referrals": ArrayUnion([entry])})
    return referrer.id


@dataclass
class SignupOutcome:
    uid: str
    record: dict
    referrer: str | None = None


def after_signup(manager: Manager, request: SignupRequest, record: dict, affiliate_code: str | None) -> SignupOutcome:
    """Everything that follows a completed sign-up, once per account (the flag makes a second
    sign-up a 400 before reaching here): the referral, BEM's inferred ``personal`` name/company
    (best effort, never raises), the welcome e-mail series (``functions/email/account.py``, never
    raises), the marketing sync (only when ``record["consent"]["marketing"]["status"] == "granted"``,
    functions/marketing/auto_sync.py, never raises)."""
    from functions.ai.infer_contact import record_signup_contact
    from functions.email.account import send_welcome_emails
    from functions.marketing.auto_sync import after_signup as marketing_sync

    referrer = record_referral(manager, request.uid, record["auth"].get("email"), affiliate_code)
    record_signup_contact(manager, request.uid, record)
    send_welcome_emails(manager, request.uid)  # functions/email/account.py: skipped in testing unless extended
    marketing_sync(manager, request.uid, record)  # consent granted + address valid; never raises
    return SignupOutcome(uid=request.uid, record=record, referrer=referrer)
