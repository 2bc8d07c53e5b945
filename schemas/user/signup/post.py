from typing import Annotated

from pydantic import ConfigDict

from functions.schemas import BaseModel, Clean, Field, Uid

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
    granted: bool = False
    text: Text | None = None


class Consent(BaseModel):
    legal: ConsentChoice | None = None
    marketing: ConsentChoice | None = None


class Schema(BaseModel):
    uid: Uid | None = None
    attribution: Attribution = Attribution()
    affiliate_code: Annotated[Clean[str], Field(max_length=100)] | None = Field(default=None, alias="affiliateCode")
    consent: Consent = Consent()
