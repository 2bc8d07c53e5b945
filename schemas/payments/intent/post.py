"""POST payments/intent: what a client sends to open a checkout (BEM's camelCase keys).

``processor`` is required as in BEM (a missing one is a 400 naming it, never a default checkout).
``trial`` defaults to false as in BEM: only an explicit ``trial: true`` asks for the trial.
``verification['g-recaptcha-response']`` carries the reCAPTCHA token (checked when
``RECAPTCHA_SECRET_KEY`` is set, see functions/payments/recaptcha.py).
"""

from typing import Annotated

from pydantic import ConfigDict, StringConstraints
from pydantic.alias_generators import to_camel

from functions.schemas import BaseModel, Clean, Field, ProductId

ReturnUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$", max_length=2048)]


class Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    processor: Clean[str] = Field(min_length=1, max_length=40)  # required, as in BEM (no default processor)
    product_id: ProductId
    frequency: Clean[str] | None = Field(default=None, max_length=20)
    trial: bool = False
    discount: Clean[str] | None = Field(default=None, max_length=40)
    confirmation_url: ReturnUrl | None = None
    cancel_url: ReturnUrl | None = None
    attribution: dict = {}
    supplemental: dict = {}
    verification: dict = {}
