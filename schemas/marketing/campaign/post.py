"""POST /marketing/campaign (BEM's schema; ``content``, ``generator``, ``icon``, ``clickAction`` added)."""

from functions.marketing.campaigns.inputs import CampaignId, Data, Generator, Key, Keys, Name, Provider, SendAt, Text, Type
from functions.schemas import BaseModel, Field


class Schema(BaseModel):
    # identity
    id: CampaignId | None = None
    type: Type = "email"
    # content
    name: Name
    subject: Name
    preheader: Name = ""
    template: Key = "card"
    content: Text = ""
    data: Data = {}
    icon: Name = ""
    click_action: Name = Field(default="", alias="clickAction")
    # targeting
    lists: Keys = []
    segments: Keys = []
    exclude_segments: Keys = Field(default=[], alias="excludeSegments")
    all: bool = False
    # scheduling
    send_at: SendAt = Field(default="", alias="sendAt")
    recurrence: dict | None = None
    """``{pattern: daily|weekly|monthly|monthly-weekday|quarterly|yearly, hour, minute, day, nth, month}``"""
    generator: Generator | None = None
    utm: dict[str, str] = {}
    recurring_id: Name = Field(default="", alias="recurringId")
    filters: dict = {}
    """Push targeting ``{tags, owner, token, limit}``."""
    # config
    test: bool = False
    sender: Key = "marketing"
    providers: list[Provider] = []
    group: Name | int = ""
    categories: Keys = []
