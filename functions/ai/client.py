"""``AI``: one call shape for every provider (``manager.ai``; docs/ai.md).

``request`` resolves provider/key/model (errors before any network call), charges the
caller's meter, moderates (OpenAI, on by default as in BEM), calls the provider with
retries (backoff on 429/5xx/timeouts, honouring ``retry-after``), validates a JSON reply
against the schema (one repair attempt with the validation error, then ``AIInvalidOutput``),
prices the tokens and adds them to this instance's running totals.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
import time
from typing import Any, Literal

from functions.ai import messages as msgs
from functions.ai import prices, settings
from functions.ai.errors import AIError, AIInvalidOutput, AIPromptTooLarge, AIRefused
from functions.ai.metering import Charge
from functions.ai.structured import OutputError, Schema, parse_json
from functions.ai.types import AIResult, Call, Count, ImageResult, Message, Reply, Tokens

log = logging.getLogger("bem.ai")

DEFAULT_MAX_TOKENS = {"openai": 1024, "anthropic": 2048, "test": 1024}
REPAIR = "Your previous reply did not match the required JSON format ({problem}). Reply again with only the corrected JSON."


class AI:
    """Thread-safe: providers are built once per (provider, key) under a lock, totals are locked."""

    def __init__(self, manager: Any, *, backoff: float = 0.5, max_wait: float = 30.0) -> None:
        self.manager = manager
        self.backoff, self.max_wait = backoff, max_wait
        self.tokens = Tokens()
        self.requests = 0
        self._lock = threading.Lock()
        self._providers: dict[tuple[str, str], Any] = {}

    @property
    def config(self) -> Any:
        return self.manager.config

    # public -------------------------------------------------------------------------------
    def configured(self, provider: str | None = None) -> bool:
        """Whether ``provider`` (default: the configured one) could be called: known, with a key,
        and for ``test`` not in production."""
        name = provider or settings.default_provider(self.config)
        if name not in settings.PROVIDERS:
            return False
        if name == "test":
            return self.manager.environment in ("development", "testing")
        return settings.find_key(name, self.config) is not None

    def for_caller(self, usage: Any, metric: str | None = None) -> BoundAI:
        """This AI with the caller's meter as the default ``usage`` (what route handlers get as ``ai``)."""
        return BoundAI(self, usage, metric if metric is not None else self.config.ai.metric)

    def request(
        self, messages: list[Any] | None = None, *, provider: str | None = None, model: str | None = None,
        api_key: str | None = None, system: Any = None, prompt: Any = None, message: Any = None,
        response: Literal["text", "json"] | None = None, schema: Any = None, tools: Any = None,
        max_tokens: int | None = None, temperature: float | None = None, timeout: float | None = None,
        moderate: bool | None = None, reasoning: Any = None, retries: int | None = None,
        usage: Any = None, metric: str | None = None,
    ) -> AIResult:
        """One model answer (text, JSON validated against ``schema``, or tool calls). See docs/ai.md."""
        name = settings.check_provider(provider or settings.default_provider(self.config))
        key = settings.require_key(name, self.config, api_key)
        model, row = settings.model_row(name, self.config, model)
        system_text, turns = msgs.normalise(messages, system, prompt, message)
        system_text = "\n\n".join(part for part in ("\n".join(self.config.ai.system_rules), system_text) if part)
        size = msgs.size_of(system_text, turns)
        if size > self.config.ai.max_prompt_chars:
            raise AIPromptTooLarge(f"The prompt has {size} characters; the limit is {self.config.ai.max_prompt_chars} (config ai.maxPromptChars)")
        shape = Schema.of(schema)
        tool_list, tool_choice = msgs.tools_of(tools)
        call = Call(
            model=model, system=system_text, messages=tuple(turns),
            max_tokens=max_tokens or DEFAULT_MAX_TOKENS[name], timeout=float(timeout or self.config.ai.timeout),
            response="json" if shape is not None else (response or "text"),
            schema=shape.json_schema if shape else None, schema_name=shape.name if shape else "response",
            tools=tool_list, tool_choice=tool_choice,
            temperature=temperature if row.get("temperature", True) else None,
            reasoning=({"effort": reasoning} if isinstance(reasoning, str) else reasoning) if row.get("reasoning") else None,
        )
        client = self._provider(name, key)
        charge = Charge.of(usage, metric)
        attempts = self.config.ai.retries if retries is None else retries
        budget = Budget(call.timeout, self.config.ai.deadline)
        if charge:
            charge.reserve(size, call.max_tokens)
        tokens = Tokens()
        try:
            if moderate if moderate is not None else name == "openai":
                self._moderate(client, msgs.last_user_text(turns), attempts, budget)
            reply = self._with_retries(lambda t: client.complete(dataclasses.replace(call, timeout=t)), attempts, budget)
            self._count(tokens, row, reply)
            output, reply, tries = self._validated(client, call, shape, reply, tokens, row, attempts, budget)
        except BaseException:
            if charge:
                charge.settle(tokens.total.count, failed=True)
            self._total(tokens, succeeded=False)
            raise
        if charge:
            charge.settle(tokens.total.count)
        self._total(tokens, succeeded=True)
        return AIResult(content=reply.text, output=output, tool_calls=reply.tool_calls, stop_reason=reply.stop_reason,
                        tokens=tokens, provider=name, model=model, attempts=tries, raw=reply.raw)

    def image(self, prompt: str, *, model: str | None = None, size: str = "1024x1024", quality: str | None = "medium",
              background: str | None = None, n: int = 1, api_key: str | None = None, timeout: float | None = None,
              retries: int | None = None, moderate: bool = False) -> list[ImageResult]:
        """OpenAI image generation (default ``gpt-image-2``, BEM's defaults): one ``ImageResult`` per image.
        Generation is slow (≈ 40 s), so the call may take the whole ``ai.deadline``; not moderated unless asked (BEM)."""
        key = settings.require_key("openai", self.config, api_key)
        chosen = model or self.config.openai.image_model or prices.DEFAULT_IMAGE_MODEL
        client = self._provider("openai", key)
        attempts = self.config.ai.retries if retries is None else retries
        budget = Budget(float(timeout or self.config.ai.deadline), self.config.ai.deadline)
        if moderate:
            self._moderate(client, prompt, attempts, budget)
        return self._with_retries(lambda t: client.image(prompt, model=chosen, size=size, quality=quality,
                                                         background=background, n=n, timeout=t), attempts, budget)

    # internals ------------------------------------------------------------------------------
    def _provider(self, name: str, key: str) -> Any:
        with self._lock:
            client = self._providers.get((name, key))
            if client is None:
                from functions.ai.providers import build

                client = self._providers[(name, key)] = build(name, key, self.manager)
            return client

    def _moderate(self, client: Any, text: str, attempts: int, budget: Budget) -> None:
        if not text or not hasattr(client, "moderate"):
            return
        try:
            flagged = self._with_retries(lambda t: client.moderate(text, t), attempts, budget)
        except AIError as error:  # BEM goes on when moderation itself fails
            log.warning("ai: moderation failed, request not moderated: %s", error.message)
            return
        if flagged:
            raise AIRefused("This request is inappropriate", provider=getattr(client, "name", None))

    def _with_retries(self, action: Any, attempts: int, budget: Budget) -> Any:
        """``action(timeout)`` with up to ``attempts`` retries of retryable errors, each waiting what the
        provider asked (``retry-after``) or a jittered exponential backoff, all within ``budget``."""
        from tenacity import Retrying, retry_if_exception, stop_after_attempt, stop_any

        def pause(state: Any) -> float:
            error = state.outcome.exception()
            if getattr(error, "retry_after", None) is not None:
                return float(error.retry_after)
            return min(self.backoff * 2 ** (state.attempt_number - 1), self.max_wait) * (1 - 0.25 * random.random())

        def out_of_time(state: Any) -> bool:
            wanted = pause(state)
            return wanted > self.max_wait or wanted >= budget.left()

        retrying = Retrying(stop=stop_any(stop_after_attempt(attempts + 1), out_of_time), wait=pause, reraise=True,
                            retry=retry_if_exception(lambda e: isinstance(e, AIError) and e.retryable))
        return retrying(lambda: action(budget.per_attempt()))

    def _validated(self, client: Any, call: Call, shape: Schema | None, reply: Reply, tokens: Tokens,
                   row: dict, attempts: int, budget: Budget) -> tuple[Any, Reply, int]:
        """(output, final reply, model calls made): a JSON reply parsed and checked; one repair attempt."""
        if call.response != "json" or reply.tool_calls:
            return None, reply, 1
        problem = ""
        for tries in (1, 2):
            try:
                value = parse_json(reply.text)
                return (shape.validate(value) if shape else value), reply, tries
            except OutputError as error:
                problem = str(error)
            if tries == 2:
                break
            repair = dataclasses.replace(call, messages=(*call.messages, Message("assistant", reply.text),
                                                         Message("user", REPAIR.format(problem=problem))))
            reply = self._with_retries(lambda t, c=repair: client.complete(dataclasses.replace(c, timeout=t)), attempts, budget)
            self._count(tokens, row, reply)
        raise AIInvalidOutput(f"The AI reply did not match the expected format: {problem}"[:500], provider=getattr(client, "name", None))

    def _total(self, tokens: Tokens, succeeded: bool) -> None:
        """Running totals: tokens of every call made (a failed request may have spent some), successful requests."""
        with self._lock:
            self.tokens.add(tokens)
            self.requests += 1 if succeeded else 0

    @staticmethod
    def _count(tokens: Tokens, row: dict, reply: Reply) -> None:
        input_price, output_price = prices.cost(row, reply.input_tokens, reply.output_tokens)
        step = Tokens(input=Count(reply.input_tokens, input_price), output=Count(reply.output_tokens, output_price),
                      total=Count(reply.input_tokens + reply.output_tokens, round(input_price + output_price, 10)))
        tokens.add(step)


class Budget:
    """The time one request may take: each provider call gets ``timeout`` seconds, all of them
    together (retries and waits included) at most ``deadline`` (config ``ai.deadline``)."""

    def __init__(self, timeout: float, deadline: float) -> None:
        self.timeout = timeout
        self.ends = time.monotonic() + deadline

    def left(self) -> float:
        return self.ends - time.monotonic()

    def per_attempt(self) -> float:
        return max(min(self.timeout, self.left()), 0.001)


class BoundAI:
    """``AI`` with a default meter and metric (the ``ai`` a route handler receives)."""

    def __init__(self, ai: AI, usage: Any, metric: str | None) -> None:
        self.ai, self.usage, self.metric = ai, usage, metric

    def request(self, *args: Any, **options: Any) -> AIResult:
        options.setdefault("usage", self.usage)
        options.setdefault("metric", self.metric)
        return self.ai.request(*args, **options)

    def image(self, prompt: str, **options: Any) -> list[ImageResult]:
        return self.ai.image(prompt, **options)

    def configured(self, provider: str | None = None) -> bool:
        return self.ai.configured(provider)

    @property
    def tokens(self) -> Tokens:
        return self.ai.tokens
