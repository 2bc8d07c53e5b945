"""The two AI steps, through the AI library (``manager.ai``): the brand-fit filter (BEM's
``filter.js``: one call scores every source 0-10; below ``fitThreshold`` is dropped; a failed call
keeps every source) and the issue itself (BEM's ``structure.js``: the template's schema).

Provider per step: ``content.provider.{filter,structure}``, else the library's default. In
development and tests, a provider without a key falls back to ``test`` (logged), whose answer is
the stand-in (standin.py); in production a missing key is the library's ``AIConfigError``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from functions.ai.errors import AIError
from functions.marketing.generators.newsletter import prompts, schema, standin

log = logging.getLogger("bem.marketing.newsletter")

OPENAI_MODEL = "gpt-5.4-mini"  # BEM's default for both steps
FILTER_MAX_TOKENS = 8000
ISSUE_MAX_TOKENS = 6000


class FitScore(BaseModel):
    id: str
    fit: int
    reason: str


class FitScores(BaseModel):
    scores: list[FitScore]


@dataclass
class Step:
    provider: str
    model: str | None
    tokens: dict = field(default_factory=dict)
    error: str | None = None

    def dump(self) -> dict:
        return {k: v for k, v in {"provider": self.provider, "model": self.model, "tokens": self.tokens, "error": self.error}.items() if v}


def choose(manager: Any, wanted: str | None, model: str | None) -> Step:
    from functions.ai.settings import default_provider

    provider = wanted or default_provider(manager.config)
    if provider != "test" and not manager.ai.configured(provider) and manager.environment in ("development", "testing"):
        log.warning("newsletter: no %s key in %s: the test provider writes a placeholder issue", provider, manager.environment)
        provider = "test"
    if provider == "openai" and not model and not manager.config.openai.model:
        model = OPENAI_MODEL
    return Step(provider, model if provider != "test" else None)


def brand_fit(manager: Any, brand: Any, content: Any, sources: list[Any]) -> tuple[list[Any], list[dict], Step]:
    """(kept sources in their order, scores, step)."""
    step = choose(manager, content.provider.filter, content.model.filter)
    system, user = prompts.brand_fit(brand, content, sources)
    if step.provider == "test":
        user += standin.directive(standin.brand_fit(content, sources))
    try:
        result = manager.ai.request(messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                                    provider=step.provider, model=step.model, schema=FitScores, max_tokens=FILTER_MAX_TOKENS,
                                    temperature=0.2, moderate=False)
    except AIError as error:
        log.error("newsletter: brand-fit filter failed (%s); every source kept", error.message)
        step.error = error.message
        return sources, [], step
    step.tokens = _tokens(result)
    scores = [s.model_dump() for s in result.output.scores]
    fit = {s["id"]: s["fit"] for s in scores}
    kept = [s for s in sources if fit.get(s.id, -1) >= content.fit_threshold]
    log.info("newsletter: brand fit kept %d/%d source(s) (threshold %d)", len(kept), len(sources), content.fit_threshold)
    return kept, scores, step


def write_issue(manager: Any, brand: Any, content: Any, sources: list[Any]) -> tuple[dict, Step]:
    """The normalised issue (raises the library's ``AIError`` when the model fails)."""
    step = choose(manager, content.provider.structure, content.model.structure)
    system, user = prompts.issue(brand, content, sources)
    if step.provider == "test":
        user += standin.directive(standin.issue(brand, content, sources))
    result = manager.ai.request(messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                                provider=step.provider, model=step.model, schema=schema.SCHEMAS[content.template],
                                max_tokens=ISSUE_MAX_TOKENS, temperature=0.7, moderate=False)
    step.tokens = _tokens(result)
    return schema.normalise(result.output, brand.name), step


def _tokens(result: Any) -> dict:
    tokens = result.tokens
    return {"input": tokens.input.count, "output": tokens.output.count, "total": tokens.total.count, "price": tokens.total.price}
