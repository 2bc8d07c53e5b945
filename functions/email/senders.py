"""Sender kinds (BEM's ``SENDERS``): from-address and display name per kind, unsubscribe group.

The address is ``{localPart}@{domain of brand.contact.email}``; the SendGrid unsubscribe (ASM)
group comes from ``config.email.groups[kind]`` (BEM hard-codes its own account's ids; a project
configures its own). ``group`` may be a kind name or a number and wins over the sender's group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from functions.email.errors import EmailInputError
from functions.email.recipients import Address, valid_email


@dataclass(frozen=True)
class SenderKind:
    local_part: str
    display_name: str  # "{brand}" is replaced by brand.name


SENDERS: dict[str, SenderKind] = {
    "orders": SenderKind("orders", "{brand} Orders"),       # receipts, payment failed/recovered, cancellations, refunds
    "hello": SenderKind("hello", "{brand}"),                # onboarding: welcome, check-up, feedback
    "account": SenderKind("account", "{brand} Account"),    # account actions: deletion, data requests
    "marketing": SenderKind("offers", "{brand}"),           # promotions, discounts, app download link
    "security": SenderKind("security", "{brand} Security"),  # password reset, 2FA
    "newsletter": SenderKind("newsletter", "{brand}"),      # newsletters, announcements
    "internal": SenderKind("alerts", "{brand} Alerts"),     # alerts to the brand itself
}
DEFAULT_GROUP_KIND = "account"


@dataclass(frozen=True)
class Sender:
    address: Address
    group: int | None


def resolve(config: Any, *, sender: str | None, from_: Any, group: Any) -> Sender:
    brand = config.brand
    contact = brand.contact.email
    if not valid_email(contact):
        raise EmailInputError("brand.contact.email", "backend-manager-config.json needs the brand's contact e-mail")
    if sender is not None and sender not in SENDERS:
        raise EmailInputError("sender", f"unknown sender '{sender}' (known: {', '.join(SENDERS)})")
    kind = SENDERS.get(sender or "")
    if from_:
        address = _explicit_from(from_)
    elif kind:
        domain = contact.split("@", 1)[1]
        address = Address(f"{kind.local_part}@{domain}", kind.display_name.replace("{brand}", brand.name))
    else:
        address = Address(contact, brand.name)
    return Sender(address=address, group=_group(config, group, sender))


def _explicit_from(value: Any) -> Address:
    if isinstance(value, str) and valid_email(value):
        return Address(value)
    if isinstance(value, dict) and valid_email(value.get("email")):
        name = value.get("name")
        return Address(value["email"], name if isinstance(name, str) and name else None)
    raise EmailInputError("from", "not an e-mail address or {email, name}")


def _group(config: Any, group: Any, sender: str | None) -> int | None:
    groups = config.email.groups
    if group is not None and group != "":
        if isinstance(group, bool):
            raise EmailInputError("group", "not a group name or id")
        if isinstance(group, int):
            return group
        if isinstance(group, str) and group.isdigit():
            return int(group)
        if isinstance(group, str) and group in groups:
            return groups[group]
        raise EmailInputError("group", f"unknown group '{group}' (configure email.groups)")
    return groups.get(sender or DEFAULT_GROUP_KIND, groups.get(DEFAULT_GROUP_KIND))
