"""Fixtures for the end-to-end job tests: the web app served, a burst worker, a seeded PR."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import httpx
import pytest

from bot.settings import Front, Settings, load_settings
from bot.web.app import create_app
from bot.worker.runner import build_worker
from tests.web.support import serve

RunWorker = Callable[[], Coroutine[Any, Any, int]]


@pytest.fixture
def app_settings(app_env: dict[str, str]) -> Settings:
    """Return settings that pass both the web and the worker checks."""
    load_settings(Front.WEB, app_env)
    return load_settings(Front.WORKER, app_env)


@pytest.fixture
def web(app_settings: Settings) -> Iterator[httpx.Client]:
    """Serve the real web app under uvicorn; return a client for it."""
    with serve(create_app(app_settings)) as url, httpx.Client(base_url=url, timeout=10) as c:
        yield c


@pytest.fixture
def run_worker(app_settings: Settings) -> RunWorker:
    """Return a coroutine function that runs a burst worker until the queue is empty."""

    return lambda: run_burst(app_settings)


async def run_burst(settings: Settings, **options: Any) -> int:
    """Run a burst worker until the queue is empty; return how many jobs it completed."""
    worker = build_worker(settings, burst=True, handle_signals=False, poll_delay=0.05, **options)
    try:
        await worker.main()
    finally:
        await worker.close()
    return worker.jobs_complete
