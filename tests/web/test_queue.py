"""Enqueueing in arq's format: redelivery rules and synchronize bursts, with a real arq Worker."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any

import httpx
import pytest
import redis.asyncio
from arq.connections import ArqRedis, RedisSettings
from arq.jobs import Job, JobStatus, deserialize_job
from arq.worker import Worker, func
from redis.asyncio import ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.contract import JOB_FUNCTION, ReviewJob
from bot.keys import latest_push_key, legacy_superseded_key, superseded_key, suspended_key
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.events import decide
from bot.web.queue import SUPERSEDE_MARGIN_MS, JobQueue
from tests.web.support import adeliver, compact, new_delivery_id, payload, serve

# arq's Worker.close() calls redis-py's deprecated close(); nothing else may warn.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Call to deprecated close. \\(Use aclose\\(\\) instead\\):DeprecationWarning"
)

OPENED = compact(payload("pull_request.opened"))
Review = Callable[..., Coroutine[Any, Any, str]]


def _worker(redis_url: str, review: Review) -> Worker:
    return Worker(
        functions=[func(review, name=JOB_FUNCTION)],
        redis_settings=RedisSettings.from_dsn(redis_url),
        burst=True,
        handle_signals=False,
        poll_delay=0.05,
        keep_result=3600,
    )


async def _run_worker(redis_url: str, review: Review) -> None:
    worker = _worker(redis_url, review)
    try:
        await worker.async_run()
    finally:
        await worker.close()


@pytest.fixture
async def arq_redis(redis_url: str) -> AsyncIterator[ArqRedis]:
    pool = ArqRedis(pool_or_conn=ConnectionPool.from_url(redis_url))
    yield pool
    await pool.aclose(close_connection_pool=True)


def _spec(name: str = "pull_request.opened", **changes: Any) -> ReviewJob:
    data = payload(name)
    data["pull_request"].update(changes)
    spec = decide("pull_request", compact(data))
    assert isinstance(spec, ReviewJob)
    return spec


async def test_jobs_are_written_as_arq_writes_them(arq_redis: ArqRedis) -> None:
    spec = _spec()
    queue = JobQueue(arq_redis, debounce_seconds=0)
    mine = await queue.enqueue(spec, delivery_id="d-mine")
    theirs = await arq_redis.enqueue_job(
        JOB_FUNCTION, _job_id="d-arq", **spec.for_delivery("d-arq").to_kwargs()
    )
    assert mine.created and theirs is not None
    ours, arqs = [deserialize_job(await arq_redis.get(f"arq:job:{i}")) for i in ("d-mine", "d-arq")]
    assert (ours.function, ours.args, ours.job_try) == (arqs.function, arqs.args, arqs.job_try)
    assert ours.kwargs == spec.for_delivery("d-mine").to_kwargs()
    assert abs(ours.enqueue_time - arqs.enqueue_time).total_seconds() < 5
    ttl_mine, ttl_arq = (
        await arq_redis.pttl("arq:job:d-mine"),
        await arq_redis.pttl("arq:job:d-arq"),
    )
    assert abs(ttl_mine - ttl_arq) < 5_000
    assert await Job("d-mine", arq_redis).status() == JobStatus.queued
    # And arq's own enqueue refuses the id docgen used, as it would its own.
    assert await arq_redis.enqueue_job(JOB_FUNCTION, _job_id="d-mine") is None


async def test_a_real_arq_worker_runs_the_job_with_the_contract_kwargs(
    arq_redis: ArqRedis, redis_url: str
) -> None:
    seen: list[dict[str, Any]] = []

    async def review_pull_request(ctx: dict[str, Any], **kwargs: Any) -> str:
        seen.append(kwargs)
        return "reviewed"

    await JobQueue(arq_redis, debounce_seconds=0).enqueue(_spec(), delivery_id="d-1")
    await _run_worker(redis_url, review_pull_request)
    assert seen == [_spec().for_delivery("d-1").to_kwargs()]
    assert await Job("d-1", arq_redis).result(timeout=1) == "reviewed"


@pytest.fixture
def served(settings: Settings) -> Iterator[str]:
    with serve(create_app(settings)) as url:
        yield url


async def test_a_failed_delivery_redelivered_runs_again_and_a_done_one_does_not(
    served: str, redis_url: str, redis_client: redis.asyncio.Redis
) -> None:
    tries: list[int] = []

    async def review_pull_request(ctx: dict[str, Any], **kwargs: Any) -> str:
        tries.append(ctx["job_try"])
        if len(tries) == 1:
            raise RuntimeError("GitHub answered 502")
        return "reviewed"

    delivery = new_delivery_id()
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        assert (
            await adeliver(client, "pull_request", OPENED, delivery_id=delivery)
        ).status_code == 202
        await _run_worker(redis_url, review_pull_request)
        assert tries == [1]  # failed, and arq keeps the failed result

        again = await adeliver(client, "pull_request", OPENED, delivery_id=delivery)
        assert (again.status_code, again.json()) == (202, {"job_id": delivery})
        await _run_worker(redis_url, review_pull_request)
        assert tries == [1, 1]  # ran again, from try 1: the retry counter was reset

        done = await adeliver(client, "pull_request", OPENED, delivery_id=delivery)
        assert (done.status_code, done.json()) == (
            200,
            {"job_id": delivery, "reason": "already done"},
        )
    assert await redis_client.zcard("arq:queue") == 0
    assert tries == [1, 1]


async def test_a_running_delivery_redelivered_queues_nothing(
    served: str, redis_url: str, redis_client: redis.asyncio.Redis
) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    runs = 0

    async def review_pull_request(ctx: dict[str, Any], **kwargs: Any) -> str:
        nonlocal runs
        runs += 1
        started.set()
        await release.wait()
        return "reviewed"

    delivery = new_delivery_id()
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        await adeliver(client, "pull_request", OPENED, delivery_id=delivery)
        worker = asyncio.create_task(_run_worker(redis_url, review_pull_request))
        await asyncio.wait_for(started.wait(), 10)
        again = await adeliver(client, "pull_request", OPENED, delivery_id=delivery)
        release.set()
        await asyncio.wait_for(worker, 10)
    assert again.json() == {"job_id": delivery, "reason": "already queued or running"}
    assert runs == 1


def _push(head: str) -> bytes:
    data = payload("pull_request.synchronize")
    data["pull_request"]["head"]["sha"] = head
    data["after"] = head
    return compact(data)


async def test_a_synchronize_burst_reviews_only_the_newest_head(
    make_settings: Callable[..., Settings], redis_url: str, redis_client: redis.asyncio.Redis
) -> None:
    # Each push is deferred by the debounce; a newer push to the same PR removes
    # the older job while it still waits, so one review runs, for the last head.
    reviewed: list[tuple[str, str]] = []

    async def review_pull_request(ctx: dict[str, Any], **kwargs: Any) -> str:
        reviewed.append((kwargs["delivery_id"], kwargs["head_sha"]))
        return "reviewed"

    heads = [f"{i:040x}" for i in range(1, 6)]
    ids = [new_delivery_id() for _ in heads]
    with serve(create_app(make_settings(docgen_sync_debounce_seconds="1.5"))) as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            for delivery, head in zip(ids, heads, strict=True):
                answer = await adeliver(client, "pull_request", _push(head), delivery_id=delivery)
                assert (answer.status_code, answer.json()) == (202, {"job_id": delivery})
            assert await redis_client.zrange("arq:queue", 0, -1) == [ids[-1].encode()]
            await _run_worker(redis_url, review_pull_request)
            assert reviewed == [(ids[-1], heads[-1])]

            # A redelivery of a superseded push does not bring its job back.
            late = await adeliver(client, "pull_request", _push(heads[0]), delivery_id=ids[0])
    assert (late.status_code, late.json()) == (
        200,
        {"job_id": ids[0], "reason": f"superseded by {ids[1]}"},  # the push right after it
    )
    assert await redis_client.zcard("arq:queue") == 0


async def test_superseded_markers_name_the_installation(arq_redis: ArqRedis) -> None:
    queue = JobQueue(arq_redis, debounce_seconds=60)
    await queue.enqueue(_spec("pull_request.synchronize"), delivery_id="push-1")
    await queue.enqueue(_spec("pull_request.synchronize"), delivery_id="push-2")
    assert await arq_redis.get(superseded_key(58213377, "push-1")) == b"push-2"
    # A marker written before markers carried the installation still holds.
    await arq_redis.set(legacy_superseded_key("push-0"), b"push-1")
    late = await queue.enqueue(_spec("pull_request.synchronize"), delivery_id="push-0")
    assert (late.created, late.detail) == (False, "superseded by push-1")


async def test_a_suspended_installation_queues_nothing(arq_redis: ArqRedis) -> None:
    queue = JobQueue(arq_redis, debounce_seconds=0)
    await arq_redis.set(suspended_key(58213377), b"1")
    outcome = await queue.enqueue(_spec(), delivery_id="d-1")
    assert (outcome.created, outcome.ignored) == (False, True)
    assert await arq_redis.zcard("arq:queue") == 0
    await arq_redis.delete(suspended_key(58213377))
    assert (await queue.enqueue(_spec(), delivery_id="d-1")).created


async def test_a_push_whose_job_is_already_due_is_not_superseded(arq_redis: ArqRedis) -> None:
    queue = JobQueue(arq_redis, debounce_seconds=60)
    first = await queue.enqueue(_spec("pull_request.synchronize"), delivery_id="push-1")
    # As if the debounce had passed: a worker may be starting it right now.
    due = int(time.time() * 1000) + SUPERSEDE_MARGIN_MS // 2
    await arq_redis.zadd("arq:queue", {"push-1": due})
    second = await queue.enqueue(_spec("pull_request.synchronize"), delivery_id="push-2")
    assert first.created and second.created
    assert sorted(await arq_redis.zrange("arq:queue", 0, -1)) == [b"push-1", b"push-2"]
    key = latest_push_key("Acme-Data/Pipelines", 1187)
    assert await arq_redis.get(key) == b"push-2"


async def test_other_pull_requests_and_triggers_do_not_collapse(arq_redis: ArqRedis) -> None:
    queue = JobQueue(arq_redis, debounce_seconds=60)
    await queue.enqueue(_spec("pull_request.synchronize"), delivery_id="pr-1187")
    other = _spec("pull_request.synchronize", number=1188)
    await queue.enqueue(other, delivery_id="pr-1188")
    opened = await queue.enqueue(_spec(), delivery_id="opened-1187")
    assert opened.detail == "queued"
    members = dict(await arq_redis.zrange("arq:queue", 0, -1, withscores=True))
    assert set(members) == {b"pr-1187", b"pr-1188", b"opened-1187"}
    now_ms = time.time() * 1000
    assert members[b"opened-1187"] <= now_ms < members[b"pr-1187"]


async def test_concurrent_enqueues_share_round_trips(arq_redis: ArqRedis) -> None:
    queue = JobQueue(arq_redis, debounce_seconds=0)
    ids = [f"burst-{i}" for i in range(30)]
    outcomes = await asyncio.gather(
        *(queue.enqueue(_spec(), delivery_id=i) for i in ids),
        *(queue.enqueue(_spec(), delivery_id=i) for i in ids[:10]),  # racing redeliveries
    )
    assert sum(o.created for o in outcomes) == 30
    assert {o.job_id for o in outcomes if not o.created} <= set(ids[:10])
    assert await arq_redis.zcard("arq:queue") == 30
    assert queue.round_trips < len(outcomes) // 4


@pytest.mark.parametrize("concurrent", [1, 8])
async def test_a_flushed_script_cache_is_loaded_again(arq_redis: ArqRedis, concurrent: int) -> None:
    queue = JobQueue(arq_redis, debounce_seconds=0)
    await queue.enqueue(_spec(), delivery_id="before")
    await arq_redis.script_flush()  # as after a Redis restart
    outcomes = await asyncio.gather(
        *(queue.enqueue(_spec(), delivery_id=f"after-{i}") for i in range(concurrent))
    )
    assert all(o.created for o in outcomes)
    assert await arq_redis.zcard("arq:queue") == concurrent + 1


async def test_every_waiting_enqueue_fails_when_redis_is_down() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    pool = ArqRedis(pool_or_conn=ConnectionPool.from_url(f"redis://127.0.0.1:{port}/0"))
    queue = JobQueue(pool, debounce_seconds=0)
    outcomes = await asyncio.gather(
        *(queue.enqueue(_spec(), delivery_id=f"d-{i}") for i in range(5)), return_exceptions=True
    )
    await pool.aclose(close_connection_pool=True)
    assert all(isinstance(o, RedisConnectionError) for o in outcomes)
