"""A fake OpenAI API for tests; the official SDK talks to it through ``OPENAI_BASE_URL``.

Serves ``POST /v1/responses`` (the scripted model, see ``ai_fake``), ``/v1/moderations``
(``flag_next()`` flags the next input) and ``/v1/images/generations`` (a 1×1 PNG).
Answers use the Responses API shape: ``output`` items (``message`` with ``output_text``,
``function_call``), ``usage.input_tokens/output_tokens`` (4 characters a token).
"""

from __future__ import annotations

import json
import math
import secrets
import time
from typing import Any

from functions.testing.ai_fake import AIFake, Answer, Recorded

PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


class OpenAIFake(AIFake):
    thread_name = "openai-fake"
    model_path = "/v1/responses"

    def reset(self) -> None:
        super().reset()
        self._flags = 0

    def flag_next(self, times: int = 1) -> OpenAIFake:
        with self.lock:
            self._flags += times
        return self

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def routes(self) -> dict:
        return {**super().routes(), "/v1/moderations": self._moderation, "/v1/images/generations": self._images}

    def echo_of(self, request: Recorded) -> str:
        items = (request.body or {}).get("input") or []
        if isinstance(items, str):
            return items
        texts = [i.get("content") for i in items if isinstance(i, dict) and i.get("role") == "user"]
        return str(texts[-1]) if texts else ""

    def model_body(self, request: Recorded, answer: Answer) -> dict:
        body = request.body or {}
        if answer.kind == "tools":
            output = [{"type": "function_call", "id": f"fc_{secrets.token_hex(4)}", "call_id": f"call_{secrets.token_hex(4)}",
                       "name": name, "arguments": json.dumps(arguments), "status": "completed"} for name, arguments in answer.value]
            text = ""
        else:
            text = answer.value if answer.kind == "text" else json.dumps(answer.value)
            output = [{"type": "message", "id": f"msg_{secrets.token_hex(4)}", "role": "assistant", "status": "completed",
                       "content": [{"type": "output_text", "text": text, "annotations": []}]}]
        prompt = json.dumps(body.get("input")) + str(body.get("instructions") or "")
        usage_in, usage_out = math.ceil(len(prompt) / 4), max(1, math.ceil(len(text) / 4))
        return {
            "id": f"resp_{secrets.token_hex(6)}", "object": "response", "created_at": int(time.time()), "status": "completed",
            "model": body.get("model"), "output": output, "parallel_tool_calls": True, "tool_choice": "auto", "tools": [],
            "usage": {"input_tokens": usage_in, "output_tokens": usage_out, "total_tokens": usage_in + usage_out,
                      "input_tokens_details": {"cached_tokens": 0}, "output_tokens_details": {"reasoning_tokens": 0}},
        }

    def _moderation(self, request: Recorded) -> tuple[int, Any, dict]:
        with self.lock:
            flagged = self._flags > 0
            self._flags -= 1 if flagged else 0
        result = {"flagged": flagged, "categories": {"harassment": flagged}, "category_scores": {"harassment": 0.99 if flagged else 0.0},
                  "category_applied_input_types": {"harassment": ["text"]}}
        return 200, {"id": f"modr-{secrets.token_hex(4)}", "model": (request.body or {}).get("model"), "results": [result]}, {}

    def _images(self, request: Recorded) -> tuple[int, Any, dict]:
        n = int((request.body or {}).get("n") or 1)
        data = [{"b64_json": PIXEL, "revised_prompt": (request.body or {}).get("prompt")} for _ in range(n)]
        return 200, {"created": int(time.time()), "data": data, "output_format": "png"}, {}
