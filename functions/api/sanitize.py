"""Trim strings and strip HTML, recursively (BEM's ``utilities.sanitize`` and trim)."""

from __future__ import annotations

from typing import Any


def trim_value(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {k: trim_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [trim_value(v) for v in value]
    return value


def strip_html(text: str) -> str:
    """Remove every tag (script/style with their content). Text without '<' is untouched."""
    if "<" not in text:
        return text
    import nh3

    cleaned = nh3.clean(text, tags=set(), clean_content_tags={"script", "style"}, attributes={})
    return cleaned.replace("&amp;", "&").replace("&quot;", '"').replace("&#39;", "'")


def sanitize_value(value: Any) -> Any:
    if isinstance(value, str):
        return strip_html(value)
    if isinstance(value, dict):
        return {k: sanitize_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [sanitize_value(v) for v in value]
    return value
