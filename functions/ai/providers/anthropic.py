"""Anthropic through the official SDK (Messages API). A JSON schema is sent as a tool the
model must call (its input is the answer); with other tools in play it goes into the system
prompt instead and the text reply is parsed. Retries are the library's (``max_retries=0``)."""

from __future__ import annotations

import json
from typing import Any

from functions.ai.errors import AIConfigError
from functions.ai.providers.errors import translate
from functions.ai.settings import base_url
from functions.ai.types import Call, Message, Reply, ToolCall

SCHEMA_TOOL = "structured_output"


class AnthropicProvider:
    name = "anthropic"

    def __init__(self, key: str) -> None:
        import anthropic

        self._sdk = anthropic
        self.client = anthropic.Anthropic(api_key=key, base_url=base_url("anthropic"), max_retries=0)

    def complete(self, call: Call) -> Reply:
        system = call.system
        hosted = [t.name for t in call.tools if t.hosted is not None]
        if hosted:
            raise AIConfigError(f"Hosted tools are OpenAI only, not for anthropic: {', '.join(hosted)}", provider=self.name)
        tools = [{"name": t.name, "description": t.description, "input_schema": t.parameters} for t in call.tools]
        params: dict[str, Any] = {"model": call.model, "max_tokens": call.max_tokens, "messages": _messages(call.messages),
                                  "timeout": call.timeout}
        forced = call.schema is not None and not tools
        if forced:
            tools = [{"name": SCHEMA_TOOL, "description": "Give the answer, as the required JSON object.", "input_schema": call.schema}]
            params["tool_choice"] = {"type": "tool", "name": SCHEMA_TOOL}
        elif call.schema is not None or call.response == "json":
            hint = f"JSON matching this schema:\n{json.dumps(call.schema)}" if call.schema is not None else "a JSON object"
            system = f"{system}\n\nReply with only {hint}".strip()
        if tools:
            params["tools"] = tools
            if call.tool_choice is not None and not forced:
                params["tool_choice"] = _choice(call.tool_choice)
        if system:
            params["system"] = system
        if call.temperature is not None:
            params["extra_body"] = {"temperature": call.temperature}  # a project's price row may allow it
        if call.reasoning and call.reasoning.get("effort"):
            params["output_config"] = {"effort": call.reasoning["effort"]}
        try:
            message = self.client.messages.create(**params)
        except self._sdk.AnthropicError as error:
            raise translate(error, self.name, self._sdk) from None
        return _reply(message, forced)


def _choice(choice: Any) -> Any:
    """BEM's ``"auto" | "required" | "none" | {"name": ...}`` in the Messages API's terms."""
    if isinstance(choice, str):
        return {"type": {"required": "any"}.get(choice, choice)}
    if isinstance(choice, dict) and choice.get("name") and "type" not in choice:
        return {"type": "tool", "name": choice["name"]}
    return choice


def _messages(messages: tuple[Message, ...]) -> list[dict[str, Any]]:
    """Unified turns as Messages API turns; consecutive tool results share one user turn."""
    out: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "tool":
            block = {"type": "tool_result", "tool_use_id": m.tool_call_id, "content": m.content}
            if out and out[-1]["role"] == "user" and isinstance(out[-1]["content"], list):
                out[-1]["content"].append(block)
            else:
                out.append({"role": "user", "content": [block]})
        elif m.tool_calls:
            blocks: list[dict[str, Any]] = [{"type": "text", "text": m.content}] if m.content else []
            blocks += [{"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments} for c in m.tool_calls]
            out.append({"role": "assistant", "content": blocks})
        else:
            out.append({"role": m.role, "content": m.content})
    return out


def _reply(message: Any, forced: bool) -> Reply:
    texts, calls = [], []
    for block in message.content or []:
        if block.type == "text":
            texts.append(block.text)
        elif block.type == "tool_use":
            if forced and block.name == SCHEMA_TOOL:
                texts.append(json.dumps(block.input))
            else:
                calls.append(ToolCall(id=block.id, name=block.name, arguments=dict(block.input or {})))
    stop = {"tool_use": "tool_use", "max_tokens": "max_tokens"}.get(message.stop_reason or "", "end")
    if stop == "tool_use" and not calls:
        stop = "end"
    usage = message.usage
    return Reply(text="".join(texts), tool_calls=calls, stop_reason=stop,
                 input_tokens=getattr(usage, "input_tokens", 0) or 0, output_tokens=getattr(usage, "output_tokens", 0) or 0,
                 raw=message)
