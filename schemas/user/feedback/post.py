from typing import Annotated, Literal

from functions.schemas import BaseModel, Clean, Field

Long = Annotated[Clean[str], Field(max_length=5000)]


class Schema(BaseModel):
    rating: Literal["hate", "dislike", "neutral", "like", "love"]
    text: Long = ""
    comments: Long = ""  # BEM's name for ``text``
    like: Long = ""
    dislike: Long = ""
