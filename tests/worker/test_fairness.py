"""Fair shares: a burst from one installation waits for its own slots, never for others'."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import redis.asyncio

from bot import keys
from bot.worker import job
from bot.worker.fairness import SLOT_SECONDS, give_slot, take_slot
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


async def test_a_review_waits_for_its_installations_slots(
    web: httpx.Client,
    run_worker: RunWorker,
    fake_github: Any,
    redis_client: redis.asyncio.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(job, "LOCK_WAIT_SECONDS", 0.05)
    busy = int(time.time() * 1000) + 60_000
    # Two other reviews of the installation are running (the default cap is 2).
    await redis_client.zadd(keys.slots_key(INSTALLATION), {"one": busy, "two": busy})
    seed(fake_github, sha(1))
    send_pr(web, "opened", sha(1))
    worker = asyncio.create_task(run_worker())
    for _ in range(100):
        await asyncio.sleep(0.05)
        if [k async for k in redis_client.scan_iter("arq:result:*~2")]:
            break  # it has looked for a slot twice and waited
    assert not fake_github.reviews
    await give_slot(redis_client, INSTALLATION, "one")  # one of them ends
    await asyncio.wait_for(worker, 60)
    assert len(fake_github.reviews) == 1
    assert await redis_client.zrange(keys.slots_key(INSTALLATION), 0, -1) == [b"two"]
