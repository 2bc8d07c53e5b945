"""The request body/query of GET hello: a bad value gets a 400 naming the field."""

from functions.schemas import BaseModel, Clean, Field


class Schema(BaseModel):
    name: Clean[str] = Field(default="world", max_length=50)
