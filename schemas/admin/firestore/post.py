from typing import Annotated

from pydantic import Field

from functions.schemas import BaseModel, DocumentPath, Unsanitized


class Schema(BaseModel):
    path: DocumentPath
    document: Annotated[dict, Unsanitized] = {}
    merge: bool = True
    metadata_tag: str = Field(default="admin/firestore", alias="metadataTag", max_length=200)
