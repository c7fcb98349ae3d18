"""Fair shares: a burst from one installation waits for its own slots, never for others'."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import redis.asyncio
from arq.constants import default_queue_name

from bot import keys
from bot.worker import job
from bot.worker.fairness import (
    SLOT_SECONDS,
    give_slot,
    take_job_slot,
    take_slot,
)
from bot.worker.lease import Leases
from bot.worker.waiters import join
from tests.worker.conftest import RunWorker
from tests.worker.support import INSTALLATION, send_pr, sha
from tests.worker.test_review_e2e import seed


async def test_an_installation_holds_at_most_its_cap(redis_client: redis.asyncio.Redis) -> None:
    assert await take_slot(redis_client, 1, "a", cap=2)
    assert await take_slot(redis_client, 1, "b", cap=2)
    assert not await take_slot(redis_client, 1, "c", cap=2)
    assert await take_slot(redis_client, 1, "a", cap=2)  # a holder taking again keeps its slot
    assert await take_slot(redis_client, 2, "c", cap=2)  # another installation is not held up
    await give_slot(redis_client, 1, "a")
    assert await take_slot(redis_client, 1, "c", cap=2)


async def test_a_dead_workers_slot_lapses(redis_client: redis.asyncio.Redis) -> None:
    lapsed = int(time.time() * 1000) - 1
    await redis_client.zadd(keys.slots_key(1), {"dead-worker-job": lapsed})
    assert await take_slot(redis_client, 1, "fresh", cap=1)
    assert await redis_client.zscore(keys.slots_key(1), "dead-worker-job") is None
    ttl = await redis_client.pttl(keys.slots_key(1))
    assert 0 < ttl <= SLOT_SECONDS * 1000


async def test_a_slot_lives_with_its_jobs_lease(redis_client: redis.asyncio.Redis) -> None:
    leases = Leases("host-a:41", ttl=0.4)
    lease = await leases.take(redis_client, "job-1")
    ctx = {"lease": lease, "leases": leases}
    assert await take_job_slot(ctx, redis_client, 1, "delivery-1", cap=1)
    first = await redis_client.zscore(keys.slots_key(1), "delivery-1")
    await asyncio.sleep(0.25)
    assert await leases.renew(redis_client) == []  # the job still runs: its slot moves on
    renewed = await redis_client.zscore(keys.slots_key(1), "delivery-1")
    assert first is not None and renewed is not None and renewed > first
    assert not await take_slot(redis_client, 1, "delivery-2", cap=1)
    # The worker dies: nothing renews the lease, and the slot lapses with it, not
    # after the job timeout.
    await asyncio.sleep(0.5)
    assert await take_slot(redis_client, 1, "delivery-2", cap=1)


async def test_a_slot_given_back_is_not_renewed(redis_client: redis.asyncio.Redis) -> None:
    leases = Leases("host-a:41", ttl=5.0)
    lease = await leases.take(redis_client, "job-1")
    assert await take_job_slot(
        {"lease": lease, "leases": leases}, redis_client, 1, "delivery-1", cap=1
    )
    await give_slot(redis_client, 1, "delivery-1")
    await leases.renew(redis_client)
    assert await redis_client.zcard(keys.slots_key(1)) == 0


async def test_a_slot_given_back_wakes_the_first_waiting_review(
    redis_client: redis.asyncio.Redis,
) -> None:
    queue = "arq:queue:test-wake"
    later = int(time.time() * 1000) + 15_000  # each waiter's own next look
    await redis_client.zadd(queue, {"ran-already~1": later, "first~1": later, "second~1": later})
    for waiter in ("ran-already~1", "first~1", "second~1"):
        await join(redis_client, keys.slot_waiters_key(1), waiter)
    await redis_client.zrem(queue, "ran-already~1")  # it looked again on its own and ran
    await take_slot(redis_client, 1, "running", cap=1)
    await give_slot(redis_client, 1, "running", queue_name=queue)
    now = time.time() * 1000
    assert (await redis_client.zscore(queue, "first~1") or later) <= now
    assert await redis_client.zscore(queue, "second~1") == later  # one slot, one review woken
    assert await redis_client.zrange(keys.slot_waiters_key(1), 0, -1) == [b"second~1"]
    # Giving back a slot nobody held wakes nobody.
    await give_slot(redis_client, 1, "never-held", queue_name=queue)
    assert await redis_client.zscore(queue, "second~1") == later


async def review_behind_two_others(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, client: redis.asyncio.Redis
) -> asyncio.Task[int]:
    """Send a PR while two other reviews of its installation run (the default cap is 2)."""
    busy = int(time.time() * 1000) + 60_000
    await client.zadd(keys.slots_key(INSTALLATION), {"one": busy, "two": busy})
    seed(fake_github, sha(1))
    send_pr(web, "opened", sha(1))
    return asyncio.create_task(run_worker())


async def test_a_review_waits_for_its_installations_slots(
    web: httpx.Client,
    run_worker: RunWorker,
    fake_github: Any,
    redis_client: redis.asyncio.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(job, "LOCK_WAIT_SECONDS", 0.05)
    worker = await review_behind_two_others(web, run_worker, fake_github, redis_client)
    for _ in range(100):
        await asyncio.sleep(0.05)
        if [k async for k in redis_client.scan_iter("arq:result:*~2")]:
            break  # it has looked for a slot twice and waited
    assert not fake_github.reviews
    await give_slot(redis_client, INSTALLATION, "one")  # one of them ends
    await asyncio.wait_for(worker, 60)
    assert len(fake_github.reviews) == 1
    assert await redis_client.zrange(keys.slots_key(INSTALLATION), 0, -1) == [b"two"]


async def test_a_waiting_review_starts_as_soon_as_a_slot_is_given_back(
    web: httpx.Client,
    run_worker: RunWorker,
    fake_github: Any,
    redis_client: redis.asyncio.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Its own next look would be ten minutes away: only being woken finishes it in time.
    monkeypatch.setattr(job, "LOCK_WAIT_SECONDS", 600.0)
    worker = await review_behind_two_others(web, run_worker, fake_github, redis_client)
    for _ in range(200):
        await asyncio.sleep(0.05)
        if await redis_client.zcard(keys.slot_waiters_key(INSTALLATION)):
            break
    assert not fake_github.reviews
    await give_slot(redis_client, INSTALLATION, "one", queue_name=default_queue_name)
    await asyncio.wait_for(worker, 60)
    assert len(fake_github.reviews) == 1
