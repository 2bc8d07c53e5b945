"""``marketing.newsletter`` read typed (the config keeps BEM's dict, checked at start-up)."""

from __future__ import annotations

from typing import Any

from functions.config.models import Newsletter


def newsletter_config(manager: Any) -> Newsletter:
    return Newsletter.model_validate(manager.config.marketing.newsletter or {})
