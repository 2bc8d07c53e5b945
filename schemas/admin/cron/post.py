from typing import Annotated

from pydantic import StringConstraints

from functions.schemas import BaseModel

JobId = Annotated[str, StringConstraints(pattern=r"^((daily|frequent)/)?[A-Za-z0-9_-]{1,100}$")]


class Schema(BaseModel):
    id: JobId
    """A job name (``reset-usage`` or ``reset_usage``), BEM's path form (``daily/reset-usage``),
    or a whole schedule (``daily``, ``frequent``)."""
