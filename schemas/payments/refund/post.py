from functions.schemas import BaseModel, Clean, Field


class Schema(BaseModel):
    reason: Clean[str] = Field(min_length=1, max_length=500)
    confirmed: bool = False
    feedback: Clean[str] | None = Field(default=None, max_length=5000)
