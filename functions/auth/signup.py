"""The work behind ``POST user/signup`` (called by the client right after account creation).

- ``wait_for_user``: the document may still be on its way from on-create (up to ~5 s).
- ``complete_signup``: in one transaction, refuse a second run (``flags.signupProcessed``),
  then merge attribution, consent and activity and set the flag, so two concurrent calls
  cannot both succeed.
- ``merge_consent``: a granted consent is never downgraded; a decline is only recorded
  where nothing was granted before.
- ``record_referral``: append ``{uid, timestamp}`` to the referrer's ``affiliate.referrals``
  (never for disposable e-mail addresses, never to oneself).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from functions.auth.disposable import is_disposable
from functions.errors import BadRequest, NotFound
from functions.logs import get_logger
from functions.timestamps import Stamp
from functions.user import UserDoc

if TYPE_CHECKING:
    from functions.manager import Manager

WAIT_SECONDS = 5.0
POLL_SECONDS = 0.25
CONSENT_KINDS = ("legal", "marketing")
ALREADY_PROCESSED = "Signup has already been processed"

log = get_logger("user/signup")


def wait_for_user(manager: Manager, uid: str, timeout: float = WAIT_SECONDS, interval: float = POLL_SECONDS) -> UserDoc:
    deadline = time.monotonic() + timeout
    while True:
        doc = manager.users.get(uid)
        if doc is not None and doc.auth.uid:
            return doc
        if time.monotonic() >= deadline:
            raise NotFound("User document not found after waiting. Please try again.")
        time.sleep(interval)


def merge_consent(existing: dict, incoming: dict[str, dict | None], now: Stamp, ip: str | None = None) -> dict:
    """The consent entries to write. ``incoming`` is ``{kind: {granted, text} | None}``."""
    changes: dict[str, dict] = {}
    for kind in CONSENT_KINDS:
        choice = incoming.get(kind)
        if choice is None:
            continue
        previous = (existing.get(kind) or {}).get("status")
        if previous == "granted":
            continue  # never downgraded here; revoking consent has its own routes
        granted = bool(choice.get("granted"))
        entry = {"status": "granted" if granted else "denied", "date": now.dump(), "source": "signup", "ip": ip}
        if choice.get("text"):
            entry["text"] = choice["text"]
        changes[kind] = entry
    return changes


def complete_signup(manager: Manager, uid: str, record: dict, consent: dict[str, dict | None], ip: str | None) -> dict:
    """Write the sign-up record once; a second call answers 400. Returns what was written."""
    from google.cloud import firestore

    ref = manager.users.ref(uid)
    now = Stamp.now()

    @firestore.transactional
    def apply(transaction: Any) -> dict:
        snapshot = ref.get(transaction=transaction)
        current = snapshot.to_dict() if snapshot.exists else None
        if current is None:
            raise NotFound(f"User '{uid}' not found")
        if (current.get("flags") or {}).get("signupProcessed"):
            raise BadRequest(ALREADY_PROCESSED)
        update = {**record, "flags": {"signupProcessed": True}, "metadata": {"updated": now.dump()}}
        consent_changes = merge_consent(current.get("consent") or {}, consent, now, ip)
        if consent_changes:
            update["consent"] = consent_changes
        transaction.set(ref, update, merge=True)
        return update

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
