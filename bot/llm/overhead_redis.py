"""The response schema's measured overhead, shared by every worker through Redis.

The first answer any worker gets measures what the schema adds to ``prompt_tokens``;
the others read it before they plan, so no process plans on the rough stand-in once
one has measured. The value belongs to a model and a schema (its key says which) and
is kept for a month: a new schema or model has a new key.
"""

from __future__ import annotations

import logging

import redis.asyncio
from redis.exceptions import RedisError

from bot import keys
from bot.llm.tokens import SchemaOverhead

log = logging.getLogger(__name__)
KEEP_SECONDS = 30 * 24 * 3600


async def load_overhead(client: redis.asyncio.Redis, overhead: SchemaOverhead) -> None:
    """Take the overhead another process measured, if this one has not measured it yet."""
    if overhead.measured is not None:
        return
    try:
        value = await client.get(keys.schema_overhead_key(overhead.key))
    except RedisError as exc:  # the stand-in still plans safely, with the planner's margin
        log.warning("schema overhead not read from Redis: %s", type(exc).__name__)
        return
    if value is not None and value.isdigit():
        overhead.measured = int(value)


async def share_overhead(client: redis.asyncio.Redis, overhead: SchemaOverhead) -> None:
    """Keep this process's measurement for the others (the first one measured stays)."""
    if overhead.measured is None:
        return
    try:
        await client.set(
            keys.schema_overhead_key(overhead.key), overhead.measured, nx=True, ex=KEEP_SECONDS
        )
    except RedisError as exc:
        log.warning("schema overhead not kept in Redis: %s", type(exc).__name__)
