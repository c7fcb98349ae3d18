"""The measured schema overhead travels between worker processes through Redis."""

from __future__ import annotations

import redis.asyncio

from bot import keys
from bot.llm.overhead_redis import load_overhead, share_overhead
from bot.llm.tokens import SchemaOverhead


async def test_one_process_measures_the_others_plan_with_it(
    redis_client: redis.asyncio.Redis,
) -> None:
    first = SchemaOverhead("gpt-4o-mini:abc", fallback=120)
    second = SchemaOverhead("gpt-4o-mini:abc", fallback=120)
    await load_overhead(redis_client, first)
    assert first.measured is None  # nobody measured yet: the stand-in plans
    assert first.learn(counted=1_000, reported=1_087)
    await share_overhead(redis_client, first)
    await load_overhead(redis_client, second)
    assert second.measured == 87 and second.planned == 87 + second.margin
    # The first measurement stays; a later one does not replace it.
    third = SchemaOverhead("gpt-4o-mini:abc", fallback=120, measured=90)
    await share_overhead(redis_client, third)
    assert await redis_client.get(keys.schema_overhead_key("gpt-4o-mini:abc")) == b"87"
    assert await redis_client.ttl(keys.schema_overhead_key("gpt-4o-mini:abc")) > 0


async def test_another_schema_or_model_is_measured_apart(
    redis_client: redis.asyncio.Redis,
) -> None:
    await share_overhead(redis_client, SchemaOverhead("gpt-4o:x", fallback=1, measured=50))
    other = SchemaOverhead("gpt-4o:y", fallback=1)
    await load_overhead(redis_client, other)
    assert other.measured is None
