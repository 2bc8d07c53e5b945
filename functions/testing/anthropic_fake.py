"""A fake Anthropic API for tests; the official SDK talks to it through ``ANTHROPIC_BASE_URL``.

Serves ``POST /v1/messages`` (the scripted model, see ``ai_fake``). A JSON answer is given
the way the library asks for it: as the input of the forced ``tool_choice`` tool when the
request forces one, else as text. Errors use Anthropic's ``{"type": "error", "error": {...}}``.
"""

from __future__ import annotations

import json
import math
import secrets
from typing import Any

from functions.testing.ai_fake import AIFake, Answer, Recorded


class AnthropicFake(AIFake):
    thread_name = "anthropic-fake"
    model_path = "/v1/messages"

    @property
    def base_url(self) -> str:
        return self.url

    def echo_of(self, request: Recorded) -> str:
        turns = [m for m in (request.body or {}).get("messages") or [] if m.get("role") == "user" and isinstance(m.get("content"), str)]
        return turns[-1]["content"] if turns else ""

    def error_body(self, status: int, message: str) -> dict:
        kind = {429: "rate_limit_error", 529: "overloaded_error"}.get(status, "api_error" if status >= 500 else "invalid_request_error")
        return {"type": "error", "error": {"type": kind, "message": message}}

    def model_body(self, request: Recorded, answer: Answer) -> dict:
        body = request.body or {}
        forced = (body.get("tool_choice") or {}).get("name") if (body.get("tool_choice") or {}).get("type") == "tool" else None
        stop = "end_turn"
        if answer.kind == "tools":
            content: list[dict[str, Any]] = [{"type": "tool_use", "id": f"toolu_{secrets.token_hex(6)}", "name": name, "input": arguments}
                                             for name, arguments in answer.value]
            stop = "tool_use"
        elif answer.kind == "json" and forced:
            content = [{"type": "tool_use", "id": f"toolu_{secrets.token_hex(6)}", "name": forced, "input": answer.value}]
            stop = "tool_use"
        else:
            text = answer.value if answer.kind == "text" else json.dumps(answer.value)
            content = [{"type": "text", "text": text}]
        size = len(json.dumps(body.get("messages"))) + len(str(body.get("system") or ""))
        return {
            "id": f"msg_{secrets.token_hex(6)}", "type": "message", "role": "assistant", "model": body.get("model"),
            "content": content, "stop_reason": stop, "stop_sequence": None,
            "usage": {"input_tokens": math.ceil(size / 4), "output_tokens": max(1, math.ceil(len(json.dumps(content)) / 4))},
        }
