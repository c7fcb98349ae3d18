"""The shared limiter: requests and tokens per window, across workers, by Redis's clock."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio

from bot.llm.ratelimit import QuotaTooSmall, SharedRateLimiter


def limiter(client: redis.asyncio.Redis, **kw: object) -> SharedRateLimiter:
    args: dict[str, object] = {
        "key": "docgen:ratelimit:test",
        "requests_per_minute": None,
        "tokens_per_minute": None,
        "window_seconds": 60.0,
        "slack_seconds": 0.0,
    }
    args.update(kw)
    return SharedRateLimiter(client, **args)  # type: ignore[arg-type]


async def test_tokens_per_window_are_admitted_then_a_wait_is_given(
    redis_client: redis.asyncio.Redis,
) -> None:
    lim = limiter(redis_client, tokens_per_minute=1_000)
    assert await lim.try_acquire(600) == 0
    assert await lim.try_acquire(400) == 0
    wait = await lim.try_acquire(1)
    assert 59 < wait <= 60
    assert await redis_client.zcard("docgen:ratelimit:test") == 2  # refused: not recorded


async def test_requests_per_window_are_counted(redis_client: redis.asyncio.Redis) -> None:
    lim = limiter(redis_client, requests_per_minute=3)
    assert [await lim.try_acquire(10) for _ in range(3)] == [0, 0, 0]
    assert await lim.try_acquire(10) > 59


async def test_a_request_larger_than_the_quota_is_refused_outright(
    redis_client: redis.asyncio.Redis,
) -> None:
    with pytest.raises(QuotaTooSmall, match="DOCGEN_TOKENS_PER_MINUTE"):
        await limiter(redis_client, tokens_per_minute=100).try_acquire(101)


async def test_workers_share_one_window_and_wait_for_room(redis_url: str) -> None:
    clients = [redis.asyncio.Redis.from_url(redis_url) for _ in range(2)]
    try:
        a, b = (limiter(c, tokens_per_minute=300, window_seconds=0.4) for c in clients)
        assert await a.try_acquire(200) == 0
        assert await b.try_acquire(200) > 0  # the other worker's tokens count
        waited = await b.acquire(200)
        assert waited > 0
        assert await a.try_acquire(200) > 0
    finally:
        for c in clients:
            await c.aclose()


async def test_many_concurrent_acquirers_never_overfill_a_window(
    redis_client: redis.asyncio.Redis,
) -> None:
    lim = limiter(redis_client, tokens_per_minute=500, requests_per_minute=4)
    results = await asyncio.gather(*(lim.try_acquire(100) for _ in range(20)))
    assert sum(1 for r in results if r == 0) == 4


async def test_requests_are_paced_over_short_periods_not_sent_in_a_burst(
    redis_client: redis.asyncio.Redis,
) -> None:
    # 600 a minute is 10 a second: the eleventh of a burst waits for the second to pass.
    lim = limiter(redis_client, requests_per_minute=600, request_periods=(1.0, 10.0))
    assert [await lim.try_acquire(10) for _ in range(10)] == [0] * 10
    assert 0.9 < await lim.try_acquire(10) <= 1.0


async def test_a_small_quota_is_paced_over_ten_seconds(redis_client: redis.asyncio.Redis) -> None:
    # 6 a minute is one every 10 seconds, never two at once.
    lim = limiter(redis_client, requests_per_minute=6, request_periods=(1.0, 10.0))
    assert await lim.try_acquire(10) == 0
    assert 9.9 < await lim.try_acquire(10) <= 10.0
