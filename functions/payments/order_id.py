"""Order ids: ``XXXX-XXXX-XXXX``, 12 decimal digits (BEM's format).

``new_order_id()`` is cryptographically random (``secrets``); ``derived_order_id(seed)`` is
deterministic, for resources created outside an intent (Dashboard, Payment Links) so every
event of one resource lands on the same order.
"""

from __future__ import annotations

import hashlib
import re
import secrets

ORDER_ID_PATTERN = re.compile(r"^\d{4}-\d{4}-\d{4}$")


def _format(digits: str) -> str:
    return f"{digits[0:4]}-{digits[4:8]}-{digits[8:12]}"


def new_order_id() -> str:
    return _format(f"{secrets.randbelow(10**12):012d}")


def derived_order_id(seed: str) -> str:
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") % 10**12
    return _format(f"{number:012d}")


def is_order_id(value: object) -> bool:
    return isinstance(value, str) and bool(ORDER_ID_PATTERN.match(value))
