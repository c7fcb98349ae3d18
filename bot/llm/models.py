"""The one table of model facts: tokenizer, limits, request parameters and prices.

Prices are list prices in USD per million tokens (OpenAI API / Azure OpenAI
global standard deployments). The rows docgen has carried since August 2025
were checked on ``PRICES_READ`` against the model table of litellm 1.110.2
(from PyPI; it cites OpenAI's pricing page) and agree with it; the gpt-5.1 to
gpt-5.5 rows were read from that table the same day. For the models priced in
tiers, the row holds the tier of prompts under 272k tokens, far above any
request docgen plans. Deployments with other limits or negotiated prices
override any number with the ``DOCGEN_*`` settings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

PRICES_READ = "2026-11-25"

TokenParam = Literal["max_tokens", "max_completion_tokens"]


@dataclass(frozen=True)
class ModelFacts:
    """What docgen must know about a model to count, plan and price its calls."""

    name: str
    encoding: str
    context_window: int
    max_output_tokens: int
    token_param: TokenParam
    takes_temperature: bool
    price_input: float  # USD per million prompt tokens
    price_cached_input: float  # USD per million cached prompt tokens
    price_output: float  # USD per million completion tokens

    def cost_usd(self, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0) -> float:
        """Price one call from the token counts the API reported."""
        uncached = max(prompt_tokens - cached_tokens, 0)
        micro = (
            uncached * self.price_input
            + cached_tokens * self.price_cached_input
            + completion_tokens * self.price_output
        )
        return micro / 1_000_000


def _chat(name: str, window: int, out: int, prices: tuple[float, float, float]) -> ModelFacts:
    return ModelFacts(name, "o200k_base", window, out, "max_tokens", True, *prices)


def _reasoning(name: str, window: int, out: int, prices: tuple[float, float, float]) -> ModelFacts:
    # o-series and gpt-5 refuse max_tokens and any temperature but the default.
    return ModelFacts(name, "o200k_base", window, out, "max_completion_tokens", False, *prices)


MODELS: dict[str, ModelFacts] = {
    m.name: m
    for m in (
        _chat("gpt-4o", 128_000, 16_384, (2.50, 1.25, 10.00)),
        _chat("gpt-4o-mini", 128_000, 16_384, (0.15, 0.075, 0.60)),
        _chat("gpt-4.1", 1_047_576, 32_768, (2.00, 0.50, 8.00)),
        _chat("gpt-4.1-mini", 1_047_576, 32_768, (0.40, 0.10, 1.60)),
        _chat("gpt-4.1-nano", 1_047_576, 32_768, (0.10, 0.025, 0.40)),
        ModelFacts(
            "gpt-4-turbo", "cl100k_base", 128_000, 4_096, "max_tokens", True, 10.0, 10.0, 30.0
        ),
        _reasoning("o3-mini", 200_000, 100_000, (1.10, 0.55, 4.40)),
        _reasoning("o4-mini", 200_000, 100_000, (1.10, 0.275, 4.40)),
        _reasoning("o3", 200_000, 100_000, (2.00, 0.50, 8.00)),
        _reasoning("gpt-5", 400_000, 128_000, (1.25, 0.125, 10.00)),
        _reasoning("gpt-5-mini", 400_000, 128_000, (0.25, 0.025, 2.00)),
        _reasoning("gpt-5-nano", 400_000, 128_000, (0.05, 0.005, 0.40)),
        _reasoning("gpt-5.1", 400_000, 128_000, (1.25, 0.125, 10.00)),
        _reasoning("gpt-5.2", 400_000, 128_000, (1.75, 0.175, 14.00)),
        _reasoning("gpt-5.4", 1_050_000, 128_000, (2.50, 0.25, 15.00)),
        _reasoning("gpt-5.4-mini", 400_000, 128_000, (0.75, 0.075, 4.50)),
        _reasoning("gpt-5.4-nano", 400_000, 128_000, (0.20, 0.02, 1.25)),
        _reasoning("gpt-5.5", 1_050_000, 128_000, (5.00, 0.50, 30.00)),
    )
}


@dataclass(frozen=True)
class Overrides:
    """Operator-supplied numbers that replace a row's (None keeps the row's)."""

    context_window: int | None = None
    max_output_tokens: int | None = None
    price_input: float | None = None
    price_cached_input: float | None = None
    price_output: float | None = None

    def given(self) -> dict[str, float | int]:
        """Return only the numbers the operator set."""
        return {k: v for k, v in vars(self).items() if v is not None}


_REQUIRED_FOR_UNKNOWN = ("context_window", "max_output_tokens", "price_input", "price_output")


def resolve_model(name: str, overrides: Overrides = Overrides()) -> ModelFacts:
    """Return the facts for ``name`` with the operator's overrides applied.

    An unknown model is accepted only when its limits and prices are all given;
    it is then treated as an OpenAI chat model with the o200k encoding.
    Raises KeyError naming the settings that are missing.
    """
    given = overrides.given()
    row = MODELS.get(name)
    if row is not None:
        return replace(row, **given)  # type: ignore[arg-type]
    missing = [k for k in _REQUIRED_FOR_UNKNOWN if k not in given]
    if missing:
        names = ", ".join("DOCGEN_" + k.upper() for k in missing)
        known = ", ".join(MODELS)
        raise KeyError(f"unknown model {name!r} (known: {known}); or set {names}")
    base = _chat(name, 0, 0, (0.0, 0.0, 0.0))
    given.setdefault("price_cached_input", given["price_input"])
    return replace(base, **given)  # type: ignore[arg-type]
