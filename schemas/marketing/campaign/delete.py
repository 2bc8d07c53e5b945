"""DELETE /marketing/campaign {id}: only a pending campaign can be deleted."""

from functions.marketing.campaigns.inputs import CampaignId
from functions.schemas import BaseModel


class Schema(BaseModel):
    id: CampaignId
