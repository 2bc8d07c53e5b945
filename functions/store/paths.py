"""Field-path helpers shared by the in-memory store and the framework (dotted paths)."""

from __future__ import annotations

from typing import Any


def split_field_path(field_path: str) -> list[str]:
    r"""``a.b`` → ``[a, b]``; a backtick-quoted part (``\`a.b\`.c``) keeps its dots, as Firestore reads it."""
    if "`" not in field_path:
        return field_path.split(".")
    from google.cloud.firestore_v1.field_path import FieldPath

    return list(FieldPath.from_string(field_path).parts)


def get_path(data: Any, parts: list[str], default: Any = None) -> Any:
    current = data
    for part in parts:
        if not isinstance(current, dict) or part not in current:
            return default
        current = current[part]
    return current


def set_path(data: dict, parts: list[str], value: Any) -> None:
    current = data
    for part in parts[:-1]:
        if not isinstance(current.get(part), dict):
            current[part] = {}
        current = current[part]
    current[parts[-1]] = value


def delete_path(data: dict, parts: list[str]) -> None:
    parent = get_path(data, parts[:-1]) if len(parts) > 1 else data
    if isinstance(parent, dict):
        parent.pop(parts[-1], None)
