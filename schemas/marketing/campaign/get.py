"""GET /marketing/campaign: one campaign by ``id``, or a list filtered by ``status``, ``type``, ``start``/``end`` (sendAt)."""

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator

from functions.marketing.campaigns.inputs import CampaignId
from functions.schemas import BaseModel, Clamp, Field


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value  # BEM's defaults are empty strings


Blankable = BeforeValidator(_blank_is_none)


class Schema(BaseModel):
    id: Annotated[CampaignId | None, Blankable] = None
    start: Annotated[Annotated[int, Field(ge=0)] | None, Blankable] = None
    end: Annotated[Annotated[int, Field(ge=0)] | None, Blankable] = None
    status: Annotated[Literal["pending", "processing", "sent", "failed"] | None, Blankable] = None
    type: Annotated[Literal["email", "push"] | None, Blankable] = None
    limit: Annotated[int, Clamp(1, 1000)] = 100
