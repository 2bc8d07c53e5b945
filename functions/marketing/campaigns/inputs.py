"""Field types shared by the ``marketing/campaign`` request schemas (schemas/marketing/campaign/)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import StringConstraints

from functions.schemas import Field, Unsanitized

Name = Annotated[str, StringConstraints(max_length=500)]
Text = Annotated[str, Unsanitized, StringConstraints(max_length=500_000)]
Key = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Keys = Annotated[list[Key], Field(max_length=100)]
CampaignId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,128}$")]
SendAt = int | float | Annotated[str, StringConstraints(max_length=100)]
"""``now``, unix seconds or ISO 8601 (checked by functions/marketing/campaigns/model.py → 400 ``sendAt``)."""
Type = Literal["email", "push"]
Provider = Literal["campaigns", "newsletter", "sendgrid", "beehiiv"]  # BEM: SendGrid Marketing, Beehiiv (and their aliases)
Data = Annotated[dict[str, Any], Unsanitized]
Generator = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,49}$")]
