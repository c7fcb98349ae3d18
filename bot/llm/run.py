"""Carry out a plan: budgets held, calls made concurrently, answers checked.

Each request is held against the budgets at its worst case before it is
sent and settled with the usage the API reported after. An answer that is
cut off (``finish_reason`` "length"), withheld ("content_filter"), not the
agreed JSON, or missing ids is retried once for the affected functions in
smaller requests; what still fails is skipped with the precise reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot import telemetry
from bot.core.skips import Skip, SkipKind
from bot.core.summary import UsageTotals
from bot.llm.bound import bounded
from bot.llm.budget import Left, MonthlyBudget, Refusal, Reservation, RunBudget
from bot.llm.models import ModelFacts
from bot.llm.plan import Plan, PlannedRequest, Planner
from bot.llm.prompt import MalformedAnswer, PromptFunction, parse_answer
from bot.llm.tokens import SchemaOverhead
from bot.llm.usage import (
    Answer,
    CallFailed,
    CallRecord,
    ModelCaller,
    observe,
    price,
    totals,
)


@dataclass(frozen=True)
class Generation:
    """What a run produced: docstrings by id, skips with reasons, calls, budget left."""

    docstrings: dict[str, str]
    skipped: tuple[Skip, ...]
    calls: tuple[CallRecord, ...]
    left: tuple[Left, ...] = ()

    @property
    def totals(self) -> UsageTotals:
        """Return the run's usage as the API reported it."""
        return totals(self.calls)


@dataclass(frozen=True)
class Hold:
    """A request's holds on the run budget and, if any, the monthly one."""

    prompt_tokens: int
    cost_usd: float
    monthly: Reservation | None


class Budgets:
    """The run's limits and, in the App, the installation's monthly ones."""

    def __init__(self, facts: ModelFacts, run: RunBudget, monthly: MonthlyBudget | None = None):
        self.facts = facts
        self.run = run
        self.monthly = monthly

    async def hold(self, request: PlannedRequest) -> Hold | Refusal:
        """Hold ``request``'s worst case on every budget, or say which one refuses."""
        worst = self.facts.cost_usd(request.prompt_tokens, request.max_completion)
        refused = self.run.reserve(prompt_tokens=request.prompt_tokens, cost_usd=worst)
        if refused is not None:
            return refused
        reservation = None
        if self.monthly is not None:
            held = await self.monthly.reserve(tokens=request.total_tokens, cost_usd=worst)
            if isinstance(held, Refusal):
                self.run.settle(held=(request.prompt_tokens, worst), used=(0, 0.0))
                return held
            reservation = held
        return Hold(request.prompt_tokens, worst, reservation)

    async def settle(self, hold: Hold, answer: Answer | None) -> None:
        """Replace ``hold`` by what ``answer`` reported (nothing if there was no answer)."""
        usage = answer.usage if answer is not None else None
        prompt = usage.prompt_tokens if usage else 0
        cost = price(self.facts, usage) if usage else 0.0
        self.run.settle(held=(hold.prompt_tokens, hold.cost_usd), used=(prompt, cost))
        if hold.monthly is None or self.monthly is None:
            return
        if usage is None:
            await self.monthly.release(hold.monthly)
        else:
            tokens = usage.prompt_tokens + usage.completion_tokens
            await self.monthly.settle(hold.monthly, tokens=tokens, cost_usd=cost)

    async def left(self) -> tuple[Left, ...]:
        """Return what remains of the run's and the month's budgets."""
        run = self.run.left()
        return (run, await self.monthly.left()) if self.monthly is not None else (run,)


