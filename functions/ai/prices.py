"""Default models and prices (USD per 1M tokens) per provider, from BEM's provider tables.

A project overrides or adds rows with ``openai.prices`` / ``anthropic.prices`` in its config;
a model that is in neither table is refused before any call, so every call can be priced.
``temperature: False`` marks models that reject the parameter (it is then not sent);
``reasoning: True`` models accept ``reasoning={"effort": ...}``.
"""

from __future__ import annotations

from typing import Any

DEFAULT_MODELS = {"openai": "gpt-5.4-mini", "anthropic": "claude-sonnet-4-6", "test": "test"}
DEFAULT_IMAGE_MODEL = "gpt-image-2"
MODERATION_MODEL = "omni-moderation-latest"


def _gpt5(input_price: float, output_price: float) -> dict[str, Any]:
    return {"input": input_price, "output": output_price, "temperature": False, "reasoning": True}


def _plain(input_price: float, output_price: float, reasoning: bool = False) -> dict[str, Any]:
    return {"input": input_price, "output": output_price, "temperature": True, "reasoning": reasoning}


PRICES: dict[str, dict[str, dict[str, Any]]] = {
    "openai": {
        "gpt-5.4": _gpt5(2.50, 15.00),
        "gpt-5.4-mini": _gpt5(0.75, 4.50),
        "gpt-5.4-nano": _gpt5(0.20, 1.25),
        "gpt-5.2": _gpt5(1.75, 14.00),
        "gpt-5.1": _gpt5(1.25, 10.00),
        "gpt-5": _gpt5(1.25, 10.00),
        "gpt-5-mini": _gpt5(0.25, 2.00),
        "gpt-5-nano": _gpt5(0.05, 0.40),
        "gpt-4.1": _plain(2.00, 8.00),
        "gpt-4.1-mini": _plain(0.40, 1.60),
        "gpt-4.1-nano": _plain(0.10, 0.40),
        "gpt-4o": _plain(2.50, 10.00),
        "gpt-4o-mini": _plain(0.15, 0.60),
        "o4-mini": {**_plain(1.10, 4.40, reasoning=True), "temperature": False},
        "o3": {**_plain(2.00, 8.00, reasoning=True), "temperature": False},
    },
    # anthropic 2.x's Messages API takes no temperature; reasoning → output_config.effort
    "anthropic": {
        "claude-opus-4-7": {**_plain(15.00, 75.00, reasoning=True), "temperature": False},
        "claude-opus-4-6": {**_plain(15.00, 75.00, reasoning=True), "temperature": False},
        "claude-sonnet-4-6": {**_plain(3.00, 15.00, reasoning=True), "temperature": False},
        "claude-haiku-4-5": {**_plain(1.00, 5.00), "temperature": False},
    },
    "test": {"test": _plain(0.0, 0.0)},
}


def price_table(provider: str, overrides: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The provider's defaults with the project's rows merged over them (row by row)."""
    table = {model: dict(row) for model, row in PRICES.get(provider, {}).items()}
    for model, row in (overrides or {}).items():
        values = row.model_dump() if hasattr(row, "model_dump") else dict(row)
        table[model] = {**table.get(model, {}), **values}
    return table


def cost(row: dict[str, Any], input_tokens: int, output_tokens: int) -> tuple[float, float]:
    """(input price, output price) in USD for one call."""
    return (round(input_tokens * float(row.get("input", 0)) / 1_000_000, 10),
            round(output_tokens * float(row.get("output", 0)) / 1_000_000, 10))
