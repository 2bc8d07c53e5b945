"""POST /admin/email: BEM's settings for ``manager.email.send`` (the library validates the rest).

Recipients accept an e-mail, a uid, ``{email, name}`` or a list of them. ``data`` and ``html``
keep their HTML on the way in so the library can refuse HTML in ``data`` with a 400 naming the
field (``html`` is raw HTML by design: admin only).
"""

from typing import Annotated, Any

from functions.schemas import BaseModel, Field, Unsanitized

Recipients = str | dict[str, Any] | list[str | dict[str, Any]] | None


class Schema(BaseModel):
    to: Recipients = None
    cc: Recipients = None
    bcc: Recipients = None
    from_: dict[str, Any] | str | None = Field(default=None, alias="from")
    reply_to: str | None = Field(default=None, alias="replyTo")
    sender: str | None = None
    subject: str | None = None
    template: str | None = None
    group: int | str | None = None
    send_at: int | float | str | None = Field(default=None, alias="sendAt")
    data: Annotated[dict[str, Any], Unsanitized] = {}
    categories: list[str] | str = []
    copy_: bool | None = Field(default=None, alias="copy")
    html: Annotated[str | None, Unsanitized] = None
    utm: dict[str, str] | None = None
    idempotency_key: str | None = Field(default=None, max_length=500, alias="idempotencyKey")
