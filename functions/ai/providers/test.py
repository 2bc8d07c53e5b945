"""The ``test`` provider: BEM's scripted, deterministic provider for test suites, refused in
production. The last user message carries the script; call N of a tool loop runs step N
(N = assistant turns after that message):

    [[tool:check_order {"orderNumber": "123"}]]         one tool call this step
    [[tools:[{"name": "a", "arguments": {}}, ...]]]      parallel tool calls this step
    [[reply:{"message": "done"}]]                        the final reply (JSON or text)
    [[delay:500]]                                        wait 500 ms before the next step
    [[error:boom]]                                       fail this step (AIRejected, not retried)
    [[error:429]] [[error:503]] [[error:timeout]]       fail as rate limited / unavailable / timed out (retried)

Without a script (or once it is used up) it echoes: ``Echo: <text>``, as ``{"message": ...}``
when JSON is asked for. Tokens are simulated (4 characters a token) so metering runs.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

from functions.ai.errors import AIConfigError, AIRateLimited, AIRejected, AITimeout, AIUnavailable
from functions.ai.types import Call, Reply, ToolCall

DIRECTIVE = re.compile(r"\[\[(tools|tool|reply|delay|error)(?::([\s\S]*?))?\]\](?!\])")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!~|>])")
MAX_DELAY_MS = 30_000


@dataclass
class Step:
    kind: str
    value: Any = None
    delay_ms: int = 0
    calls: list[dict[str, Any]] = field(default_factory=list)


class TestProvider:
    name = "test"

    def __init__(self, manager: Any) -> None:
        environment = getattr(manager, "environment", None)
        if environment not in ("development", "testing"):
            raise AIConfigError("The AI test provider is only available in development or testing", provider="test")

    def complete(self, call: Call) -> Reply:
        last_user = max((i for i, m in enumerate(call.messages) if m.role == "user"), default=-1)
        source = call.messages[last_user].content if last_user >= 0 else ""
        steps, clean = parse_script(source)
        index = sum(1 for m in call.messages[last_user + 1:] if m.role == "assistant")
        step = steps[index] if index < len(steps) else Step("echo")
        input_tokens = math.ceil((len(call.system) + sum(len(m.content) for m in call.messages)) / 4)
        if step.delay_ms:
            time.sleep(min(step.delay_ms, MAX_DELAY_MS) / 1000)
        if step.kind == "error":
            raise _scripted_error(str(step.value or ""))
        if step.kind == "tools":
            calls = [ToolCall(id=f"call_test_{index}_{i}", name=c["name"], arguments=dict(c.get("arguments") or {}))
                     for i, c in enumerate(step.calls)]
            return Reply("", calls, "tool_use", input_tokens, 10 * len(calls), raw={"provider": "test", "step": index})
        if step.kind == "reply":
            text = str(step.value)
        else:
            text = f"Echo: {clean or '(empty)'}"
            if call.response == "json" or call.schema is not None:
                text = json.dumps({"message": text})
        return Reply(text, [], "end", input_tokens, math.ceil(len(text) / 4), raw={"provider": "test", "step": index})

    def moderate(self, text: str, timeout: float) -> bool:
        return "[[flag]]" in text


def parse_script(raw: str) -> tuple[list[Step], str]:
    """The ordered steps in a message and the message without them (the echo text)."""
    import json5

    source = _ESCAPED.sub(r"\1", raw or "")
    steps: list[Step] = []
    pending_delay = 0
    for match in DIRECTIVE.finditer(source):
        kind, value = match.group(1), (match.group(2) or "").strip()
        if kind == "delay":
            pending_delay = int(value) if value.isdigit() else 0
            continue
        if kind == "tools":
            step = Step("tools", calls=list(json5.loads(value)))
        elif kind == "tool":
            name, _, arguments = value.partition(" ")
            step = Step("tools", calls=[{"name": name, "arguments": json5.loads(arguments) if arguments.strip() else {}}])
        else:
            step = Step(kind, value)
        step.delay_ms, pending_delay = pending_delay, 0
        steps.append(step)
    if pending_delay:
        steps.append(Step("echo", delay_ms=pending_delay))
    return steps, DIRECTIVE.sub("", source).strip()


def _scripted_error(value: str) -> Exception:
    if value == "429":
        return AIRateLimited("test: rate limited (scripted)", provider="test", retry_after=0)
    if value == "timeout":
        return AITimeout("test: timed out (scripted)", provider="test")
    if value == "503":
        return AIUnavailable("test: unavailable (scripted)", provider="test")
    return AIRejected(f"test: {value or 'scripted error'}", provider="test")


__all__ = ["TestProvider", "parse_script"]
