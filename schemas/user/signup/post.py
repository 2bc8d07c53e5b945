"""POST user/signup: BEM's body (``uid``, ``attribution``, ``context``, ``consent``) plus the legacy ``affiliateCode``."""

from typing import Annotated, Any

from pydantic import ConfigDict, StrictBool

from functions.schemas import BaseModel, Clean, Field

TagValue = str | int | float | bool | None
Text = Annotated[Clean[str], Field(max_length=2048)]


class AttributionEntry(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: Annotated[Clean[str], Field(max_length=100)] | None = None
    tags: Annotated[dict[str, TagValue], Field(max_length=50)] = {}
    timestamp: Annotated[Clean[str], Field(max_length=64)] | None = None
    url: Text | None = None
    page: Text | None = None


class Attribution(BaseModel):
    affiliate: AttributionEntry | None = None
    utm: AttributionEntry | None = None


class ConsentChoice(BaseModel):
    """Only ``granted: true`` grants (BEM's strict check); anything but a boolean is a 400."""

    granted: StrictBool | None = None
    text: Text | None = None


class Consent(BaseModel):
    legal: ConsentChoice | None = None
    marketing: ConsentChoice | None = None


class Schema(BaseModel):
    uid: Clean[str] | None = None
    attribution: Attribution = Attribution()
    context: Annotated[dict[str, Any], Field(max_length=50)] = {}
    """Client-side facts (``geolocation``, ``client``, ...) merged into ``activity``."""
    affiliate_code: Annotated[Clean[str], Field(max_length=100)] | None = Field(default=None, alias="affiliateCode")
    consent: Consent = Consent()
