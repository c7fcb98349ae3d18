"""Fixtures for the web tests: settings on the test Redis, and a served app."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from bot.settings import Settings
from bot.web.app import create_app
from tests.web.support import OLD_SECRET, SECRET, serve


@pytest.fixture
def make_settings(redis_url: str) -> Callable[..., Settings]:
    """Return a builder of web settings on the test's Redis database (no debounce by default)."""

    def build(**overrides: str) -> Settings:
        env = {
            "GITHUB_WEBHOOK_SECRET": SECRET,
            "GITHUB_WEBHOOK_PREVIOUS_SECRETS": OLD_SECRET,
            "REDIS_URL": redis_url,
            "DOCGEN_SYNC_DEBOUNCE_SECONDS": "0",
        }
        env.update({k.upper(): v for k, v in overrides.items()})
        return Settings.from_env(env)

    return build


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    """Return web settings on the test's Redis database, without debounce."""
    return make_settings()


@pytest.fixture
def base_url(settings: Settings) -> Iterator[str]:
    """Serve ``create_app(settings)`` under uvicorn and yield its URL."""
    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    """Return an HTTP client for the served app."""
    with httpx.Client(base_url=base_url, timeout=10) as c:
        yield c
