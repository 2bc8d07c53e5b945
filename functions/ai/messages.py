"""Normalise what callers pass (BEM's shapes included) into a system prompt and unified turns.

Accepted: ``messages=[{"role", "content" | "path", "tool_calls"/"toolCalls", "tool_call_id"/"toolCallId"}]``
(``system`` turns become the system prompt), BEM's legacy ``prompt={"content" | "path"}`` (system) and
``message={"content" | "path"}`` (the last user turn), plain strings for either, or ``Message`` objects.
Tools: ``[{"name", "description", "parameters"}]``, hosted tools (``{"type": "web_search"}``), or BEM's
``{"list": [...], "choice": ...}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from functions.ai.errors import AIConfigError
from functions.ai.types import Message, Tool, ToolCall


def text_of(value: Any) -> str:
    """A string from a content value: a string, a ``{"content"|"path"}`` dict, or content parts."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if value.get("path"):
            paths = value["path"] if isinstance(value["path"], list) else [value["path"]]
            return "\n".join(_read(p) for p in paths).strip()
        return text_of(value.get("content"))
    if isinstance(value, list):
        return "\n".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in value)
    return str(value)


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise AIConfigError(f"Cannot read prompt file {path}: {error.strerror}") from None


def normalise(messages: Any, system: Any = None, prompt: Any = None, message: Any = None) -> tuple[str, list[Message]]:
    systems = [text_of(system), text_of(prompt)]
    turns: list[Message] = []
    for item in messages or []:
        if isinstance(item, Message):
            turns.append(item)
            continue
        if not isinstance(item, dict):
            raise TypeError(f"a message must be a dict or Message, not {type(item).__name__}")
        role = item.get("role", "user")
        if role in ("system", "developer"):
            systems.append(text_of(item))
            continue
        if role not in ("user", "assistant", "tool"):
            raise AIConfigError(f"Unknown message role '{role}' (user, assistant, tool, system)")
        calls = item.get("tool_calls") or item.get("toolCalls") or []
        turns.append(Message(
            role=role, content=text_of(item),
            tool_calls=tuple(c if isinstance(c, ToolCall) else ToolCall(str(c["id"]), str(c["name"]), dict(c.get("arguments") or {}))
                             for c in calls),
            tool_call_id=item.get("tool_call_id") or item.get("toolCallId"),
        ))
    if message is not None:
        turns.append(Message("user", text_of(message)))
    if not turns:
        raise AIConfigError("An AI request needs at least one user message")
    return "\n\n".join(s for s in systems if s).strip(), turns


def tools_of(tools: Any) -> tuple[tuple[Tool, ...], Any]:
    """(tools, tool_choice) from a list or BEM's ``{"list", "choice"}``."""
    choice = None
    if isinstance(tools, dict):
        tools, choice = tools.get("list") or [], tools.get("choice")
    out = []
    for tool in tools or []:
        if isinstance(tool, Tool):
            out.append(tool)
        elif isinstance(tool, dict) and tool.get("type") not in (None, "function"):
            out.append(Tool(name=str(tool.get("name") or tool["type"]), hosted=dict(tool)))
        elif isinstance(tool, dict) and tool.get("name"):
            parameters = tool.get("parameters") or tool.get("input_schema") or {"type": "object", "properties": {}}
            out.append(Tool(name=str(tool["name"]), description=str(tool.get("description") or ""), parameters=parameters))
        else:
            raise AIConfigError("A tool needs a name (or a hosted tool type)")
    return tuple(out), choice


def size_of(system: str, turns: list[Message]) -> int:
    return len(system) + sum(len(m.content) + sum(len(str(c.arguments)) for c in m.tool_calls) for m in turns)


def last_user_text(turns: list[Message]) -> str:
    return next((m.content for m in reversed(turns) if m.role == "user"), "")
