from typing import Annotated, Any

from pydantic import Field

from functions.schemas import BaseModel, Clamp, Unsanitized


class Schema(BaseModel):
    status: int = 200
    response: Annotated[dict[str, Any] | str, Unsanitized] = Field(default_factory=dict)
    delay: Annotated[int, Clamp(0, 10_000)] = 0  # milliseconds; capped so a request cannot hold a worker long
