"""Deliveries lost to an outage come back: ask GitHub to redeliver the ones that failed.

GitHub never redelivers a failed webhook delivery by itself. While Redis or the web
process is down, deliveries are answered 503 or not at all, and the reviews they
asked for would be lost. Every ``DOCGEN_REDELIVER_MINUTES`` one worker (an arq cron
job, and a Redis lock for runs that overlap) lists the App's deliveries of the last
``WINDOW`` (``GET /app/hook/deliveries``, the App's JWT) and asks GitHub to redeliver
(``POST /app/hook/deliveries/{id}/attempts``) each event none of whose attempts
succeeded, oldest first, at most ``MAX_PER_RUN`` a run.

A redelivery keeps the event's ``X-GitHub-Delivery``, which is the job id, so an
event whose job was in fact queued is not run twice (``bot.web.queue``). Each event
asked for is marked in Redis for ``ASK_AGAIN_AFTER``: a redelivery that GitHub has
not made yet is not asked for again, and one that failed again is, later.

Only failures a new attempt can mend are redelivered: no answer (status 0), 5xx,
408 and 429. Any other 4xx is docgen's verdict on the delivery itself (a wrong
signature, a malformed or oversized body): the same bytes would get the same answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import redis.asyncio
from arq.cron import CronJob, cron
from githubkit.exception import GitHubException, RequestFailed
from redis.exceptions import LockError

from bot.keys import redelivery_asked_key, redelivery_lock_key
from bot.logging_setup import kv
from bot.settings import Settings
from bot.worker.github import GitHubApp, HookDelivery

log = logging.getLogger("docgen.redeliver")

# GitHub redelivers up to three days back; six hours covers an outage noticed late
# without walking thousands of deliveries each run.
WINDOW = timedelta(hours=6)
MAX_LISTED = 1000  # ten pages of 100, newest first
MAX_PER_RUN = 30  # each one costs GitHub a POST and docgen a delivery to take in
ASK_AGAIN_AFTER = timedelta(hours=1)
LOCK_SECONDS = 300
CRON_NAME = "docgen.redeliver_failed"
_RETRYABLE_4XX = frozenset({408, 429})


def retryable(status_code: int) -> bool:
    """Return True if a delivery answered ``status_code`` may succeed when sent again."""
    return status_code == 0 or status_code >= 500 or status_code in _RETRYABLE_4XX


def succeeded(status_code: int) -> bool:
    """Return True if GitHub counts the answer as a successful delivery."""
    return 200 <= status_code < 300


def to_redeliver(deliveries: Iterable[HookDelivery]) -> list[HookDelivery]:
    """Return the newest attempt of each event that never succeeded and may yet, oldest first.

    Events are told apart by ``guid``; an event with any successful attempt is done.
    """
    attempts: dict[str, list[HookDelivery]] = {}
    for delivery in deliveries:
        attempts.setdefault(delivery.guid, []).append(delivery)
    picked: list[tuple[datetime, HookDelivery]] = []
    for tries in attempts.values():
        if any(succeeded(t.status_code) for t in tries):
            continue
        newest = max(tries, key=lambda t: (t.delivered_at, t.id))
        if retryable(newest.status_code):
            picked.append((min(t.delivered_at for t in tries), newest))
    picked.sort(key=lambda pair: (pair[0], pair[1].id))
    return [delivery for _, delivery in picked]


async def redeliver_once(
    github: GitHubApp, client: redis.asyncio.Redis, *, now: datetime, limit: int = MAX_PER_RUN
) -> int:
    """Ask GitHub to redeliver the failed deliveries of the window; return how many were asked."""
    listed = await github.hook_deliveries(now - WINDOW, MAX_LISTED)
    asked = 0
    for delivery in to_redeliver(listed):
        if asked >= limit:
            break
        mark = redelivery_asked_key(delivery.guid)
        if not await client.set(mark, delivery.id, nx=True, px=_ms(ASK_AGAIN_AFTER)):
            continue  # asked already; GitHub may not have sent it yet
        try:
            await github.redeliver(delivery.id)
        except GitHubException as exc:
            if not _gone(exc):
                await client.delete(mark)  # GitHub could not take it now: next run asks
                _log_failure(delivery, exc, stopped=True)
                break
            _log_failure(delivery, exc, stopped=False)  # too old or gone: never again
            continue
        asked += 1
        line = kv(
            msg="redelivery asked",
            delivery_id=delivery.guid,
            attempt=delivery.id,
            event=delivery.event,
            status=delivery.status_code,
        )
        log.info("%s", line)
    return asked


async def redeliver_failed(ctx: dict[str, Any]) -> int:
    """Run ``redeliver_once`` unless another worker is running it (the arq cron job)."""
    services = ctx["services"]
    lock = services.redis.lock(redelivery_lock_key(), timeout=LOCK_SECONDS, blocking=False)
    if not await lock.acquire():
        log.info("%s", kv(msg="redelivery skipped", reason="another worker is running it"))
        return 0
    try:
        return await redeliver_once(services.github, services.redis, now=datetime.now(UTC))
    except GitHubException as exc:  # listing failed: the next run tries again
        log.warning("%s", kv(msg="redelivery failed", error=type(exc).__name__))
        return 0
    finally:
        try:
            await lock.release()
        except LockError:
            pass  # expired meanwhile: it is no longer ours to release


def redelivery_cron(settings: Settings) -> list[CronJob]:
    """Return the cron job that runs ``redeliver_failed`` every DOCGEN_REDELIVER_MINUTES.

    It runs at the minutes of the hour divisible by the setting; 0 turns it off.
    """
    every = settings.docgen_redeliver_minutes
    if every <= 0:
        return []
    minutes = set(range(0, 60, every))
    return [cron(redeliver_failed, name=CRON_NAME, minute=minutes, timeout=LOCK_SECONDS)]


def _gone(exc: GitHubException) -> bool:
    # 404: no such delivery; 422: too old to redeliver (GitHub keeps three days).
    return isinstance(exc, RequestFailed) and exc.response.status_code in (404, 422)


def _ms(delta: timedelta) -> int:
    return int(delta.total_seconds() * 1000)


def _log_failure(delivery: HookDelivery, exc: GitHubException, *, stopped: bool) -> None:
    status = exc.response.status_code if isinstance(exc, RequestFailed) else None
    line = kv(
        msg="redelivery refused",
        delivery_id=delivery.guid,
        attempt=delivery.id,
        status=status,
        run_stopped=stopped,
    )
    log.warning("%s", line)
