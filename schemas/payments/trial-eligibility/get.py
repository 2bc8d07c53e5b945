from pydantic import ConfigDict
from pydantic.alias_generators import to_camel

from functions.schemas import BaseModel, ProductId


class Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    product_id: ProductId | None = None
