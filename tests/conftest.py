"""Shared fixtures: a real Redis database of the tests' own, flushed per test.

The fake servers' fixtures live beside the fakes and are loaded as plugins.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
import redis
import redis.asyncio

pytest_plugins = [
    "tests.fakes.github_fixtures",
    "tests.fakes.azure_fixtures",
]

# The database number keeps test data away from anything else using this Redis;
# parallel runs on one machine pick different numbers.
TEST_REDIS_BASE = os.environ.get("DOCGEN_TEST_REDIS_URL", "redis://127.0.0.1:6379")
TEST_REDIS_DB = int(os.environ.get("DOCGEN_TEST_REDIS_DB", "15"))


@pytest.fixture
def redis_url() -> Iterator[str]:
    """Return the URL of a flushed Redis database reserved for this test."""
    url = f"{TEST_REDIS_BASE}/{TEST_REDIS_DB}"
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError as exc:  # pragma: no cover - environment problem
        pytest.fail(f"Redis is not answering at {TEST_REDIS_BASE}: start it (see .ci/run): {exc}")
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[redis.asyncio.Redis]:
    """Return an asyncio Redis client on the test's database."""
    client = redis.asyncio.Redis.from_url(redis_url)
    yield client
    await client.aclose()
