"""The shapes that cross the library: messages in, a typed result out, and the one call a
provider receives (``Call``) and answers (``Reply``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

StopReason = Literal["end", "tool_use", "max_tokens"]


@dataclass(frozen=True)
class ToolCall:
    """A tool the model asked for: ``arguments`` is already parsed JSON."""

    id: str
    name: str
    arguments: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "arguments": self.arguments}


@dataclass(frozen=True)
class Message:
    """One turn. ``role`` is user/assistant/tool (system prompts travel separately)."""

    role: Literal["user", "assistant", "tool"]
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None


@dataclass(frozen=True)
class Tool:
    """A function the model may call (``parameters`` is a JSON schema), or a provider-hosted
    tool such as ``{"type": "web_search"}`` (``hosted``)."""

    name: str = ""
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})
    hosted: dict[str, Any] | None = None


@dataclass
class Count:
    count: int = 0
    price: float = 0.0


@dataclass
class Tokens:
    """Token counts and their price in USD (BEM's ``tokens{input,output,total}{count,price}``)."""

    input: Count = field(default_factory=Count)
    output: Count = field(default_factory=Count)
    total: Count = field(default_factory=Count)

    def add(self, other: Tokens) -> None:
        for part in ("input", "output", "total"):
            mine, theirs = getattr(self, part), getattr(other, part)
            mine.count += theirs.count
            mine.price = round(mine.price + theirs.price, 10)

    def to_dict(self) -> dict[str, dict[str, float]]:
        return {part: {"count": c.count, "price": c.price} for part, c in (("input", self.input), ("output", self.output), ("total", self.total))}


@dataclass
class AIResult:
    """What ``ai.request`` returns.

    ``content`` is the reply text; ``output`` the parsed JSON (a pydantic model instance when
    ``schema`` was a model, else a dict/list), ``None`` for text replies and tool calls."""

    content: str
    output: Any
    tool_calls: list[ToolCall]
    stop_reason: StopReason
    tokens: Tokens
    provider: str
    model: str
    attempts: int = 1
    raw: Any = None


@dataclass
class ImageResult:
    """One generated image (BEM's ``image()`` answer)."""

    b64: str
    mime: str
    model: str
    size: str
    quality: str | None = None
    revised_prompt: str | None = None
    raw: Any = None

    @property
    def buffer(self) -> bytes:
        import base64

        return base64.b64decode(self.b64)


@dataclass(frozen=True)
class Call:
    """Everything a provider needs for one model call, already normalised and checked."""

    model: str
    system: str
    messages: tuple[Message, ...]
    max_tokens: int
    timeout: float
    response: Literal["text", "json"] = "text"
    schema: dict[str, Any] | None = None
    schema_name: str = "response"
    tools: tuple[Tool, ...] = ()
    tool_choice: Any = None
    temperature: float | None = None
    reasoning: dict[str, Any] | None = None


@dataclass
class Reply:
    """A provider's answer to one ``Call``."""

    text: str
    tool_calls: list[ToolCall]
    stop_reason: StopReason
    input_tokens: int
    output_tokens: int
    raw: Any = None