@dataclass
class _Run:
    planner: Planner
    caller: ModelCaller
    budgets: Budgets | None
    overhead: SchemaOverhead | None
    gate: asyncio.Semaphore
    docstrings: dict[str, str] = field(default_factory=dict)
    skipped: list[Skip] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    stopped: str | None = None

    def skip(self, ids: Sequence[str], reason: str, kind: SkipKind = SkipKind.MODEL) -> None:
        self.skipped.extend(Skip(i, reason, kind=kind) for i in ids)

    async def process(self, request: PlannedRequest, *, retry: bool, scale: float = 1.0) -> None:
        """Call for ``request``, keep its good docstrings, and retry or skip the rest.

        ``scale`` is the completion scale ``request`` was planned with.
        """
        try:
            answer = await self.call(request)
        except _OverBudget:
            # Smaller requests may still fit what is left: document what the budget allows.
            telemetry.retried("budget_split")
            for part in self.halves(request.functions, scale):
                await self.process(part, retry=retry, scale=scale)
            return
        except CallFailed as failure:
            if failure.splittable and retry:
                await self.retry(request.functions, 1.0)
            else:
                self.skip(request.ids, failure.reason)
            return
        if answer is None:
            return
        bad, scale = self.check(request, answer)
        if not bad:
            return
        if retry:
            by_id = {fn.id: fn for fn in request.functions}
            await self.retry([by_id[i] for i in bad], scale)
            return
        for fn_id, reason in bad.items():
            self.skip([fn_id], reason + ", also when asked again in a smaller request")

    async def call(self, request: PlannedRequest) -> Answer | None:
        """Hold budgets, call, settle and record; None when the call was not made."""
        async with self.gate:
            if self.stopped is not None:
                self.skip(request.ids, f"not attempted: {self.stopped}")
                return None
            hold = await self.budgets.hold(request) if self.budgets else None
            if isinstance(hold, Refusal):
                if len(request.ids) > 1:
                    raise _OverBudget(hold.reason)
                self.skip(request.ids, hold.reason, SkipKind.BUDGET)
                return None
            try:
                answer = await self.caller.complete(request)
            except CallFailed as failure:
                if hold is not None and self.budgets is not None:
                    await self.budgets.settle(hold, None)
                if failure.fatal:
                    self.stopped = failure.reason
                raise
            if hold is not None and self.budgets is not None:
                await self.budgets.settle(hold, answer)
            self.record(request, answer)
            return answer

    def record(self, request: PlannedRequest, answer: Answer) -> None:
        believed = self.overhead.believed if self.overhead else 0
        if self.overhead is not None:
            self.overhead.learn(request.counted_tokens, answer.usage.prompt_tokens)
        record = CallRecord(
            ids=request.ids,
            counted_prompt_tokens=request.counted_tokens,
            estimated_prompt_tokens=request.counted_tokens + believed,
            planned_prompt_tokens=request.prompt_tokens,
            max_completion=request.max_completion,
            usage=answer.usage,
            cost_usd=price(self.planner.facts, answer.usage),
            finish_reason=answer.finish_reason,
            attempts=answer.attempts,
        )
        self.calls.append(record)
        observe(record, real=self.overhead is not None)

    def check(self, request: PlannedRequest, answer: Answer) -> tuple[dict[str, str], float]:
        """Keep the answer's good docstrings; return the failed ids with reasons, and a scale.

        The scale multiplies the completion allowance when the failed ids are
        asked again: doubled after an answer was cut off at its limit.
        """
        everyone = dict.fromkeys(request.ids, "")
        if answer.finish_reason == "length":
            why = f"the answer was cut off at its limit of {request.max_completion} tokens"
            return dict.fromkeys(everyone, why), 2.0
        if answer.finish_reason == "content_filter":
            return dict.fromkeys(everyone, "the service's content filter withheld the answer"), 1.0
        try:
            parsed = parse_answer(answer.content, request.ids)
        except MalformedAnswer as exc:
            return dict.fromkeys(everyone, f"the answer was not the agreed JSON: {exc}"), 1.0
        self.docstrings.update(parsed.docstrings)
        bad = dict.fromkeys(parsed.missing, "the answer left this function out")
        bad.update(dict.fromkeys(parsed.invalid, "the answer gave an empty docstring"))
        return bad, 1.0

    async def retry(self, functions: Sequence[PromptFunction], scale: float) -> None:
        """Ask again for ``functions`` in requests half the size, once."""
        telemetry.retried("model_reask")
        parts = self.halves(functions, scale)
        await asyncio.gather(*(self.process(r, retry=False, scale=scale) for r in parts))

    def halves(self, functions: Sequence[PromptFunction], scale: float) -> list[PlannedRequest]:
        """Plan ``functions`` again in requests of at most half as many functions."""
        size = max(1, len(functions) // 2)
        planner = self.planner.with_config(max_batch_functions=size, completion_scale=scale)
        if self.overhead is not None:
            planner = planner.with_config(schema_overhead=self.overhead.planned)
        requests, too_large = planner.batch(functions)
        self.skipped.extend(too_large)
        return requests


class _OverBudget(Exception):
    """A budget refused a request of several functions; fewer at a time may fit."""


async def generate(
    plan: Plan,
    caller: ModelCaller,
    planner: Planner,
    *,
    budgets: Budgets | None = None,
    overhead: SchemaOverhead | None = None,
    concurrency: int = 4,
) -> Generation:
    """Carry out ``plan`` with ``caller``; every planned id ends documented or skipped.

    ``overhead`` is the response schema's, measured on the first answer; give
    it for real model calls (not the skeleton) to record the estimate error.
    """
    run = _Run(planner, caller, budgets, overhead, asyncio.Semaphore(concurrency))
    run.skipped.extend(plan.skipped)
    with bounded(sum(len(r.functions) for r in plan.requests)):
        await asyncio.gather(*(run.process(r, retry=True) for r in plan.requests))
    left = await budgets.left() if budgets is not None else ()
    return Generation(dict(run.docstrings), tuple(run.skipped), tuple(run.calls), left)


# Hidden reasoning counts against max_completion_tokens on o-series and gpt-5
# models; docgen asks for low effort, which stays well under this per request.
REASONING_ALLOWANCE = 2_048
