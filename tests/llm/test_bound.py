"""The request bound: whatever the model does, a run of n functions sends at most 4n requests."""

from __future__ import annotations

import itertools
import random

import pytest

from bot.core.render import RenderOptions
from bot.core.skips import SkipKind
from bot.core.targets import TargetRules
from bot.engine.analyse import SourceFile, analyse
from bot.engine.document import Engine, document
from bot.llm.bound import MAX_REQUESTS_PER_FUNCTION, RequestAllowance, request_bound
from bot.llm.client import RetryPolicy
from bot.wiring import budgets_for, caller_for, planner_for
from tests.fakes.azure import FakeAzureOpenAI
from tests.fakes.azure_faults import (
    Fault,
    MalformedJson,
    MissingIds,
    OutputFiltered,
    RateLimited,
    ServerError,
)
from tests.fakes.azure_modes import AnswerMode
from tests.llm.helpers import azure_settings

FAST = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.005)
# Every fault the fake can throw at a request, in an order that reaches every layer:
# HTTP retries (429, 5xx), re-asks (cut-off-like, filtered, malformed, missing ids).
WORST: tuple[Fault, ...] = (
    RateLimited(retry_after=0.001),
    ServerError(502),
    ServerError(503),
    MissingIds(),
    OutputFiltered(),
    MalformedJson(),
)


def source(n: int) -> list[SourceFile]:
    """Return one added file with ``n`` undocumented public functions."""
    text = "".join(f"def f{i}(a, b):\n    return a + b * {i}\n\n\n" for i in range(n))
    return [SourceFile("m.py", text, "added", None, None)]


async def run(fake: FakeAzureOpenAI, n: int) -> tuple[int, list[str]]:
    """Document ``n`` functions against the fake; return the requests sent and the skips."""
    settings = azure_settings(fake)
    analysis = analyse(source(n), TargetRules())
    assert len(analysis.work) == n
    async with caller_for(settings, policy=FAST) as caller:
        engine = Engine(planner_for(settings), caller, RenderOptions(), budgets_for(settings))
        outcome = await document(engine, analysis)
    assert {p.work.function.id for p in outcome.proposals}.isdisjoint(
        s.function_id for s in outcome.skipped
    )
    assert len(outcome.proposals) + len(outcome.skipped) == n  # every function accounted
    bounded = [s.reason for s in outcome.skipped if "model requests it may" in s.reason]
    assert all(s.kind is SkipKind.MODEL for s in outcome.skipped if s.reason in bounded)
    return len(fake.requests), bounded


def test_the_bound_is_four_requests_per_function() -> None:
    assert MAX_REQUESTS_PER_FUNCTION == 4
    assert [request_bound(n) for n in (0, 1, 5)] == [4, 4, 20]
    allowance = RequestAllowance(2)
    assert [allowance.take() for _ in range(3)] == [True, True, False]


async def test_every_fault_forever_stops_at_the_bound(fake_azure: FakeAzureOpenAI) -> None:
    fake_azure.queue_fault(*itertools.islice(itertools.cycle(WORST), 400))
    sent, bounded = await run(fake_azure, 1)
    # 429, 502, 503 and an answer leaving the function out: four attempts, then the
    # re-ask the answer deserved is refused by the bound.
    assert sent == request_bound(1)
    assert bounded and "the last one failed" not in bounded[0]


@pytest.mark.parametrize(("n", "seed"), [(n, seed) for n in (1, 2, 5) for seed in range(4)])
async def test_any_mix_of_faults_stays_within_the_bound(
    fake_azure: FakeAzureOpenAI, n: int, seed: int
) -> None:
    rng = random.Random(seed)
    fake_azure.queue_fault(*(rng.choice(WORST) for _ in range(400)))
    # Answers that do arrive fail verification (a made-up parameter): the second round too.
    fake_azure.set_answer_mode(AnswerMode.INVENT_PARAM)
    sent, _ = await run(fake_azure, n)
    assert sent <= request_bound(n)


async def test_server_errors_forever_end_as_skips_with_the_reason(
    fake_azure: FakeAzureOpenAI,
) -> None:
    fake_azure.queue_fault(*[ServerError(500)] * 100)
    sent, bounded = await run(fake_azure, 1)
    assert sent == request_bound(1) == 4
    # The single request used its four attempts; nothing was left to ask again.
    assert fake_azure.pending_faults()


async def test_a_run_that_goes_well_is_far_below_the_bound(fake_azure: FakeAzureOpenAI) -> None:
    sent, bounded = await run(fake_azure, 8)
    assert sent == 1 and bounded == []
