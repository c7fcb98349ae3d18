"""Leases and the reaper against a real Redis: who holds a job, and when it is handed back."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio
from arq import create_pool
from arq.constants import default_queue_name, in_progress_key_prefix

from bot import keys
from bot.settings import Settings
from bot.worker.lease import LeaseLost, Leases, forget_lock, holder_pid, lock_owner, take_lock
from bot.worker.reaper import Reaper, reaped_count
from bot.worker.runner import build_worker, redis_settings

MARK_SECONDS = 610.0  # arq's in-progress life for a 600 s job timeout
LOCK = keys.lock_key("octo/shop", 7)


def reaper(holder: str = "host-b:2") -> Reaper:
    return Reaper(holder=holder, queue_name=default_queue_name, in_progress_seconds=MARK_SECONDS)


async def start_job(client: redis.asyncio.Redis, job_id: str, *, age: float = 60.0) -> str:
    """Queue ``job_id`` and mark it in progress as arq would have ``age`` seconds ago."""
    await client.zadd(default_queue_name, {job_id: 1})
    mark = in_progress_key_prefix + job_id
    await client.psetex(mark, int((MARK_SECONDS - age) * 1000), b"1")
    return mark


async def test_a_lease_names_its_holder_and_is_renewed_until_dropped(
    redis_client: redis.asyncio.Redis,
) -> None:
    leases = Leases("host-a:41", ttl=2.0)
    lease = await leases.take(redis_client, "job-1")
    assert holder_pid((await redis_client.get(keys.lease_key("job-1"))).decode()) == 41
    await redis_client.pexpire(keys.lease_key("job-1"), 100)  # nearly lapsed
    assert await leases.renew(redis_client) == []
    assert await redis_client.pttl(keys.lease_key("job-1")) > 1000
    await leases.drop(redis_client, lease.job_id)
    assert not await redis_client.exists(keys.lease_key("job-1"))
    assert leases.held == {}


async def test_a_lease_taken_over_is_lost_and_its_job_stopped(
    redis_client: redis.asyncio.Redis,
) -> None:
    stopped: list[str] = []
    leases = Leases("host-a:41", on_lost=stopped.append)
    lease = await leases.take(redis_client, "job-1")
    await redis_client.set(keys.lease_key("job-1"), "host-b:2:run")  # another run has it
    assert await leases.renew(redis_client) == ["job-1"]
    assert stopped == ["job-1"] and leases.is_lost("job-1")
    await leases.drop(redis_client, lease.job_id)
    assert await redis_client.get(keys.lease_key("job-1")) == b"host-b:2:run"  # not ours


async def test_a_pr_lock_lives_and_lapses_with_its_lease(
    redis_client: redis.asyncio.Redis,
) -> None:
    leases = Leases("host-a:41", ttl=5.0)
    lease = await leases.take(redis_client, "job-1")
    ctx = {"lease": lease, "leases": leases}
    owner = lock_owner(ctx, "delivery-1")
    assert owner == lease.token
    assert await take_lock(ctx, redis_client, LOCK, owner, seconds=660)
    lock_ttl, lease_ttl = await redis_client.pttl(LOCK), await redis_client.pttl(lease.keys[0])
    assert 0 < lock_ttl < lease_ttl  # the lock never outlives the lease
    await leases.renew(redis_client)
    lock_ttl, lease_ttl = await redis_client.pttl(LOCK), await redis_client.pttl(lease.keys[0])
    assert 0 < lock_ttl < lease_ttl
    other = await Leases("host-b:2").take(redis_client, "job-2")
    assert not await take_lock(
        {"lease": other, "leases": leases}, redis_client, LOCK, other.token, seconds=660
    )
    # A renewal finding the lock gone (taken over, or lapsed) stops the job.
    await redis_client.set(LOCK, "someone-else")
    assert await leases.renew(redis_client) == ["job-1"]
    forget_lock(ctx, LOCK)  # what the job does before releasing it
    assert lease.keys == [keys.lease_key("job-1")]


async def test_a_lock_cannot_be_taken_once_the_lease_is_gone(
    redis_client: redis.asyncio.Redis,
) -> None:
    leases = Leases("host-a:41")
    lease = await leases.take(redis_client, "job-1")
    await redis_client.delete(keys.lease_key("job-1"))
    with pytest.raises(LeaseLost):
        await take_lock({"lease": lease, "leases": leases}, redis_client, LOCK, "x", seconds=9)
    assert not await redis_client.exists(LOCK)


async def test_without_a_lease_the_lock_simply_expires(
    redis_client: redis.asyncio.Redis,
) -> None:
    assert lock_owner({}, "delivery-1") == "delivery-1"
    assert await take_lock({}, redis_client, LOCK, "delivery-1", seconds=660)
    assert 600 < await redis_client.ttl(LOCK) <= 660


async def test_the_reaper_hands_back_only_queued_jobs_nobody_leases(
    redis_client: redis.asyncio.Redis,
) -> None:
    dead = await start_job(redis_client, "dead")  # its worker died: no lease
    held = await start_job(redis_client, "held")
    await Leases("host-a:41").take(redis_client, "held")
    young = await start_job(redis_client, "young", age=1.0)  # lease not taken yet
    done = in_progress_key_prefix + "cron-done"  # arq keeps a finished cron job's mark
    await redis_client.psetex(done, 60_000, b"1")

    assert await reaper().reap(redis_client) == ["dead"]
    assert not await redis_client.exists(dead)
    assert await redis_client.exists(held, young, done) == 3
    assert await redis_client.zscore(default_queue_name, "dead") is not None  # runs again
    assert await reaped_count(redis_client) == 1


async def test_one_reaper_pass_at_a_time(redis_client: redis.asyncio.Redis) -> None:
    await start_job(redis_client, "dead")
    await start_job(redis_client, "dead-too")
    first, second = await asyncio.gather(
        reaper("a:1").reap(redis_client), reaper("b:2").reap(redis_client)
    )
    assert sorted([*first, *second]) == ["dead", "dead-too"]
    assert not first or not second  # one pass did all, the other found the lock taken
    assert await reaped_count(redis_client) == 2


async def test_a_run_that_lost_its_lease_leaves_arqs_marks_to_its_successor(
    app_settings: Settings, redis_client: redis.asyncio.Redis
) -> None:
    worker = build_worker(app_settings, handle_signals=False)
    pool = await create_pool(redis_settings(app_settings))
    worker._pool = pool  # what main() does, without starting the poll loop
    try:
        mark = await start_job(redis_client, "job-1")
        lease = await worker.life.leases.take(pool, "job-1")
        await redis_client.set(keys.lease_key("job-1"), "host-b:2:run")  # taken over
        assert await worker.life.leases.renew(pool) == ["job-1"]
        await worker.finish_job("job-1", True, None, 60, False, None, None)
        assert await redis_client.exists(mark)  # the successor's run is still marked
        assert await redis_client.zscore(default_queue_name, "job-1") is not None
        await worker.run_job("job-gone", 0)  # no job data: arq fails it; no lease stays behind
        assert "job-gone" not in worker.life.leases.held
        assert lease.lost
    finally:
        await pool.aclose()
