from typing import Annotated

from pydantic import StringConstraints

from functions.schemas import BaseModel


class Schema(BaseModel):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)]
