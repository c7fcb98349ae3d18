"""docgen writes arq's private key layout itself: pin arq, and check a stock worker agrees.

bot/web/queue.py enqueues with a Lua script that writes what ``ArqRedis.enqueue_job``
would write. That layout is arq's internals, not its API, so pyproject.toml keeps
arq below its next minor release; these tests fail first if either drifts.
``tests/web/test_queue.py`` already checks the job record and the kwargs a worker
receives; here a job queued by docgen and one queued by arq run side by side, and
what the worker leaves behind must be the same for both.
"""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from arq.connections import ArqRedis, RedisSettings
from arq.constants import (
    default_queue_name,
    in_progress_key_prefix,
    job_key_prefix,
    result_key_prefix,
    retry_key_prefix,
)
from arq.jobs import Job, JobStatus, deserialize_result
from arq.worker import Worker, func

# packaging comes with pytest, so the dev environment always has it.
from packaging.requirements import Requirement
from redis.asyncio import ConnectionPool

from bot.contract import JOB_FUNCTION, ReviewJob
from bot.web.events import decide
from bot.web.queue import JobQueue
from tests.web.support import compact, payload

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
KEEP_RESULT_S = 3600


def _arq_requirement() -> Requirement:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    [arq] = [r for r in map(Requirement, project["dependencies"]) if r.name == "arq"]
    return arq


def test_installed_arq_is_inside_the_pin() -> None:
    pin = _arq_requirement().specifier
    assert any(s.operator == "<" for s in pin), f"arq needs an upper bound, got {pin}"
    assert pin.contains(version("arq")), f"arq {version('arq')} is outside {pin}"


@pytest.fixture
async def arq_redis(redis_url: str) -> AsyncIterator[ArqRedis]:
    pool = ArqRedis(pool_or_conn=ConnectionPool.from_url(redis_url))
    yield pool
    await pool.aclose(close_connection_pool=True)


def _spec() -> ReviewJob:
    spec = decide("pull_request", compact(payload("pull_request.opened")))
    assert isinstance(spec, ReviewJob)
    return spec


async def _run_worker(redis_url: str, review: Any) -> int:
    worker = Worker(
        functions=[func(review, name=JOB_FUNCTION)],
        redis_settings=RedisSettings.from_dsn(redis_url),
        burst=True,
        handle_signals=False,
        poll_delay=0.05,
        keep_result=KEEP_RESULT_S,
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()
    return worker.jobs_complete


async def test_a_worker_stores_the_same_result_for_docgen_and_arq_jobs(
    arq_redis: ArqRedis, redis_url: str
) -> None:
    seen: dict[str, dict[str, Any]] = {}

    async def review_pull_request(ctx: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        seen[ctx["job_id"]] = kwargs
        return {"posted": 3, "job_try": ctx["job_try"]}

    spec = _spec()
    ours = await JobQueue(arq_redis, debounce_seconds=0).enqueue(spec, delivery_id="d-lua")
    theirs = await arq_redis.enqueue_job(
        JOB_FUNCTION, _job_id="d-arq", **spec.for_delivery("d-arq").to_kwargs()
    )
    assert ours.created and theirs is not None
    assert await _run_worker(redis_url, review_pull_request) == 2

    assert seen == {i: spec.for_delivery(i).to_kwargs() for i in ("d-lua", "d-arq")}
    results = {}
    for job_id in ("d-lua", "d-arq"):
        job = Job(job_id, arq_redis)
        assert await job.status() == JobStatus.complete
        assert await job.result(timeout=1) == {"posted": 3, "job_try": 1}
        results[job_id] = deserialize_result(await arq_redis.get(result_key_prefix + job_id))
        ttl_ms = await arq_redis.pttl(result_key_prefix + job_id)
        assert KEEP_RESULT_S * 1000 - 10_000 < ttl_ms <= KEEP_RESULT_S * 1000
    lua, stock = results["d-lua"], results["d-arq"]
    assert (lua.success, lua.function, lua.args, lua.job_try, lua.queue_name) == (
        True,
        JOB_FUNCTION,
        (),
        1,
        default_queue_name,
    )
    assert (lua.success, lua.function, lua.args, lua.job_try, lua.queue_name) == (
        stock.success,
        stock.function,
        stock.args,
        stock.job_try,
        stock.queue_name,
    )
    assert (lua.job_id, lua.kwargs) == ("d-lua", spec.for_delivery("d-lua").to_kwargs())
    assert lua.enqueue_time <= lua.start_time <= lua.finish_time
    # Nothing of either job is left but its result.
    assert await arq_redis.zcard(default_queue_name) == 0
    for prefix in (job_key_prefix, in_progress_key_prefix, retry_key_prefix):
        assert await arq_redis.keys(prefix + "*") == []
