from typing import Annotated

from pydantic import Field

from functions.schemas import BaseModel

HttpUrl = Annotated[str, Field(pattern=r"^https?://", max_length=2000)]


class Schema(BaseModel):
    url: HttpUrl = "https://itwcreativeworks.com"
