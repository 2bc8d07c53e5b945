"""PUT /marketing/campaign: ``id`` and the fields to change (only the fields sent are changed)."""

from functions.marketing.campaigns.inputs import CampaignId, Data, Generator, Key, Keys, Name, Provider, SendAt, Text, Type
from functions.schemas import BaseModel, Field


class Schema(BaseModel):
    id: CampaignId
    type: Type | None = None
    name: Name | None = None
    subject: Name | None = None
    preheader: Name | None = None
    template: Key | None = None
    content: Text | None = None
    data: Data | None = None
    icon: Name | None = None
    click_action: Name | None = Field(default=None, alias="clickAction")
    lists: Keys | None = None
    segments: Keys | None = None
    exclude_segments: Keys | None = Field(default=None, alias="excludeSegments")
    all: bool | None = None
    send_at: SendAt | None = Field(default=None, alias="sendAt")
    recurrence: dict | None = None
    generator: Generator | None = None
    utm: dict[str, str] | None = None
    filters: dict | None = None
    test: bool | None = None
    sender: Key | None = None
    providers: list[Provider] | None = None
    group: Name | int | None = None
    categories: Keys | None = None
