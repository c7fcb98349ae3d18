"""A worker killed mid-review: another worker runs the review again within 30 s, posting once.

Two real ``docgen worker`` processes share the test's Redis, the fake GitHub and the
fake Azure. The worker holding the review (named by its lease) is killed with SIGKILL
after its review reached the pull request but while its summary is still on the way:
the other worker's reaper hands the job back, and the run that replaces it finds its
suggestions by their markers, posts no second review and one summary, and completes
the Check Run the dead worker started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from bot import keys
from bot.worker.lease import holder_pid
from tests.fakes.github_model import ApiError
from tests.test_processes import base_env, wait_for
from tests.worker.support import send_pr, sha
from tests.worker.test_review_e2e import seed, summaries

BOUND_SECONDS = 30.0  # from the kill to the review's summary on the pull request


class HeldSummary:
    """Holds the first summary the fake GitHub receives until the test lets it go, then drops it.

    The worker that sent it is dead by then, as if killed while its request was on the wire.
    """

    def __init__(self, fake_github: Any) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()
        self._create = fake_github.create_issue_comment
        self._first = True

    def __call__(self, owner: str, repo: str, number: int, body: object) -> Any:
        if self._first:
            self._first = False
            self.arrived.set()
            self.release.wait(30)
            raise ApiError(502, {"message": "Bad Gateway"})
        return self._create(owner, repo, number, body)


@pytest.fixture
def workers(app_env: dict[str, str], redis_url: str, tmp_path: Path) -> Iterator[list[Any]]:
    """Start two ``docgen worker`` processes; kill whatever is left at the end."""
    procs: list[subprocess.Popen[bytes]] = []
    for n in (1, 2):
        home = tmp_path / f"worker-{n}"
        home.mkdir()
        log = (home / "out.log").open("wb")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "worker"],
                env=base_env(redis_url, **app_env, TMPDIR=str(home)),
                cwd=home,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        log.close()
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)


def lease_holder(client: redis.Redis) -> int:
    """Return the pid of the process holding the one running job's lease."""
    leases = list(client.scan_iter(match=keys.lease_key("*")))
    assert len(leases) == 1, leases
    token = client.get(leases[0])
    assert isinstance(token, bytes), token
    return holder_pid(token.decode())


def test_a_killed_workers_review_runs_again_and_posts_once(
    web: httpx.Client,
    fake_github: Any,
    fake_azure: Any,
    redis_url: str,
    workers: list[subprocess.Popen[bytes]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(fake_github, sha(1))
    held = HeldSummary(fake_github)
    monkeypatch.setattr(fake_github, "create_issue_comment", held)
    client = redis.Redis.from_url(redis_url)
    try:
        send_pr(web, "opened", sha(1))
        assert held.arrived.wait(30), "the review never reached its summary"
        assert len(fake_github.reviews) == 1  # posted before the summary
        victim = lease_holder(client)
        survivor = next(p for p in workers if p.pid != victim)
        os.kill(victim, signal.SIGKILL)
        next(p for p in workers if p.pid == victim).wait(10)
        held.release.set()

        wait_for(lambda: summaries(fake_github), seconds=BOUND_SECONDS)
        wait_for(lambda: not list(client.scan_iter(match=keys.lease_key("*"))), seconds=10)
    finally:
        held.release.set()
        client.close()
    assert len(fake_github.reviews) == 1, "the review was posted twice"
    assert len(summaries(fake_github)) == 1
    # The run that replaced the dead one took up its Check Run: none is left spinning.
    [run] = fake_github.check_runs
    assert run.status == "completed", run
    assert client_get(redis_url, keys.reaped_jobs_key()) == b"1"
    assert survivor.poll() is None  # the survivor did the work and still runs
    logs = (tmp_path / "worker-1" / "out.log").read_text() + (
        tmp_path / "worker-2" / "out.log"
    ).read_text()
    assert "reaped job=" in logs, logs


def client_get(redis_url: str, key: str) -> bytes:
    """Return the value of ``key`` (it must exist)."""
    with redis.Redis.from_url(redis_url) as c:
        value = c.get(key)
    assert isinstance(value, bytes), value
    return value
