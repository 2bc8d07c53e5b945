from functions.schemas import BaseModel, Uid


class Schema(BaseModel):
    uid: Uid
