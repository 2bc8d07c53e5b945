"""The ``test`` provider (BEM's scripted directives), metering on the caller's meter, and a
project route that asks for ``ai``: answers, refusals before the call, 502/504 mapping."""

from __future__ import annotations

import time

import pytest
from pydantic import BaseModel

from functions.ai import AIConfigError, AIInvalidOutput, AIRateLimited, AIRejected, AITimeout
from functions.ai.providers.test import parse_script
from functions.config import parse_config
from functions.errors import Forbidden, TooManyRequests
from functions.usage import Usage


class Answer(BaseModel):
    message: str


class Score(BaseModel):
    score: float


def test_echo_without_a_script(ai, ai_config):
    ai_config(ai={"systemRules": []})
    result = ai.request(message="Hello there", provider="test")

    assert (result.content, result.stop_reason, result.provider) == ("Echo: Hello there", "end", "test")
    assert result.tokens.input.count == 3 and result.tokens.total.price == 0


def test_echo_as_json_when_json_is_asked(ai):
    result = ai.request(message="Hi", provider="test", schema=Answer)

    assert result.output == Answer(message="Echo: Hi")


def test_scripted_tool_loop_then_reply(ai):
    script = 'Check it [[tool:check_order {"orderNumber": "123"}]] [[reply:{"message": "shipped"}]]'
    history = [{"role": "user", "content": script}]

    first = ai.request(history, provider="test", response="json")
    assert first.stop_reason == "tool_use"
    assert [c.to_dict() for c in first.tool_calls] == [{"id": "call_test_0_0", "name": "check_order", "arguments": {"orderNumber": "123"}}]
    history += [{"role": "assistant", "tool_calls": first.tool_calls}, {"role": "tool", "tool_call_id": "call_test_0_0", "content": "ok"}]
    second = ai.request(history, provider="test", response="json")

    assert second.output == {"message": "shipped"} and second.stop_reason == "end"


def test_parallel_tools_json5_and_markdown_escaped_directives():
    steps, clean = parse_script(r"Go \[\[tools:[{name: 'a', arguments: {}}, {name: 'b', arguments: {x: 1}}]\]\] now")

    assert clean == "Go  now"
    assert steps[0].kind == "tools" and [c["name"] for c in steps[0].calls] == ["a", "b"] and steps[0].calls[1]["arguments"] == {"x": 1}


def test_delay_directive_waits_before_the_step(ai):
    started = time.monotonic()
    result = ai.request(message="[[delay:300]][[reply:late]]", provider="test")

    assert result.content == "late" and time.monotonic() - started >= 0.3


@pytest.mark.parametrize(("directive", "error", "status"), [
    ("[[error:boom]]", AIRejected, 502), ("[[error:429]]", AIRateLimited, 503), ("[[error:timeout]]", AITimeout, 504),
])
def test_error_directives_raise_typed_errors(ai, directive, error, status):
    with pytest.raises(error) as raised:
        ai.request(message=directive, provider="test", retries=1)

    assert raised.value.status == status


def test_a_scripted_reply_off_schema_is_repaired_then_an_invalid_output_error(ai):
    repaired = ai.request(message='[[reply:{"nope": 1}]]', provider="test", schema=Answer)
    assert repaired.attempts == 2 and repaired.output.message.startswith("Echo: Your previous reply did not match")

    with pytest.raises(AIInvalidOutput) as error:
        ai.request(message='[[reply:{"nope": 1}]]', provider="test", schema=Score)
    assert "score: Field required" in error.value.message


def test_refused_in_production(manager, ai):
    manager.environment = "production"

    with pytest.raises(AIConfigError) as error:
        ai.request(message="hi", provider="test")

    assert "only available in development or testing" in error.value.message
    assert ai.configured("test") is False


def test_default_provider_env_wins_over_config(ai, ai_config, monkeypatch):
    ai_config(ai={"provider": "anthropic"})
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("BACKEND_MANAGER_ANTHROPIC_API_KEY", raising=False)
    assert ai.configured() is False

    monkeypatch.setenv("BEM_AI_PROVIDER", "test")

    assert ai.configured() is True and ai.request(message="x").provider == "test"


# metering ---------------------------------------------------------------------------------------
def _limit(manager, **limits):
    raw = manager.config.model_dump(by_alias=True, exclude_none=True)
    basic = next(p for p in raw["payment"]["products"] if p["id"] == "basic")
    basic["limits"].update(limits)
    manager.config = parse_config(raw)


def _stored(firestore, uid, metric):
    return (firestore.get(f"users/{uid}") or {}).get("usage", {}).get(metric, {}).get("monthly", 0)


def test_request_metric_counts_requests_and_refuses_before_calling(manager, ai, accounts, firestore):
    _limit(manager, **{"ai-requests": 2})
    uid = accounts["basic"].uid

    for _ in range(2):
        ai.request(message="hi", provider="test", usage=Usage.for_user(manager, uid), metric="ai-requests")
    with pytest.raises(TooManyRequests):
        ai.request(message="hi", provider="test", usage=Usage.for_user(manager, uid), metric="ai-requests")

    assert _stored(firestore, uid, "ai-requests") == 2
    assert ai.requests == 2  # the refused one never reached the provider


