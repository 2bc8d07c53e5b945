from typing import Annotated

from pydantic import ConfigDict, StringConstraints
from pydantic.alias_generators import to_camel

from functions.schemas import BaseModel


class Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    return_url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$", max_length=2048)] | None = None
