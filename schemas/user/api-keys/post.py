import re
from typing import Annotated, Literal

from pydantic import BeforeValidator

from functions.schemas import BaseModel, Field, Uid

KeyName = Literal["clientId", "privateKey"]


def _bem_key_names(value: object) -> object:
    """BEM's matching: a string or a list; a name containing ``client`` / ``private`` (any case)."""
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list):
        return value
    out: list[object] = []
    for name in names:
        key = name
        if isinstance(name, str):
            key = "clientId" if re.search("client", name, re.I) else "privateKey" if re.search("private", name, re.I) else name
        if key not in out:
            out.append(key)
    return out


class Schema(BaseModel):
    uid: Uid | None = None
    keys: Annotated[list[KeyName], BeforeValidator(_bem_key_names), Field(min_length=1, max_length=2)] = ["clientId", "privateKey"]
