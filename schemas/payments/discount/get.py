from functions.schemas import BaseModel, Clean, Field


class Schema(BaseModel):
    code: Clean[str] = Field(min_length=1, max_length=40)
