"""POST payments/dispute-alert?provider=chargeblast&key=…: a Chargeblast dispute alert (BEM's fields).

Nothing is refused here, so a request without the right ``?key=`` is answered 401 before its body
is judged (BEM). The provider's normaliser (functions/payments/disputes/chargeblast.py) then answers
400 naming the field: ``id``/``alertId``, ``card``, ``amount``, ``transactionDate``.
"""

from typing import Any

from pydantic import ConfigDict
from pydantic.alias_generators import to_camel

from functions.schemas import BaseModel, Field


class Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    id: Any = Field(default=None, description="The alert id (alert.updated); required unless alertId is given.")
    alert_id: Any = Field(default=None, description="The alert id (alert.created).")
    card: Any = Field(default=None, description="Card number, masked or not, or its last 4 digits. Required.")
    card_brand: Any = Field(default=None, description="Visa, Mastercard, …")
    amount: Any = Field(default=None, description="Disputed amount in currency units (29.99). Required.")
    transaction_date: Any = Field(default=None, description="YYYY-MM-DD, optionally followed by a time. Required.")
    processor: Any = Field(default=None, description="The payment processor; stripe when absent.")
    alert_type: Any = None
    customer_email: Any = None
    external_order: Any = Field(default=None, description="The processor's charge id (ch_…).")
    metadata: Any = Field(default=None, description="The payment intent id (pi_…).")
    external_url: Any = None
    reason_code: Any = None
    subprovider: Any = None
    is_refunded: Any = None
