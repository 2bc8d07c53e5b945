import re
from typing import Annotated

from pydantic import AfterValidator

from functions.schemas import BaseModel, Clamp, Uid

TAG = re.compile(r"<[^>]*>")


class Schema(BaseModel):
    uid: Uid | None = None
    reason: Annotated[str, AfterValidator(lambda v: TAG.sub("", v).strip()), Clamp(hi=500)] = ""
    """Why the account is closed (BEM: tags stripped, at most 500 characters); logged, and
    handed to the confirmation e-mail."""
