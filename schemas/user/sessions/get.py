from pydantic import Field

from functions.schemas import BaseModel, Clean, Uid


class Schema(BaseModel):
    uid: Uid | None = None
    id: Clean[str] | None = Field(default=None, max_length=100)
    """BEM's Realtime Database session type (``app`` by default there); this port keeps none."""
