"""POST /user/feedback body, as BEM takes it: ``rating`` (free string), ``positive``, ``negative``,
``comments``. The port's earlier names are still read: ``like`` → ``positive``, ``dislike`` →
``negative``, ``text`` → ``comments`` (BEM's own tests send ``like``/``dislike``).
"""

from typing import Annotated

from pydantic import model_validator

from functions.schemas import BaseModel, Clean, Field

Long = Annotated[Clean[str], Field(max_length=5000)]
OLD_NAMES = {"like": "positive", "dislike": "negative", "text": "comments"}


class Schema(BaseModel):
    rating: Annotated[Clean[str], Field(min_length=1, max_length=100)]
    positive: Long = ""
    negative: Long = ""
    comments: Long = ""
    like: Long = ""  # the earlier names, read into BEM's
    dislike: Long = ""
    text: Long = ""

    @model_validator(mode="after")
    def _old_names(self):
        for old, new in OLD_NAMES.items():
            if getattr(self, old) and not getattr(self, new):
                setattr(self, new, getattr(self, old))
        return self
