"""POST /user/feedback {rating, text?, like?, dislike?}: store feedback in ``feedback/{id}``."""

import uuid

from functions.api import RouteOptions
from functions.timestamps import Stamp

OPTIONS = RouteOptions(require="user")


def main(user, settings, db):
    feedback_id = uuid.uuid4().hex
    now = Stamp.now().dump()
    db.collection("feedback").document(feedback_id).set(
        {
            "id": feedback_id,
            "owner": {"uid": user.uid},
            "rating": settings.rating,
            "text": settings.text or settings.comments,
            "like": settings.like,
            "dislike": settings.dislike,
            "created": now,
            "metadata": {"created": now, "updated": now},
        }
    )
    return {"id": feedback_id}
