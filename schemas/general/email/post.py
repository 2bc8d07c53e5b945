from typing import Annotated

from pydantic import StringConstraints

from functions.schemas import BaseModel, Clean, Field

EmailId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*(?:[:/][a-z0-9][a-z0-9_-]*)*$", max_length=100)]


class Schema(BaseModel):
    id: EmailId
    """A template id, e.g. ``general:download-app-link`` (``:`` or ``/`` between folders)."""
    email: Annotated[str, Field(max_length=254)]
    name: Clean[str] = Field(default="", max_length=100)
