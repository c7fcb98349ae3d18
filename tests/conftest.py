"""Shared fixtures: a real Redis database of the tests' own, flushed per test.

The fake servers' fixtures live beside the fakes and are loaded as plugins.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

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


@pytest.fixture(autouse=True)
def user_cache_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every test's user cache folder (docgen suggest's answers) out of the real one."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))


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


@pytest.fixture
def app_env(fake_github: Any, fake_azure: Any, redis_url: str) -> dict[str, str]:
    """Return the environment of a docgen App wired to the fake GitHub and fake Azure."""
    return {
        "GITHUB_APP_ID": str(fake_github.app_id),
        "GITHUB_PRIVATE_KEY": fake_github.private_key_pem,
        "GITHUB_API_URL": fake_github.base_url,
        "GITHUB_WEBHOOK_SECRET": "whsec-test-3f9a1c7e",
        "REDIS_URL": redis_url,
        "AZURE_OPENAI_ENDPOINT": fake_azure.endpoint,
        "AZURE_OPENAI_API_KEY": fake_azure.api_key,
        "AZURE_OPENAI_DEPLOYMENT": fake_azure.default_deployment,
        "DOCGEN_MODEL": "gpt-4o-mini",
        "DOCGEN_SYNC_DEBOUNCE_SECONDS": "0",
        # Tests that want the worker's metrics endpoint give it a free port.
        "DOCGEN_WORKER_METRICS_PORT": "0",
        # Spaced as in production, only shorter: tests/worker/test_github_limits.py
        # checks the spacing itself.
        "DOCGEN_GITHUB_WRITE_SPACING_SECONDS": "0.02",
        # A burst worker that crossed a cron minute would run the redelivery task as one
        # more job; tests that want it call it (tests/worker/test_redeliver*.py).
        "DOCGEN_REDELIVER_MINUTES": "0",
    }
