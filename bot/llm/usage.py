"""What each model call used, as the API reported it, and what it cost.

Usage is never estimated after the fact: prompt, completion and cached tokens
are the numbers in the answer, priced with the model table. Beside them each
record keeps what the plan counted, so the estimate's error is visible per
call and as a Prometheus metric.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from bot.core.summary import UsageTotals
from bot.errors import DocgenError
from bot.llm.models import ModelFacts
from bot.llm.plan import PlannedRequest
from bot.telemetry import CALLS, COST, ESTIMATE_ERROR, TOKENS, installation_label


@dataclass(frozen=True)
class Usage:
    """Token counts one answer reported."""

    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int = 0


@dataclass(frozen=True)
class Answer:
    """A model's reply to one request: the text, why it stopped, and its usage."""

    content: str | None
    finish_reason: str
    usage: Usage
    attempts: int = 1


class CallFailed(DocgenError):
    """A call got no usable answer; ``reason`` says why in words for the summary.

    ``splittable``: the same functions may succeed in smaller requests (the
    prompt filter refused one of them). ``fatal``: no call can succeed (bad
    key, unknown deployment), so the run stops asking.
    """

    def __init__(self, reason: str, *, splittable: bool = False, fatal: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.splittable = splittable
        self.fatal = fatal


class ModelCaller(Protocol):
    """Anything that answers a planned request: the API client or the skeleton."""

    async def complete(self, request: PlannedRequest) -> Answer:
        """Send ``request`` and return the answer, or raise CallFailed."""
        ...


@dataclass(frozen=True)
class CallRecord:
    """One call as planned and as reported."""

    ids: tuple[str, ...]
    counted_prompt_tokens: int  # the messages alone, by docgen's count
    estimated_prompt_tokens: int  # counted + the schema overhead docgen believed in
    planned_prompt_tokens: int  # what the plan reserved, margin included
    max_completion: int
    usage: Usage
    cost_usd: float
    finish_reason: str
    attempts: int

    @property
    def estimate_error(self) -> int:
        """Return reported minus estimated prompt tokens (0 when the count was exact)."""
        return self.usage.prompt_tokens - self.estimated_prompt_tokens


def totals(records: Iterable[CallRecord]) -> UsageTotals:
    """Sum the reported usage of ``records``."""
    out = UsageTotals()
    for r in records:
        out = UsageTotals(
            calls=out.calls + 1,
            prompt_tokens=out.prompt_tokens + r.usage.prompt_tokens,
            completion_tokens=out.completion_tokens + r.usage.completion_tokens,
            cached_tokens=out.cached_tokens + r.usage.cached_tokens,
            cost_usd=out.cost_usd + r.cost_usd,
        )
    return out


def price(facts: ModelFacts, usage: Usage) -> float:
    """Price reported usage with the model table."""
    return facts.cost_usd(usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens)


def observe(record: CallRecord, *, real: bool) -> None:
    """Export one call to the metrics (the estimate error only for real model calls).

    Tokens and cost are labelled with the installation of the job running
    (``bot.logctx``), ``none`` outside a job.
    """
    installation = installation_label()
    CALLS.labels(outcome=record.finish_reason).inc()
    TOKENS.labels(kind="prompt", installation=installation).inc(record.usage.prompt_tokens)
    TOKENS.labels(kind="completion", installation=installation).inc(record.usage.completion_tokens)
    TOKENS.labels(kind="cached", installation=installation).inc(record.usage.cached_tokens)
    COST.labels(installation=installation).inc(record.cost_usd)
    if real:
        ESTIMATE_ERROR.observe(record.estimate_error)
