"""JSON replies: the schema sent to the provider, parsing the reply, validating it.

A schema is a pydantic model class or a JSON-schema dict. Either is sent in OpenAI's strict
form (every object closed with ``additionalProperties: false`` and all its properties
required; optional fields stay nullable), and the reply is validated against the original:
``Model.model_validate`` for a model, ``jsonschema`` for a dict.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

_FENCE = re.compile(r"^\s*```[a-zA-Z0-9]*\s*\n?(.*?)\n?\s*```\s*$", re.DOTALL)


class OutputError(ValueError):
    """The reply is not JSON, or not JSON matching the schema (the message says where)."""


@dataclass(frozen=True)
class Schema:
    source: Any
    json_schema: dict[str, Any]
    name: str

    @classmethod
    def of(cls, schema: Any) -> Schema | None:
        if schema is None:
            return None
        if isinstance(schema, dict):
            name = str(schema.get("title") or "response")
            return cls(schema, strict(schema), _safe_name(name))
        if isinstance(schema, type) and hasattr(schema, "model_json_schema"):
            return cls(schema, strict(schema.model_json_schema()), _safe_name(schema.__name__))
        raise TypeError(f"schema must be a pydantic model class or a JSON-schema dict, not {type(schema).__name__}")

    def validate(self, value: Any) -> Any:
        """The validated output: a model instance for a model schema, else the value itself."""
        if isinstance(self.source, dict):
            import jsonschema

            try:
                jsonschema.validate(value, self.source)
            except jsonschema.ValidationError as error:
                where = "/".join(str(p) for p in error.absolute_path) or "(root)"
                raise OutputError(f"{where}: {error.message}") from None
            return value
        from pydantic import ValidationError

        try:
            return self.source.model_validate(value)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in error.errors()[:5])
            raise OutputError(problems) from None


def parse_json(text: str) -> Any:
    """The JSON in a reply: code fences stripped, then JSON, then JSON5 (BEM parses JSON5)."""
    body = (text or "").strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1).strip()
    try:
        return json.loads(body)
    except ValueError:
        pass
    import json5

    try:
        return json5.loads(body)
    except ValueError as error:
        raise OutputError(f"the reply is not JSON ({error})") from None


def strict(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` in OpenAI's strict form (closed objects, all properties required)."""
    result = copy.deepcopy(schema)
    _close(result)
    return result


def _close(node: Any) -> None:
    if not isinstance(node, dict):
        return
    node.pop("default", None)
    if node.get("type") == "object" or "properties" in node:
        node["additionalProperties"] = False
        node["required"] = list(node.setdefault("properties", {}))
    for key, value in node.items():
        if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
            for child in value.values():
                _close(child)
        elif key in ("items", "not", "contains"):
            _close(value)
        elif key in ("anyOf", "oneOf", "allOf", "prefixItems") and isinstance(value, list):
            for child in value:
                _close(child)


def _safe_name(name: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]", "_", name)[:64] or "response"
