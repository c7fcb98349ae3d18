"""Budgets: atomic reservations in Redis that concurrent workers cannot overspend."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import cast

import pytest
import redis.asyncio

from bot.llm.budget import MonthlyBudget, Refusal, Reservation, RunBudget, month_of, to_nano

NOV = datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)


def budget(client: redis.asyncio.Redis, **kw: object) -> MonthlyBudget:
    args: dict[str, object] = {"installation_id": 7, "max_cost_usd": 1.0, "max_tokens": 10_000}
    args.update(kw)
    return MonthlyBudget(client, **args)  # type: ignore[arg-type]


async def test_reserve_then_settle_replaces_the_hold_by_real_usage(
    redis_client: redis.asyncio.Redis,
) -> None:
    b = budget(redis_client, clock=lambda: NOV)
    held = await b.reserve(tokens=4_000, cost_usd=0.4)
    assert isinstance(held, Reservation) and held.month == "2026-11"
    left = await b.left()
    assert (left.tokens, left.cost_usd, left.period) == pytest.approx((6_000, 0.6, "2026-11"))
    await b.settle(held, tokens=1_000, cost_usd=0.05)
    left = await b.left()
    assert (left.tokens, left.cost_usd) == pytest.approx((9_000, 0.95))
    # redis-py types hash commands `Awaitable[T] | T` (and hget's T as str, not bytes).
    spent = await cast(
        Awaitable[dict[bytes, bytes]], redis_client.hgetall("docgen:budget:7:2026-11")
    )
    assert spent == {b"tokens": b"1000", b"nano_usd": b"50000000", b"calls": b"1"}
    assert await cast(Awaitable[int], redis_client.hlen("docgen:budget:7:2026-11:held")) == 0


async def test_a_call_past_a_limit_is_refused_with_what_is_left(
    redis_client: redis.asyncio.Redis,
) -> None:
    b = budget(redis_client, clock=lambda: NOV)
    assert isinstance(await b.reserve(tokens=9_000, cost_usd=0.1), Reservation)
    refused = await b.reserve(tokens=2_000, cost_usd=0.1)
    assert isinstance(refused, Refusal)
    assert "monthly token budget" in refused.reason and "9,000 of 10,000" in refused.reason
    refused = await b.reserve(tokens=10, cost_usd=0.95)
    assert isinstance(refused, Refusal) and "monthly cost budget" in refused.reason


async def test_released_holds_free_their_share(redis_client: redis.asyncio.Redis) -> None:
    b = budget(redis_client)
    held = await b.reserve(tokens=10_000, cost_usd=0.1)
    assert isinstance(held, Reservation)
    assert isinstance(await b.reserve(tokens=1, cost_usd=0.0), Refusal)
    await b.release(held)
    assert isinstance(await b.reserve(tokens=10_000, cost_usd=0.1), Reservation)


async def test_concurrent_workers_never_overspend(redis_url: str) -> None:
    clients = [redis.asyncio.Redis.from_url(redis_url) for _ in range(4)]
    try:
        budgets = [budget(c, max_tokens=1_000_000, max_cost_usd=1.0) for c in clients]
        # 4 workers x 25 attempts of 0.03 USD against 1 USD: exactly 33 may pass.
        attempts = [budgets[i % 4].reserve(tokens=100, cost_usd=0.03) for i in range(100)]
        results = await asyncio.gather(*attempts)
        granted = [r for r in results if isinstance(r, Reservation)]
        assert len(granted) == 33
        await asyncio.gather(*(budgets[0].settle(r, tokens=100, cost_usd=0.03) for r in granted))
        left = await budgets[0].left()
        assert left.cost_usd == pytest.approx(0.01)
        assert to_nano(1.0) - to_nano(0.03) * 33 == to_nano(left.cost_usd or 0)
    finally:
        for c in clients:
            await c.aclose()


async def test_a_dead_workers_hold_expires(redis_client: redis.asyncio.Redis) -> None:
    b = budget(redis_client, hold_seconds=1)
    assert isinstance(await b.reserve(tokens=10_000, cost_usd=0.5), Reservation)
    assert isinstance(await b.reserve(tokens=1, cost_usd=0.0), Refusal)
    for _ in range(40):  # the hold lapses once Redis's clock passes its expiry
        await asyncio.sleep(0.1)
        if isinstance(await b.reserve(tokens=1, cost_usd=0.0), Reservation):
            break
    else:
        pytest.fail("the hold never expired")
    held_key = "docgen:budget:7:" + month_of(datetime.now(UTC)) + ":held"
    assert await cast(Awaitable[int], redis_client.hlen(held_key)) == 1


async def test_months_are_utc_and_reset(redis_client: redis.asyncio.Redis) -> None:
    moments = iter([NOV, datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC)])
    b = budget(redis_client, clock=lambda: next(moments))
    held = await b.reserve(tokens=10_000, cost_usd=0.5)
    assert isinstance(held, Reservation) and held.month == "2026-11"
    december = await b.reserve(tokens=10_000, cost_usd=0.5)
    assert isinstance(december, Reservation) and december.month == "2026-12"
    # a call settled after midnight still counts in the month it was held in
    await b.settle(held, tokens=10, cost_usd=0.01)
    assert (
        await cast(Awaitable[bytes | None], redis_client.hget("docgen:budget:7:2026-11", "tokens"))
        == b"10"
    )
    assert month_of(datetime(2026, 12, 1, 0, 30, tzinfo=UTC).astimezone()) == "2026-12"
    assert await redis_client.ttl("docgen:budget:7:2026-11") > 300 * 86_400


def test_run_budget_holds_and_settles_in_memory() -> None:
    run = RunBudget(max_prompt_tokens=1_000, max_cost_usd=0.01)
    assert run.reserve(prompt_tokens=800, cost_usd=0.005) is None
    refused = run.reserve(prompt_tokens=300, cost_usd=0.001)
    assert isinstance(refused, Refusal) and "prompt-token limit" in refused.reason
    run.settle(held=(800, 0.005), used=(600, 0.002))
    assert run.reserve(prompt_tokens=300, cost_usd=0.009) is not None  # cost now bites
    assert run.left().tokens == 400 and run.left().cost_usd == pytest.approx(0.008)
    assert RunBudget(max_prompt_tokens=None, max_cost_usd=None).left().cost_usd is None