def test_a_failed_call_gives_the_charge_back(manager, ai, accounts, firestore):
    _limit(manager, **{"ai-requests": 5})
    uid = accounts["basic"].uid

    with pytest.raises(AIRejected):
        ai.request(message="[[error:boom]]", provider="test", usage=Usage.for_user(manager, uid), metric="ai-requests")

    assert _stored(firestore, uid, "ai-requests") == 0


def test_token_metric_charges_the_tokens_used(manager, ai, accounts, firestore):
    _limit(manager, **{"ai-tokens": 100_000})
    uid = accounts["basic"].uid

    result = ai.request(message="Summarise this please", provider="test", max_tokens=500,
                        usage=Usage.for_user(manager, uid), metric="ai-tokens")

    assert _stored(firestore, uid, "ai-tokens") == result.tokens.total.count > 0


def test_a_failed_request_keeps_the_tokens_its_calls_spent(manager, ai, accounts, firestore):
    _limit(manager, **{"ai-tokens": 100_000})
    uid = accounts["basic"].uid

    with pytest.raises(AIInvalidOutput):
        ai.request(message='[[reply:{"nope": 1}]]', provider="test", schema=Score, usage=Usage.for_user(manager, uid), metric="ai-tokens")

    spent = ai.tokens.total.count
    assert spent > 0 and ai.requests == 0
    assert _stored(firestore, uid, "ai-tokens") == spent  # two model calls were made and are charged


def test_token_metric_refuses_when_the_estimate_does_not_fit(manager, ai, accounts, firestore):
    _limit(manager, **{"ai-tokens": 100})
    uid = accounts["basic"].uid

    with pytest.raises(TooManyRequests):
        ai.request(message="hi", provider="test", max_tokens=500, usage=Usage.for_user(manager, uid), metric="ai-tokens")

    assert _stored(firestore, uid, "ai-tokens") == 0 and ai.requests == 0


def test_a_metric_the_plan_lacks_is_forbidden(manager, ai, accounts):
    with pytest.raises(Forbidden):
        ai.request(message="hi", provider="test", usage=Usage.for_user(manager, accounts["basic"].uid), metric="ai-images")


def test_running_totals_add_up_across_threads(ai):
    from functions.testing.concurrency import all_at_once

    results = all_at_once(20, lambda: ai.request(message="count me", provider="test").tokens.total.count)

    assert ai.requests == 20 and ai.tokens.total.count == sum(results)


# a project route asking for ``ai`` ------------------------------------------------------------------
ROUTE = '''
def main(ai, settings):
    result = ai.request(message=settings["text"], provider="test")
    return {"content": result.content, "tokens": result.tokens.total.count}
'''


@pytest.fixture
def project(tmp_path, manager, bem_root):
    from functions.testing import unit
    from functions.testing.firestore_helper import FirestoreHelper

    route = tmp_path / "routes" / "ai-demo" / "summary"
    route.mkdir(parents=True)
    (route / "post.py").write_text(ROUTE)
    own = unit.make_manager(bem_root, routes=[tmp_path / "routes"])
    raw = own.config.model_dump(by_alias=True, exclude_none=True)
    raw["ai"] = {"metric": "ai-requests"}
    next(p for p in raw["payment"]["products"] if p["id"] == "basic")["limits"]["ai-requests"] = 2
    own.config = parse_config(raw)
    own.ai.backoff = 0.01
    helper = FirestoreHelper(own.db)
    accounts = unit.seed_accounts(helper, manager=own)
    return unit.unit_client(own, accounts).as_("basic"), helper, accounts["basic"].uid


def test_route_gets_ai_charged_to_the_caller(project):
    client, firestore, uid = project

    first = client.post("ai-demo/summary", {"text": "hello"})
    second = client.post("ai-demo/summary", {"text": "[[reply:short]]"})
    third = client.post("ai-demo/summary", {"text": "hello"})

    assert (first.status, first.json["content"]) == (200, "Echo: hello")
    assert (second.status, second.json["content"]) == (200, "short")
    assert third.status == 429
    assert first.properties["usage"]["current"]["ai-requests"]["monthly"] == 1
    assert _stored(firestore, uid, "ai-requests") == 2


@pytest.mark.parametrize(("text", "status", "message"), [
    ("[[error:timeout]]", 504, "test: timed out"), ("[[error:boom]]", 502, "test: boom"),
])
def test_route_turns_ai_errors_into_gateway_statuses(project, text, status, message):
    client, firestore, uid = project

    response = client.post("ai-demo/summary", {"text": text})

    assert response.status == status and message in response.error
    assert _stored(firestore, uid, "ai-requests") == 0


def test_manager_ai_is_built_once_under_concurrent_first_use(manager):
    from functions.testing.concurrency import all_at_once

    assert "ai" not in manager.__dict__
    assert len(set(all_at_once(16, lambda: id(manager.ai)))) == 1
