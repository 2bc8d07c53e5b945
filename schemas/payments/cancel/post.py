from functions.schemas import BaseModel, Clean, Field


class Schema(BaseModel):
    confirmed: bool = False
    reason: Clean[str] | None = Field(default=None, max_length=500)
    feedback: Clean[str] | None = Field(default=None, max_length=5000)
    skip_guards: bool = Field(default=False, alias="skipGuards")
