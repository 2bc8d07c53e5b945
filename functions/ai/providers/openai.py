"""OpenAI through the official SDK: the Responses API (strict JSON-schema output, function
tools), the moderation endpoint and image generation. Retries are the library's
(``max_retries=0`` here) so every provider backs off the same way."""

from __future__ import annotations

import json
from typing import Any

from functions.ai import prices
from functions.ai.providers.errors import translate
from functions.ai.settings import base_url
from functions.ai.types import Call, ImageResult, Message, Reply, ToolCall


class OpenAIProvider:
    name = "openai"

    def __init__(self, key: str) -> None:
        import openai

        self._sdk = openai
        self.client = openai.OpenAI(api_key=key, base_url=base_url("openai"), max_retries=0)

    # text / JSON / tools -----------------------------------------------------------
    def complete(self, call: Call) -> Reply:
        params: dict[str, Any] = {
            "model": call.model, "input": [item for m in call.messages for item in _items(m)],
            "max_output_tokens": call.max_tokens, "store": False, "timeout": call.timeout,
        }
        if call.system:
            params["instructions"] = call.system
        if call.temperature is not None:
            params["temperature"] = call.temperature
        if call.reasoning:
            params["reasoning"] = call.reasoning
        if call.schema is not None:
            params["text"] = {"format": {"type": "json_schema", "name": call.schema_name, "schema": call.schema, "strict": True}}
        elif call.response == "json":
            params["text"] = {"format": {"type": "json_object"}}
        if call.tools:
            params["tools"] = [_tool(t) for t in call.tools]
            if call.tool_choice is not None:
                params["tool_choice"] = _choice(call.tool_choice)
        try:
            response = self.client.responses.create(**params)
        except self._sdk.OpenAIError as error:
            raise translate(error, self.name, self._sdk) from None
        return _reply(response)

    # moderation ----------------------------------------------------------------------
    def moderate(self, text: str, timeout: float) -> bool:
        """Whether the moderation endpoint flags ``text``."""
        try:
            result = self.client.moderations.create(model=prices.MODERATION_MODEL, input=text, timeout=timeout)
        except self._sdk.OpenAIError as error:
            raise translate(error, self.name, self._sdk) from None
        return any(r.flagged for r in result.results)

    # images --------------------------------------------------------------------------
    def image(self, prompt: str, *, model: str, size: str, quality: str | None, background: str | None,
              n: int, timeout: float) -> list[ImageResult]:
        params: dict[str, Any] = {"model": model, "prompt": prompt, "size": size, "n": n, "timeout": timeout}
        if quality:
            params["quality"] = quality
        if background:
            params["background"] = background
        try:
            result = self.client.images.generate(**params)
        except self._sdk.OpenAIError as error:
            raise translate(error, self.name, self._sdk) from None
        mime = f"image/{getattr(result, 'output_format', None) or 'png'}"
        return [ImageResult(b64=d.b64_json or "", mime=mime, model=model, size=size, quality=quality,
                            revised_prompt=d.revised_prompt, raw=d) for d in result.data or []]


def _items(message: Message) -> list[dict[str, Any]]:
    """One unified message as Responses API input items."""
    if message.role == "tool":
        return [{"type": "function_call_output", "call_id": message.tool_call_id, "output": message.content}]
    items: list[dict[str, Any]] = []
    if message.content or not message.tool_calls:
        items.append({"role": message.role, "content": message.content})
    items += [{"type": "function_call", "call_id": c.id, "name": c.name, "arguments": json.dumps(c.arguments)}
              for c in message.tool_calls]
    return items


def _tool(tool: Any) -> dict[str, Any]:
    if tool.hosted is not None:
        return dict(tool.hosted)
    return {"type": "function", "name": tool.name, "description": tool.description, "parameters": tool.parameters, "strict": False}


def _choice(choice: Any) -> Any:
    """BEM's ``"auto" | "required" | "none" | {"name": ...}`` in the Responses API's terms."""
    if isinstance(choice, dict) and choice.get("name") and "type" not in choice:
        return {"type": "function", "name": choice["name"]}
    return choice


def _reply(response: Any) -> Reply:
    calls = []
    for item in response.output or []:
        if getattr(item, "type", None) == "function_call":
            try:
                arguments = json.loads(item.arguments or "{}")
            except ValueError:
                arguments = {"_raw": item.arguments}
            calls.append(ToolCall(id=item.call_id, name=item.name, arguments=arguments))
    incomplete = getattr(response, "incomplete_details", None)
    if calls:
        stop = "tool_use"
    elif response.status == "incomplete" and getattr(incomplete, "reason", None) == "max_output_tokens":
        stop = "max_tokens"
    else:
        stop = "end"
    usage = response.usage
    return Reply(
        text=response.output_text, tool_calls=calls, stop_reason=stop,
        input_tokens=getattr(usage, "input_tokens", 0) or 0, output_tokens=getattr(usage, "output_tokens", 0) or 0,
        raw=response,
    )
