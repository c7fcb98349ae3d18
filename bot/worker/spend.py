"""What a pull request has cost so far: a running total in Redis, per repository and PR."""

from __future__ import annotations

import redis.asyncio

from bot.keys import pr_cost_key

PR_COST_SECONDS = 90 * 24 * 3600


async def add_pr_cost(client: redis.asyncio.Redis, repo: str, number: int, cost: float) -> float:
    """Add one run's cost to the pull request's total; return the new total."""
    key = pr_cost_key(repo, number)
    total = float(await client.incrbyfloat(key, cost))
    await client.expire(key, PR_COST_SECONDS)
    return total


async def read_pr_cost(client: redis.asyncio.Redis, repo: str, number: int) -> float:
    """Return what the pull request's runs have cost so far (0 when none has)."""
    value = await client.get(pr_cost_key(repo, number))
    return float(value) if value is not None else 0.0
