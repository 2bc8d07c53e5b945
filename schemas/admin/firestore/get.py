from typing import Annotated

from pydantic import StringConstraints

from functions.schemas import BaseModel

DocumentPath = Annotated[str, StringConstraints(pattern=r"^[^/]+/[^/]+(/[^/]+/[^/]+)*$", max_length=1500)]


class Schema(BaseModel):
    path: DocumentPath
