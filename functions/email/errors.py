"""The e-mail library's typed errors.

``EmailInputError`` is a 400 naming the offending field (bad recipient, unknown template or
sender, missing subject, HTML in data): raised before anything is written or sent, so a route
that lets it propagate answers ``400 Invalid value for <field>: ...``.
"""

from __future__ import annotations

from functions.errors import ValidationError


class EmailInputError(ValidationError):
    """Invalid e-mail settings"""

    def __init__(self, field: str, problem: str):
        super().__init__(f"Invalid value for {field}: {problem}", field=field)
