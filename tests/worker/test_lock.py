"""One review of a pull request at a time, and a waiting review is never lost."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import redis.asyncio
from arq import create_pool
from arq.connections import RedisSettings
from arq.jobs import deserialize_result

from bot import keys
from bot.contract import ReviewJob
from bot.worker import job
from bot.worker.job import MAX_LOCK_WAITS, LockWaitExceeded, wait_turn
from bot.worker.lease import release_lock
from bot.worker.runner import MAX_TRIES
from tests.fakes.azure_faults import Slow
from tests.worker.command_support import seed_pr, send_command
from tests.worker.conftest import RunWorker
from tests.worker.support import NUMBER, OWNER, REPO, send_pr, sha
from tests.worker.test_review_e2e import seed

LOCK = f"docgen:lock:{OWNER}/{REPO}#{NUMBER}"


async def test_a_review_waits_as_long_as_the_running_one_takes(
    web: httpx.Client,
    run_worker: RunWorker,
    fake_github: Any,
    fake_azure: Any,
    redis_client: redis.asyncio.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(job, "LOCK_WAIT_SECONDS", 0.05)
    seed(fake_github, sha(1))
    await redis_client.set(LOCK, "another-delivery", ex=60)  # a review is running
    send_pr(web, "opened", sha(1))
    worker = asyncio.create_task(run_worker())
    turns = 0
    for _ in range(200):  # until the job has waited more turns than arq would retry it
        await asyncio.sleep(0.05)
        turns = len([k async for k in redis_client.scan_iter("arq:result:*~*")])
        if turns > MAX_TRIES + 1:
            break
    assert turns > MAX_TRIES + 1
    assert not fake_github.reviews and not fake_azure.requests
    assert await redis_client.get(LOCK) == b"another-delivery"  # a waiter never frees it

    await redis_client.delete(LOCK)  # the running review ends
    await asyncio.wait_for(worker, 60)
    assert len(fake_github.reviews) == 1
    assert await redis_client.get(LOCK) is None  # released once the review is done


async def test_a_lock_is_freed_only_by_the_job_holding_it(
    redis_client: redis.asyncio.Redis,
) -> None:
    # A review that outlived its lock must not free the lock another review took since.
    await redis_client.set(LOCK, "newer-delivery", ex=60)
    assert not await release_lock(redis_client, LOCK, "older-delivery")
    assert await redis_client.get(LOCK) == b"newer-delivery"
    assert await release_lock(redis_client, LOCK, "newer-delivery")
    assert await redis_client.get(LOCK) is None


def test_waiting_is_bounded_by_more_than_the_lock_can_be_held() -> None:
    assert MAX_LOCK_WAITS * job.LOCK_WAIT_SECONDS >= 2 * job.LOCK_SECONDS
    args = ReviewJob(1, f"{OWNER}/{REPO}", NUMBER, None, "comment", "d1", waits=MAX_LOCK_WAITS)
    with pytest.raises(LockWaitExceeded, match="waited"):
        asyncio.run(wait_turn(None, args))  # type: ignore[arg-type]  # fails before queueing


async def test_turns_spent_waiting_for_a_slot_are_not_bounded(redis_url: str) -> None:
    # A burst of hundreds of an installation's reviews drains in its own time.
    args = ReviewJob(1, f"{OWNER}/{REPO}", NUMBER, None, "comment", "d1")
    for _ in range(MAX_LOCK_WAITS + 1):
        args = args.next_turn(for_slot=True)
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        assert (await wait_turn(pool, args, for_slot=True)).startswith("waiting")
    finally:
        await pool.aclose()
    behind_lock = args.next_turn()
    assert behind_lock.lock_waits == 1 and behind_lock.job_id.endswith(f"~{MAX_LOCK_WAITS + 2}")


async def test_a_review_waiting_for_the_lock_starts_when_it_is_released(
    web: httpx.Client,
    run_worker: RunWorker,
    fake_github: Any,
    fake_azure: Any,
    redis_client: redis.asyncio.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Its own next look would be ten minutes away: only being woken finishes it in time.
    monkeypatch.setattr(job, "LOCK_WAIT_SECONDS", 600.0)
    fake_azure.queue_fault(Slow(1.5))  # the first review holds the lock a while
    seed_pr(fake_github)
    send_pr(web, "opened", sha(9))
    send_command(web, fake_github, "/docgen")
    await asyncio.wait_for(run_worker(), 60)
    results = [
        str(deserialize_result(await redis_client.get(k) or b"").result)
        async for k in redis_client.scan_iter("arq:result:*")
    ]
    assert any(r.startswith("waiting: another review") for r in results), results
    assert len(results) == 3  # the review, the command's wait, then the command
    assert not await redis_client.exists(keys.lock_waiters_key(f"{OWNER}/{REPO}", NUMBER))
