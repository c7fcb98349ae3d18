"""Carrying out plans against the fake Azure OpenAI: nothing refused, everything accounted for."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import cast

import pytest
import redis.asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client import REGISTRY

from bot.llm.budget import MonthlyBudget
from bot.llm.client import RetryPolicy
from bot.llm.prompt import PromptFunction
from bot.llm.ratelimit import SharedRateLimiter
from bot.llm.run import Budgets, Generation, generate
from bot.settings import Settings
from bot.wiring import budgets_for, caller_for, overhead_for, planner_for
from tests.fakes.azure import FakeAzureOpenAI
from tests.fakes.azure_answer import asked_functions
from tests.fakes.azure_faults import (
    ExtraId,
    MalformedJson,
    MissingIds,
    OutputFiltered,
    PromptFiltered,
)
from tests.fakes.azure_quota import Charge
from tests.llm.helpers import azure_settings, function

FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05)
SCHEMA_OVERHEAD = 57  # what the fake adds for the json_schema, like the real service


def small_deployment(fake: FakeAzureOpenAI, **extra: str) -> Settings:
    fake.add_deployment(
        "small", "gpt-4o-mini", context_window=8_192, schema_overhead_tokens=SCHEMA_OVERHEAD
    )
    return azure_settings(fake, "small", DOCGEN_CONTEXT_WINDOW="8192", **extra)


async def run(
    settings: Settings, fns: list[PromptFunction], budgets: Budgets | None = None
) -> Generation:
    overhead = overhead_for(settings)
    planner = planner_for(settings, overhead=overhead)
    plan = planner.plan(fns)
    async with caller_for(settings, policy=FAST) as caller:
        return await generate(
            plan, caller, planner, budgets=budgets, overhead=overhead, concurrency=8
        )


def accounted(result: Generation, fns: list[PromptFunction]) -> None:
    documented, skipped = set(result.docstrings), [s.function_id for s in result.skipped]
    assert len(skipped) == len(set(skipped))
    assert documented.isdisjoint(skipped)
    assert documented | set(skipped) == {fn.id for fn in fns}
    assert all(s.reason for s in result.skipped)


@st.composite
def pull_request(draw: st.DrawFn) -> list[PromptFunction]:
    out = []
    for n in range(draw(st.integers(350, 450))):
        # Mostly everyday sizes; a few too long for one request; rarely a signature
        # that alone exceeds the window.
        kind = draw(st.integers(0, 199))
        size = draw(st.integers(0, 40) if kind < 160 else st.integers(40, 150))
        size = draw(st.integers(700, 1_200)) if kind in (197, 198) else size
        params = 2_500 if kind == 199 else draw(st.integers(0, 5))
        path = f"src/pkg/m{draw(st.integers(0, 30))}.py"
        cls = draw(st.sampled_from(["", "", "Store"]))
        line = draw(st.sampled_from(["x = 1", "s = '<|endoftext|>' + '```'", "y = f(x) or g(y)"]))
        out.append(function(path, f"f{n}", params=params, lines=size, cls=cls, line=line))
    return out


def test_thousands_of_functions_fit_a_small_window(fake_azure_server: FakeAzureOpenAI) -> None:
    seen = {"functions": 0}

    @settings(
        max_examples=6,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.data_too_large,
            HealthCheck.too_slow,
            HealthCheck.large_base_example,
        ],
    )
    @given(pull_request())
    def check(fns: list[PromptFunction]) -> None:
        fake_azure_server.reset()
        s = small_deployment(fake_azure_server)
        result = asyncio.run(run(s, fns))
        seen["functions"] += len(fns)
        accounted(result, fns)
        requests = fake_azure_server.requests_to("small")
        assert requests and all(r.status == 200 for r in requests)  # no context_length_exceeded
        by_ids = {tuple(a.id for a in asked_functions(r.body["messages"])): r for r in requests}
        assert len(by_ids) == len(requests) == len(result.calls)
        for call in result.calls:
            sent = by_ids[call.ids]
            assert sent.prompt_tokens is not None
            assert call.counted_prompt_tokens == sent.prompt_tokens - SCHEMA_OVERHEAD
            assert call.usage.prompt_tokens == sent.prompt_tokens
            assert call.usage.prompt_tokens + call.max_completion <= 8_192
        assert all(c.estimate_error == 0 for c in result.calls[8:])  # learnt once
        assert all("signature alone" in s.reason for s in result.skipped)

    check()
    assert seen["functions"] >= 2_000


async def test_usage_is_what_the_api_reported_and_the_error_is_a_metric(
    fake_azure: FakeAzureOpenAI,
) -> None:
    before = REGISTRY.get_sample_value("docgen_llm_prompt_estimate_error_tokens_count") or 0
    s = small_deployment(fake_azure)
    fns = [function(name=f"f{i}") for i in range(3)]
    result = await run(s, fns)
    (call,) = result.calls
    (sent,) = fake_azure.requests
    assert sent.response is not None
    assert call.usage.prompt_tokens == sent.response["usage"]["prompt_tokens"]
    assert call.usage.completion_tokens == sent.response["usage"]["completion_tokens"]
    assert call.cost_usd == s.model_facts().cost_usd(
        call.usage.prompt_tokens, call.usage.completion_tokens
    )
    assert call.estimate_error == SCHEMA_OVERHEAD - overhead_for(s).fallback
    assert result.totals.calls == 1
    after = REGISTRY.get_sample_value("docgen_llm_prompt_estimate_error_tokens_count")
    assert after == before + 1


@pytest.mark.parametrize(
    "fault", [MissingIds(), OutputFiltered(), MalformedJson(), ExtraId(), PromptFiltered()]
)
async def test_a_bad_answer_is_retried_once_in_smaller_requests(
    fake_azure: FakeAzureOpenAI, fault: object
) -> None:
    s = small_deployment(fake_azure)
    fns = [function(name=f"f{i}") for i in range(4)]
    fake_azure.queue_fault(fault, deployment="small")  # type: ignore[arg-type]
    result = await run(s, fns)
    assert set(result.docstrings) == {fn.id for fn in fns} and not result.skipped
    sizes = [len(r.body["messages"][1]["content"].split("\n### ")) - 1 for r in fake_azure.requests]
    assert sizes[0] == 4 and all(n <= 2 for n in sizes[1:])


async def test_what_fails_twice_is_skipped_with_the_reason(fake_azure: FakeAzureOpenAI) -> None:
    s = small_deployment(fake_azure)
    fns = [function(name="f0"), function(name="f1")]
    lost = fns[1].id
    fake_azure.queue_fault(MissingIds((lost,)), MissingIds((lost,)), deployment="small")
    result = await run(s, fns)
    assert set(result.docstrings) == {fns[0].id}
    (skip,) = result.skipped
    assert skip.function_id == lost
    assert skip.reason == (
        "the answer left this function out, also when asked again in a smaller request"
    )


async def test_a_cut_off_answer_is_retried_with_more_room_then_skipped(
    fake_azure: FakeAzureOpenAI,
) -> None:
    s = small_deployment(fake_azure)
    overhead = overhead_for(s)
    stingy = planner_for(s, overhead=overhead).with_config(
        per_function_base=0, per_param=0, size_ratio=0.0, entry_overhead=0, answer_overhead=0
    )
    fns = [function(name=f"f{i}") for i in range(2)]
    async with caller_for(s, policy=FAST) as caller:
        result = await generate(stingy.plan(fns), caller, stingy, overhead=overhead)
    assert [c.finish_reason for c in result.calls] == ["length"] * 3
    assert result.calls[1].max_completion > result.calls[0].max_completion // 2
    assert not result.docstrings
    assert all("cut off" in s.reason and "asked again" in s.reason for s in result.skipped)


async def test_a_fatal_error_stops_the_run(fake_azure: FakeAzureOpenAI) -> None:
    s = small_deployment(fake_azure, AZURE_OPENAI_API_KEY="wrong")
    fns = [function(f"src/m{i}.py", "f") for i in range(6)]
    overhead = overhead_for(s)
    planner = planner_for(s, overhead=overhead).with_config(max_batch_functions=1)
    async with caller_for(s, policy=FAST) as caller:
        result = await generate(planner.plan(fns), caller, planner, concurrency=1)
    assert len(fake_azure.requests) == 1
    assert len(result.skipped) == 6
    assert "credentials" in result.skipped[0].reason
    assert all(r.reason.startswith("not attempted: ") for r in result.skipped[1:])


async def test_a_run_cost_limit_stops_work_and_says_what_is_left(
    fake_azure: FakeAzureOpenAI,
) -> None:
    s = small_deployment(fake_azure, DOCGEN_MAX_COST_PER_RUN_USD="0.0006")
    fns = [function(f"src/m{i}.py", "f", lines=150) for i in range(6)]
    result = await run(s, fns, budgets_for(s))
    assert result.docstrings and result.skipped
    accounted(result, fns)
    assert all(r.reason.startswith("run cost limit reached") for r in result.skipped)
    (left,) = result.left
    assert left.period == "run"
    assert left.cost_usd == pytest.approx(0.0006 - result.totals.cost_usd)


async def test_a_batch_too_dear_for_the_budget_is_split_to_document_what_fits(
    fake_azure: FakeAzureOpenAI,
) -> None:
    s = small_deployment(fake_azure, DOCGEN_MAX_COST_PER_RUN_USD="0.0006")
    fns = [function(f"src/m{i}.py", "f", lines=150) for i in range(6)]
    plan = planner_for(s, overhead=overhead_for(s)).plan(fns)
    budgets = budgets_for(s)
    smallest = min(budgets.facts.cost_usd(r.prompt_tokens, r.max_completion) for r in plan.requests)
    assert smallest > 0.0006  # no planned request fits the budget whole
    result = await run(s, fns, budgets)
    assert result.docstrings  # but single functions do
    assert all(len(c.ids) == 1 for c in result.calls)
    accounted(result, fns)


async def test_the_monthly_budget_is_settled_with_real_usage(
    fake_azure: FakeAzureOpenAI, redis_client: redis.asyncio.Redis
) -> None:
    s = small_deployment(fake_azure, DOCGEN_MONTHLY_TOKEN_BUDGET="5000")
    fns = [function(f"src/m{i}.py", "f", lines=40) for i in range(8)]
    budgets = budgets_for(s, redis_client=redis_client, installation_id=42)
    result = await run(s, fns, budgets)
    accounted(result, fns)
    assert result.docstrings and result.skipped
    assert all("monthly token budget reached" in r.reason for r in result.skipped)
    run_left, month_left = result.left
    used = result.totals.prompt_tokens + result.totals.completion_tokens
    assert month_left.tokens == 5_000 - used
    assert isinstance(budgets.monthly, MonthlyBudget)
    key = f"docgen:budget:42:{month_left.period}"
    # redis-py types hash commands `Awaitable[T] | T` (and hget's T as str, not bytes).
    assert int(await cast(Awaitable[bytes | None], redis_client.hget(key, "tokens")) or 0) == used
    assert await cast(Awaitable[int], redis_client.hlen(key + ":held")) == 0


async def test_two_workers_sharing_a_tokens_per_minute_quota_never_exceed_it(
    fake_azure: FakeAzureOpenAI, redis_url: str
) -> None:
    quota, window = 4_000, 1.0
    s = small_deployment(fake_azure, DOCGEN_TOKENS_PER_MINUTE=str(quota))
    fake_azure.set_quota("small", tokens_per_minute=quota, window_seconds=window)
    clients = [redis.asyncio.Redis.from_url(redis_url) for _ in range(2)]

    async def worker(client: redis.asyncio.Redis, n: int) -> Generation:
        limiter = SharedRateLimiter(
            client,
            key="docgen:ratelimit:fake/small",
            requests_per_minute=None,
            tokens_per_minute=quota,
            window_seconds=window,
            slack_seconds=0.2,
        )
        overhead = overhead_for(s)
        planner = planner_for(s, overhead=overhead).with_config(max_batch_functions=1)
        fns = [function(f"w{n}/m{i}.py", "f", lines=45) for i in range(8)]
        async with caller_for(s, limiter=limiter, policy=FAST) as caller:
            return await generate(planner.plan(fns), caller, planner, overhead=overhead)

    try:
        results = await asyncio.gather(*(worker(c, n) for n, c in enumerate(clients)))
    finally:
        for c in clients:
            await c.aclose()
    assert all(len(r.docstrings) == 8 for r in results)
    charges = fake_azure.quota_charges("small")
    assert len(charges) == 16 and all(c.admitted for c in charges)  # no 429 at all
    peak_tokens, _ = fake_azure.peak_usage("small")
    assert quota // 2 < peak_tokens <= quota


async def test_requests_are_paced_the_way_azure_evaluates_a_request_quota(
    fake_azure: FakeAzureOpenAI, redis_client: redis.asyncio.Redis
) -> None:
    # A "minute" of one second, evaluated over a sixth of it as Azure evaluates over 10 s.
    rpm, window = 60, 1.0
    fns = [function(f"src/m{i}.py", "f") for i in range(24)]

    async def burst(deployment: str, periods: tuple[float, ...]) -> list[Charge]:
        fake_azure.add_deployment(deployment, "gpt-4o-mini", schema_overhead_tokens=57)
        fake_azure.set_quota(
            deployment, requests_per_minute=rpm, window_seconds=window, request_period_seconds=1 / 6
        )
        limiter = SharedRateLimiter(
            redis_client,
            key=f"docgen:ratelimit:fake/{deployment}",
            requests_per_minute=rpm,
            tokens_per_minute=None,
            window_seconds=window,
            slack_seconds=0.2,
            request_periods=periods,
        )
        settings = azure_settings(fake_azure, deployment)
        planner = planner_for(settings).with_config(max_batch_functions=1)
        async with caller_for(settings, limiter=limiter, policy=FAST) as caller:
            result = await generate(planner.plan(fns), caller, planner, concurrency=8)
        assert len(result.docstrings) + len(result.skipped) == len(fns)
        return fake_azure.quota_charges(deployment)

    paced = await burst("paced", (window / 60, window / 6))
    assert len(paced) == 24 and all(c.admitted for c in paced)  # not one 429
    unpaced = await burst("unpaced", ())
    assert any(not c.admitted for c in unpaced)  # a burst within the minute's quota is refused
