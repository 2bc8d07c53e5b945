from functions.schemas import BaseModel, Clean


class Schema(BaseModel):
    uid: Clean[str] | None = None
