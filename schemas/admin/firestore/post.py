from typing import Annotated

from pydantic import Field, StringConstraints

from functions.schemas import BaseModel, Unsanitized

DocumentPath = Annotated[str, StringConstraints(pattern=r"^[^/]+/[^/]+(/[^/]+/[^/]+)*$", max_length=1500)]


class Schema(BaseModel):
    path: DocumentPath
    document: Annotated[dict, Unsanitized] = {}
    merge: bool = True
    metadata_tag: str = Field(default="admin/firestore", alias="metadataTag", max_length=200)
