"""Recipients: ``to``/``cc``/``bcc`` as BEM accepts them, normalised to ``Address`` lists.

Accepted (alone or in a list): an e-mail string, a uid string (looked up in ``users/{uid}``),
a user document (``{auth: {email}, personal: {name: {first}}}``) or ``{email, name}``.
Anything else is an ``EmailInputError`` naming the field; an unknown uid or a user without an
e-mail is an error too (BEM skips them silently; a message to nobody is a bug worth seeing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from functions.email.errors import EmailInputError

EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
UID_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


@dataclass(frozen=True)
class Address:
    email: str
    name: str | None = None
    user: dict | None = field(default=None, compare=False, repr=False)

    def dump(self) -> dict:
        return {"email": self.email, **({"name": self.name} if self.name else {})}


def valid_email(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 254 and bool(EMAIL_RE.match(value))


def _from_user(doc: dict, where: str) -> Address:
    email = (doc.get("auth") or {}).get("email")
    if not valid_email(email):
        raise EmailInputError(where, "the user has no e-mail address")
    first = ((doc.get("personal") or {}).get("name") or {}).get("first")
    return Address(email=email, name=first if isinstance(first, str) and first else None, user=doc)


def parse(value: Any, field_name: str, users: Any) -> list[Address]:
    """Normalise one recipient field; ``users(uid) -> dict | None`` reads a user document."""
    if value is None or value == "" or value == []:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    found: list[Address] = []
    for index, item in enumerate(items):
        where = f"{field_name}[{index}]" if isinstance(value, (list, tuple)) else field_name
        if isinstance(item, str):
            item = item.strip()
            if "@" in item:
                if not valid_email(item):
                    raise EmailInputError(where, f"'{item}' is not an e-mail address")
                found.append(Address(email=item))
            elif UID_RE.match(item):
                doc = users(item)
                if not doc:
                    raise EmailInputError(where, f"no user '{item}'")
                found.append(_from_user(doc, where))
            else:
                raise EmailInputError(where, "not an e-mail address, uid or user")
        elif isinstance(item, dict) and isinstance(item.get("auth"), dict):
            found.append(_from_user(item, where))
        elif isinstance(item, dict) and "email" in item:
            if not valid_email(item.get("email")):
                raise EmailInputError(f"{where}.email", f"'{item.get('email')}' is not an e-mail address")
            name = item.get("name")
            found.append(Address(email=item["email"], name=name if isinstance(name, str) and name else None))
        else:
            raise EmailInputError(where, "not an e-mail address, uid or user")
    return found


def deduplicate(to: list[Address], cc: list[Address], bcc: list[Address]) -> tuple[list[Address], list[Address], list[Address]]:
    """Each address once, in the first list it appears in (to, then cc, then bcc), as BEM does."""
    seen: set[str] = set()
    result: list[list[Address]] = []
    for group in (to, cc, bcc):
        kept = []
        for address in group:
            key = address.email.lower()
            if key not in seen:
                seen.add(key)
                kept.append(address)
        result.append(kept)
    return result[0], result[1], result[2]
