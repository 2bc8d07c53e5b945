from functions.schemas import BaseModel, DocumentPath


class Schema(BaseModel):
    path: DocumentPath
