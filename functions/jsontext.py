"""JSON text that may be JSON5: plain JSON goes through the fast C parser, JSON5 falls back to json5."""

from __future__ import annotations

import json
from typing import Any


def loads_tolerant(text: str) -> Any:
    """Parse JSON, else JSON5 (comments, trailing commas, unquoted keys). Raises ValueError."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    import json5

    return json5.loads(text)
