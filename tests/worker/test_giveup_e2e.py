"""A review GitHub keeps failing: retried within bounds, then one log line and a note."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
import redis.asyncio
from arq import Retry
from arq.connections import ArqRedis
from githubkit.exception import RequestFailed

from bot.contract import ReviewJob
from bot.core.failure_note import FAILURE_START
from bot.core.summary import SUMMARY_MARKER
from bot.settings import Settings
from bot.worker.github import GitHubApp
from bot.worker.github_limits import LimitPolicy
from bot.worker.job import review_pull_request
from bot.worker.runner import MAX_TRIES
from bot.worker.services import Services, open_services
from tests.fakes.github import Route
from tests.worker.command_support import seed_pr
from tests.worker.conftest import RunWorker
from tests.worker.support import INSTALLATION, NUMBER, OWNER, REPO, send_pr, sha

FAST = LimitPolicy(spacing=0.0, backoff_base=0.02)
JOB = ReviewJob(INSTALLATION, f"{OWNER}/{REPO}", NUMBER, sha(9), "pull_request.opened", "d-1")


@pytest.fixture
async def services(app_settings: Settings, redis_url: str) -> AsyncIterator[Services]:
    """Return a worker's shared clients, retrying GitHub with a short backoff."""
    client = redis.asyncio.Redis.from_url(redis_url)
    opened = await open_services(app_settings, client)
    yield replace(opened, github=GitHubApp(app_settings, client, limits=FAST))
    await opened.aclose()
    await client.aclose()


def ctx(services: Services, job_try: int) -> dict[str, Any]:
    """Return what arq hands the job on its ``job_try``-th run."""
    queue = ArqRedis(connection_pool=services.redis.connection_pool)
    return {"services": services, "redis": queue, "job_try": job_try, "max_tries": MAX_TRIES}


def summaries(fake_github: Any) -> list[str]:
    """Return the bodies of docgen's summary comments on the test PR."""
    return [c.body for c in fake_github.issue_comments if SUMMARY_MARKER in c.body]


async def test_two_502s_then_success_finish_the_review(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    seed_pr(fake_github)
    fake_github.fail_next(Route.GET_PULL, 502, times=2)
    send_pr(web, "opened", sha(9))
    assert await run_worker() == 1
    assert [r.status for r in fake_github.requests(Route.GET_PULL)] == [502, 502, 200]
    assert len(fake_github.reviews) == 1
    [summary] = summaries(fake_github)
    assert FAILURE_START not in summary


async def test_a_retry_left_hands_the_job_back_without_a_note(
    services: Services, fake_github: Any, fake_azure: Any
) -> None:
    seed_pr(fake_github)
    fake_github.fail_next(Route.GET_PULL, 502, times=100)
    with pytest.raises(Retry):
        await review_pull_request(ctx(services, 1), **JOB.to_kwargs())
    assert summaries(fake_github) == []


async def test_502_forever_ends_in_one_log_line_and_a_note_in_the_summary(
    services: Services, fake_github: Any, fake_azure: Any, caplog: pytest.LogCaptureFixture
) -> None:
    seed_pr(fake_github)
    earlier = fake_github.add_issue_comment(OWNER, REPO, NUMBER, f"Old totals\n{SUMMARY_MARKER}")
    fake_github.fail_next(Route.GET_PULL, 502, times=100)
    caplog.set_level(logging.INFO, logger="docgen")
    with pytest.raises(RequestFailed):
        await review_pull_request(ctx(services, MAX_TRIES), **JOB.to_kwargs())
    [summary] = summaries(fake_github)
    assert summary.startswith(FAILURE_START)
    assert (
        "docgen could not finish this review: GitHub kept answering 502 "
        f"(after {MAX_TRIES} attempts). It will try again on the next push or `/docgen`."
    ) in summary
    assert summary.endswith(earlier.body)  # the earlier summary is kept under the note
    [line] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "review failed" in line.getMessage() and "cause=github_5xx" in line.getMessage()
    assert "note=posted" in line.getMessage()
    assert not fake_azure.requests
