"""Writing ``users/{uid}.consent.marketing`` when consent changes (BEM's shape, docs/consent.md).

    {status: "granted" | "revoked",
     grantedAt: {timestamp, timestampUNIX, source, ip, text},
     revokedAt: {timestamp, timestampUNIX, source, ip, text}}

A grant writes ``grantedAt`` and leaves ``revokedAt`` as it was (and the other way round): the
untouched side is the audit trail of the last change the other way. Sources are BEM's:
``account`` (the signed-in toggle), ``sendgrid`` (the signed unsubscribe link and SendGrid's
webhook), ``beehiiv`` (its webhook), ``admin`` (``DELETE marketing/contact``).

``record`` runs in a transaction and skips a change that is already in place or older than the
stored one: the same webhook delivered twice, or an unsubscribe event that arrives after the
person subscribed again, changes nothing (``changed=False``), so callers act outside once per
change. A stored document of any shape is read without raising.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from functions.timestamps import Stamp

Status = Literal["granted", "revoked"]
COLLECTION = "users"


@dataclass(frozen=True)
class ConsentChange:
    status: Status
    when: Stamp
    source: str
    ip: str | None = None
    text: str | None = None

    @property
    def side(self) -> str:
        return "grantedAt" if self.status == "granted" else "revokedAt"

    def event(self) -> dict:
        return {**self.when.dump(), "source": self.source, "ip": self.ip, "text": self.text}


@dataclass(frozen=True)
class Recorded:
    uid: str
    changed: bool
    """False when the stored consent already says this (a duplicate) or is newer than it."""


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _unix(event: Any) -> int | None:
    value = _dict(event).get("timestampUNIX")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def stored_marketing(document: Any) -> dict:
    return _dict(_dict(_dict(document).get("consent")).get("marketing"))


def already_applied(marketing: dict, change: ConsentChange) -> bool:
    """The stored consent makes ``change`` a no-op: it says the same thing from the same source at the
    same second or later, or the opposite thing since a later moment (an event delivered late)."""
    unix = change.when.timestamp_unix
    same = _dict(marketing.get(change.side))
    same_unix = _unix(same)
    if marketing.get("status") == change.status and same_unix is not None and (
            same_unix > unix or (same_unix == unix and same.get("source") == change.source)):
        return True
    other_side = "revokedAt" if change.status == "granted" else "grantedAt"
    other_unix = _unix(marketing.get(other_side))
    return marketing.get("status") not in (None, change.status) and other_unix is not None and other_unix > unix


def patch(change: ConsentChange, tag: str) -> dict:
    """The merge-write: the status, this side's event, and ``metadata.{updated, tag}``."""
    return {
        "consent": {"marketing": {"status": change.status, change.side: change.event()}},
        "metadata": {"updated": Stamp.now().dump(), "tag": tag},
    }


def record(manager: Any, uid: str, change: ConsentChange, *, tag: str) -> Recorded:
    """Apply ``change`` to ``users/{uid}`` unless it is already in place (transaction)."""
    from google.cloud import firestore

    ref = manager.db.collection(COLLECTION).document(uid)

    @firestore.transactional
    def apply(transaction: Any) -> bool:
        snapshot = ref.get(transaction=transaction)
        if not snapshot.exists or already_applied(stored_marketing(snapshot.to_dict()), change):
            return False
        transaction.set(ref, patch(change, tag), merge=True)
        return True

    return Recorded(uid=uid, changed=apply(manager.db.transaction()))


def find_uid(manager: Any, email: str) -> str | None:
    """The uid of the user whose ``auth.email`` is ``email`` (lower-cased), or None."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    email = (email or "").strip().lower()
    if not email:
        return None
    query = manager.db.collection(COLLECTION).where(filter=FieldFilter("auth.email", "==", email)).limit(1)
    for snapshot in query.stream():
        return snapshot.id
    return None


def record_for_email(manager: Any, email: str, change: ConsentChange, *, tag: str) -> Recorded | None:
    """``record`` on the user with this address; None (nothing written) when no user has it."""
    uid = find_uid(manager, email)
    return record(manager, uid, change, tag=tag) if uid else None
