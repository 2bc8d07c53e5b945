"""The unified shapes every processor converts into.

- subscriptions: ``functions.user.models.Subscription`` (``users/{uid}.subscription``);
- one-time purchases: ``OneTimeOrder`` (``payments-orders/{orderId}.unified``).
Each processor's ``to_unified_*`` builds them (in its folder: ``processors/{name}/unify.py``).
"""

from __future__ import annotations

from typing import Literal

from functions.timestamps import Stamp
from functions.user.models import DocModel, ProductRef, UpdatedBy

OneTimeStatus = Literal["pending", "completed", "failed", "refunded"]


class OneTimePayment(DocModel):
    processor: str | None = None
    order_id: str | None = None
    resource_id: str | None = None
    price: float = 0
    currency: str | None = None
    date: Stamp = Stamp()
    updated_by: UpdatedBy = UpdatedBy()


class OneTimeOrder(DocModel):
    """A one-time purchase (``type: one-time`` product), unified across processors."""

    product: ProductRef = ProductRef()
    status: OneTimeStatus = "pending"
    payment: OneTimePayment = OneTimePayment()
