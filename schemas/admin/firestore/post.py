from typing import Annotated

from functions.schemas import BaseModel, DocumentPath, Unsanitized


class Schema(BaseModel):
    path: DocumentPath
    document: Annotated[dict, Unsanitized]
    merge: bool = True
