"""Build a new user document (the one shape on-create and lazy provisioning both write)."""

from __future__ import annotations

import secrets
import uuid

from functions.timestamps import Stamp
from functions.user.models import AuthInfo, Metadata, Name, Personal, UserDoc


def new_api_keys() -> dict:
    return {"clientId": str(uuid.uuid4()), "privateKey": secrets.token_urlsafe(32)}


def new_affiliate_code() -> str:
    return secrets.token_urlsafe(6)[:8]


def split_display_name(display_name: str | None) -> tuple[str | None, str | None]:
    parts = (display_name or "").split()
    if not parts:
        return None, None
    return parts[0], (" ".join(parts[1:]) or None)


def new_user_doc(uid: str, email: str | None = None, *, display_name: str | None = None, created: Stamp | None = None) -> UserDoc:
    first, last = split_display_name(display_name)
    created = created or Stamp.now()
    return UserDoc(
        auth=AuthInfo(uid=uid, email=email),
        affiliate={"code": new_affiliate_code(), "referrals": []},
        metadata=Metadata(created=created, updated=created),
        api=new_api_keys(),
        personal=Personal(name=Name(first=first, last=last)),
    )
