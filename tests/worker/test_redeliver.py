"""Which deliveries are asked for again, how often, by whom, and the cron that runs it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis.asyncio

from bot.keys import redelivery_asked_key, redelivery_lock_key
from bot.settings import Front, Settings, load_settings
from bot.worker import redeliver
from bot.worker.github import GitHubApp, HookDelivery
from bot.worker.redeliver import CRON_NAME, WINDOW, redeliver_failed, redeliver_once, to_redeliver
from bot.worker.runner import build_worker
from bot.worker.services import Services

T0 = datetime(2026, 12, 9, 8, 0, tzinfo=UTC)


def attempt(n: int, guid: str, status: int, minutes: int, redelivery: bool = False) -> HookDelivery:
    return HookDelivery(
        n, guid, T0 + timedelta(minutes=minutes), redelivery, status, "pull_request"
    )


def test_an_event_is_asked_for_once_by_its_newest_attempt_oldest_event_first() -> None:
    picked = to_redeliver(
        [
            attempt(9, "later", 503, 30),
            attempt(8, "mended", 202, 20, redelivery=True),  # a later attempt succeeded
            attempt(7, "twice", 0, 15, redelivery=True),
            attempt(6, "mended", 503, 10),
            attempt(5, "bad-signature", 401, 6),  # the same bytes get the same answer
            attempt(4, "ignored", 200, 5),
            attempt(3, "throttled", 429, 4),
            attempt(2, "twice", 502, 1),
        ]
    )
    assert [(d.guid, d.id) for d in picked] == [("twice", 7), ("throttled", 3), ("later", 9)]


@pytest.mark.parametrize(
    ("status", "again"),
    [(0, True), (500, True), (503, True), (408, True), (429, True), (400, False), (401, False)]
    + [(413, False), (200, False), (202, False)],
)
def test_only_failures_another_attempt_can_mend_are_retried(status: int, again: bool) -> None:
    assert to_redeliver([attempt(1, "g", status, 0)]) == (
        [attempt(1, "g", status, 0)] if again else []
    )


def settings_with(app_env: dict[str, str], **extra: str) -> Settings:
    return load_settings(Front.WORKER, {**app_env, **extra})


@pytest.mark.parametrize(("every", "minutes"), [("10", set(range(0, 60, 10))), ("60", {0})])
async def test_the_worker_runs_it_every_so_many_minutes(
    app_env: dict[str, str], every: str, minutes: set[int]
) -> None:
    worker = build_worker(settings_with(app_env, DOCGEN_REDELIVER_MINUTES=every))
    [job] = worker.cron_jobs
    assert (job.name, job.minute, job.unique) == (CRON_NAME, minutes, True)
    assert job.coroutine is redeliver_failed
    assert not build_worker(settings_with(app_env, DOCGEN_REDELIVER_MINUTES="0")).cron_jobs


def post_failures(fake_github: Any, count: int, *, minutes_ago: float = 1) -> list[Any]:
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return [
        fake_github.hooks.record("pull_request", b"{}", status_code=503, delivered_at=at)
        for _ in range(count)
    ]


def redelivered(fake_github: Any) -> list[int]:
    return [
        int(r.path.split("/")[-2]) for r in fake_github.requests("apps.redeliver_webhook_delivery")
    ]


async def test_a_run_asks_within_the_window_and_the_rate_and_never_twice(
    app_env: dict[str, str], fake_github: Any, redis_client: redis.asyncio.Redis
) -> None:
    fake_github.hooks.configure("http://127.0.0.1:9/hook", "s")  # redeliveries fail too
    too_old = post_failures(fake_github, 1, minutes_ago=WINDOW.total_seconds() / 60 + 5)
    recent = post_failures(fake_github, 5)
    github = GitHubApp(settings_with(app_env), redis_client)
    now = datetime.now(UTC)
    assert await redeliver_once(github, redis_client, now=now, limit=3) == 3
    assert await redeliver_once(github, redis_client, now=now, limit=3) == 2
    # Every recent event asked once, oldest first; a slow or failed one is not asked again
    # until its mark expires. The one before the window is left alone.
    assert redelivered(fake_github) == [d.id for d in recent]
    assert await redeliver_once(github, redis_client, now=now) == 0
    assert too_old[0].id not in redelivered(fake_github)
    ttl = await redis_client.pttl(redelivery_asked_key(recent[0].guid))
    assert 0 < ttl <= redeliver.ASK_AGAIN_AFTER.total_seconds() * 1000


async def test_a_listing_walk_is_bounded(
    app_env: dict[str, str],
    fake_github: Any,
    redis_client: redis.asyncio.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(redeliver, "MAX_LISTED", 150)
    post_failures(fake_github, 260)
    github = GitHubApp(settings_with(app_env), redis_client)
    assert await redeliver_once(github, redis_client, now=datetime.now(UTC), limit=0) == 0
    pages = fake_github.requests("apps.list_webhook_deliveries")
    assert len(pages) == 2 and all(r.query["per_page"] == "100" for r in pages)


async def test_one_worker_at_a_time(
    app_env: dict[str, str], fake_github: Any, redis_client: redis.asyncio.Redis
) -> None:
    post_failures(fake_github, 2)
    settings = settings_with(app_env)
    services: Any = Services(settings, GitHubApp(settings, redis_client), None, None, redis_client)  # type: ignore[arg-type]
    await redis_client.set(redelivery_lock_key(), "another-worker", ex=60)
    assert await redeliver_failed({"services": services}) == 0
    assert fake_github.requests("apps.list_webhook_deliveries") == []
    await redis_client.delete(redelivery_lock_key())
    assert await redeliver_failed({"services": services}) == 2
    assert await redis_client.get(redelivery_lock_key()) is None  # released
