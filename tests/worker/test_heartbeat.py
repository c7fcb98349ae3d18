"""Each worker process beats; the liveness probe reads its own container's beat."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import redis
import redis.asyncio
from arq import create_pool
from arq.connections import RedisSettings

from bot import keys
from bot.worker.heartbeat import STALE_AFTER_SECONDS, Heartbeat, check_alive, write_beat
from tests.test_processes import base_env, stop, wait_for

PROBE = [sys.executable, "-m", "bot.worker.heartbeat"]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("written_at", "alive"),
    [(1000.0, True), (1000.0 - STALE_AFTER_SECONDS, True), (900.0, False)],
)
def test_a_beat_is_alive_while_fresh(tmp_path: Path, written_at: float, alive: bool) -> None:
    path = tmp_path / "beat"
    write_beat(path, written_at, pid=41)
    assert check_alive(path, STALE_AFTER_SECONDS, now=1000.0)[0] is alive


@pytest.mark.parametrize("content", [None, "", "{", '{"pid": 3}', '{"at": "soon"}'])
def test_no_readable_beat_is_not_alive(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "beat"
    if content is not None:
        path.write_text(content)
    alive, why = check_alive(path, STALE_AFTER_SECONDS, now=1000.0)
    assert not alive and "no readable heartbeat" in why


async def test_beats_are_spaced_and_leave_an_expiring_key(
    tmp_path: Path, redis_client: redis.asyncio.Redis
) -> None:
    clock = Clock(5000.0)
    beat = Heartbeat(tmp_path / "beat", every=5.0, clock=clock)
    assert await beat.beat(redis_client)
    clock.now += 4.0
    assert not await beat.beat(redis_client)  # too soon: nothing written
    clock.now += 1.0
    assert await beat.beat(redis_client)
    assert json.loads((tmp_path / "beat").read_text()) == {"pid": os.getpid(), "at": 5005.0}
    assert beat.key.startswith(keys.WORKER_PREFIX) and beat.key.endswith(f":{os.getpid()}")
    assert 0 < await redis_client.ttl(beat.key) <= STALE_AFTER_SECONDS
    await beat.stop(redis_client)
    assert not (tmp_path / "beat").exists()
    assert not await redis_client.exists(beat.key)


async def test_a_redis_outage_does_not_stop_the_file_beat(tmp_path: Path) -> None:
    dead = redis.asyncio.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    beat = Heartbeat(tmp_path / "beat", clock=Clock(7.0))
    try:
        assert await beat.beat(dead)
    finally:
        await dead.aclose()
    assert check_alive(tmp_path / "beat", STALE_AFTER_SECONDS, now=8.0)[0]


def probe(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(PROBE, env=env, capture_output=True, text=True, timeout=30)


def test_the_probe_follows_a_real_worker_from_start_to_stop(
    redis_url: str, tmp_path: Path, app_env: dict[str, str]
) -> None:
    env = base_env(redis_url, **app_env, TMPDIR=str(tmp_path))
    assert probe(env).returncode == 1  # nothing has beaten yet
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "worker"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    client = redis.Redis.from_url(redis_url)
    try:
        wait_for(lambda: (tmp_path / "docgen-worker.heartbeat").exists())
        answer = probe(env)
        assert answer.returncode == 0, answer.stderr
        live = [k.decode() for k in client.scan_iter(match=keys.WORKER_HEARTBEATS)]
        assert live == [keys.worker_heartbeat_key(socket.gethostname(), proc.pid)]
        code, out = stop(proc)
        assert code == 0, out
        assert probe(env).returncode == 1  # a stopped worker is not alive
        assert not list(client.scan_iter(match=keys.WORKER_HEARTBEATS))
    finally:
        if proc.poll() is None:  # pragma: no cover - only when an assert failed early
            proc.kill()
            proc.wait()
        client.close()


# A worker whose one job takes a moment; it marks when the job starts and ends.
SLOW_WORKER = """
import asyncio
from arq.worker import func
from bot.settings import Front, load_settings
from bot.worker.runner import build_worker

async def slow(ctx):
    await ctx["redis"].set("slow:started", 1)
    await asyncio.sleep(1.5)
    await ctx["redis"].set("slow:finished", 1)

build_worker(load_settings(Front.WORKER), functions=[func(slow, name="slow")]).run()
"""


async def enqueue_slow(url: str) -> None:
    pool = await create_pool(RedisSettings.from_dsn(url))
    try:
        await pool.enqueue_job("slow")
    finally:
        await pool.aclose()


def test_sigterm_lets_the_job_in_flight_finish(
    redis_url: str, tmp_path: Path, app_env: dict[str, str]
) -> None:
    env = base_env(redis_url, **app_env, TMPDIR=str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_WORKER],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    client = redis.Redis.from_url(redis_url)
    try:
        asyncio.run(enqueue_slow(redis_url))
        wait_for(lambda: client.exists("slow:started"))
        code, out = stop(proc)  # SIGTERM while the job runs
        assert code == 0, out
        assert client.exists("slow:finished"), out
    finally:
        if proc.poll() is None:  # pragma: no cover - only when an assert failed early
            proc.kill()
            proc.wait()
        client.close()
