"""POST /user/feedback {rating, positive?, negative?, comments?}: store feedback, maybe ask for a review.

As BEM: a ``like``/``love`` rating with at least 50 characters of positive text and comments
prompts a review on a random site of ``config.reviews.sites`` (unless ``reviews.enabled`` is
false), at ``https://www.{site}/review/{brand domain}``. The document ``feedback/{id}`` holds
``{feedback, decision, owner (uid), metadata}``; the answer is ``{review, originalRequest}``.
"""

import random
from urllib.parse import urlparse

from functions.api import RouteOptions
from functions.timestamps import Stamp

OPTIONS = RouteOptions(require="user")
PROMPT_RATINGS = ("like", "love")
PROMPT_MIN_CHARS = 50


def review_decision(settings, config) -> dict:
    """BEM's review prompt: ``{promptReview, reviewURL}``."""
    reviews = (config.model_extra or {}).get("reviews") or {}
    sites = reviews.get("sites") or [] if isinstance(reviews, dict) else []
    enabled = reviews.get("enabled", True) if isinstance(reviews, dict) else True
    wants = settings.rating in PROMPT_RATINGS and len(settings.positive) + len(settings.comments) >= PROMPT_MIN_CHARS
    domain = urlparse(str(config.brand.url or "")).hostname
    if not (wants and enabled and sites and domain):
        return {"promptReview": False, "reviewURL": None}
    return {"promptReview": True, "reviewURL": f"https://www.{random.choice(sites)}/review/{domain}"}


def main(user, settings, db, config):
    request = {"rating": settings.rating, "positive": settings.positive, "negative": settings.negative, "comments": settings.comments}
    decision = review_decision(settings, config)
    ref = db.collection("feedback").document()
    now = Stamp.now().dump()
    ref.set(
        {
            "feedback": request,
            "decision": decision,
            "owner": user.uid,
            "metadata": {"created": now, "updated": now, "tag": "user/feedback"},
        }
    )
    return {"review": decision, "originalRequest": request, "id": ref.id}
