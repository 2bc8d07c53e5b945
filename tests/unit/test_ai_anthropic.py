"""The AI library against a fake Anthropic API, through the real anthropic SDK: text, a schema
as a forced tool, a two-step tool loop, 429/529 retries, timeouts, key errors."""

from __future__ import annotations

import time

import pytest
from pydantic import BaseModel

from functions.ai import AIConfigError, AIInvalidOutput, AITimeout


class Contact(BaseModel):
    firstName: str  # noqa: N815
    company: str


def test_text_reply_with_system_prompt_and_prices(ai, anthropic_fake):
    anthropic_fake.reply_text("Bonjour.")

    result = ai.request(system="Answer in French.", message="Hello", provider="anthropic", temperature=0.3, reasoning="low")

    assert (result.content, result.stop_reason, result.model) == ("Bonjour.", "end", "claude-sonnet-4-6")
    [call] = anthropic_fake.requests  # no moderation endpoint for Anthropic
    assert call.path == "/v1/messages" and call.headers["Authorization"] == "Bearer sk-ant-test-fake"
    assert call.body["system"].startswith("In your response, DO NOT USE EM DASHES.\n")  # BEM's rules come first
    assert call.body["system"].endswith("\n\nAnswer in French.") and call.body["messages"] == [{"role": "user", "content": "Hello"}]
    assert call.body["max_tokens"] == 2048 and "temperature" not in call.body  # anthropic 2.x takes none
    assert call.body["output_config"] == {"effort": "low"}
    assert result.tokens.input.price == pytest.approx(result.tokens.input.count * 3 / 1e6)
    assert result.tokens.output.price == pytest.approx(result.tokens.output.count * 15 / 1e6)


def test_schema_is_a_forced_tool_and_its_input_is_the_output(ai, anthropic_fake):
    anthropic_fake.reply_json({"firstName": "Ada", "company": "Analytical"})

    result = ai.request(message="ada@analytical.io", schema=Contact, provider="anthropic")

    assert result.output == Contact(firstName="Ada", company="Analytical") and result.stop_reason == "end"
    body = anthropic_fake.model_calls[0].body
    assert body["tool_choice"] == {"type": "tool", "name": "structured_output"}
    assert body["tools"][0]["input_schema"]["required"] == ["firstName", "company"]


def test_schema_with_other_tools_goes_into_the_system_prompt(ai, anthropic_fake):
    anthropic_fake.reply_text('```json\n{"firstName": "Ada", "company": ""}\n```')
    tools = [{"name": "lookup", "description": "Look up", "parameters": {"type": "object", "properties": {}}}]

    result = ai.request(message="who?", schema=Contact, tools=tools, provider="anthropic")

    assert result.output.firstName == "Ada"
    body = anthropic_fake.model_calls[0].body
    assert "tool_choice" not in body and [t["name"] for t in body["tools"]] == ["lookup"]
    assert "JSON matching this schema" in body["system"]


def test_a_reply_off_schema_twice_is_an_invalid_output_error(ai, anthropic_fake):
    anthropic_fake.reply_json({"firstName": 1}).reply_json({"company": "x"})

    with pytest.raises(AIInvalidOutput):
        ai.request(message="who?", schema=Contact, provider="anthropic")

    repair = anthropic_fake.model_calls[1].body["messages"]
    assert [m["role"] for m in repair] == ["user", "assistant", "user"] and "firstName" in repair[2]["content"]


def test_two_step_tool_loop(ai, anthropic_fake):
    tools = [{"name": "check_order", "description": "Order status",
              "parameters": {"type": "object", "properties": {"orderNumber": {"type": "string"}}}}]
    anthropic_fake.reply_tool_calls(("check_order", {"orderNumber": "123"})).reply_text("Order 123 has shipped.")
    history = [{"role": "user", "content": "Where is order 123?"}]

    first = ai.request(history, tools=tools, provider="anthropic")
    assert first.stop_reason == "tool_use"
    [call] = first.tool_calls
    history += [{"role": "assistant", "toolCalls": [call.to_dict()]}, {"role": "tool", "toolCallId": call.id, "content": "shipped"}]
    second = ai.request(history, tools=tools, provider="anthropic")

    assert second.content == "Order 123 has shipped." and second.stop_reason == "end"
    sent = anthropic_fake.model_calls[1].body
    assert sent["tools"] == [{"name": "check_order", "description": "Order status", "input_schema": tools[0]["parameters"]}]
    assert sent["messages"][1] == {"role": "assistant", "content": [{"type": "tool_use", "id": call.id, "name": "check_order",
                                                                       "input": {"orderNumber": "123"}}]}
    assert sent["messages"][2] == {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "shipped"}]}


def test_429_then_overloaded_then_success(ai, anthropic_fake):
    anthropic_fake.fail(429, retry_after=1).fail(529).reply_text("done")

    started = time.monotonic()
    result = ai.request(message="hi", provider="anthropic", retries=2)

    assert result.content == "done" and len(anthropic_fake.model_calls) == 3
    assert time.monotonic() - started >= 1.0


def test_a_slow_answer_times_out_after_the_retries(ai, anthropic_fake):
    anthropic_fake.reply_text("late", delay=1.0).reply_text("late", delay=1.0)

    with pytest.raises(AITimeout) as error:
        ai.request(message="hi", provider="anthropic", timeout=0.25, retries=1)

    assert error.value.status == 504 and "anthropic" in error.value.message
    assert len(anthropic_fake.model_calls) == 2


def test_a_refused_key_is_a_config_error_without_the_key(ai, anthropic_fake):
    anthropic_fake.fail(401, message="invalid x-api-key sk-ant-test-fake")

    with pytest.raises(AIConfigError) as error:
        ai.request(message="hi", provider="anthropic")

    assert "refused the API key" in error.value.message and "sk-ant" not in error.value.message


def test_tool_choice_mapping_and_hosted_tools_refused(ai, anthropic_fake):
    tools = [{"name": "lookup", "parameters": {"type": "object", "properties": {}}}]
    anthropic_fake.reply_text("a").reply_text("b")

    ai.request(message="go", tools={"list": tools, "choice": "required"}, provider="anthropic")
    ai.request(message="go", tools={"list": tools, "choice": {"name": "lookup"}}, provider="anthropic")
    with pytest.raises(AIConfigError) as error:
        ai.request(message="go", tools=[{"type": "web_search"}], provider="anthropic")

    assert [c.body["tool_choice"] for c in anthropic_fake.model_calls] == [{"type": "any"}, {"type": "tool", "name": "lookup"}]
    assert "OpenAI only" in error.value.message and len(anthropic_fake.model_calls) == 2
