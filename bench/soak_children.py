"""The soak test's processes: starting them, waiting on them, killing one mid-review.

Nothing here decides pass or fail by the clock. Waits poll for a state (a web process
answering, a worker seen mid-review, the queue drained) and give up only at the run's
deadline, which bounds a broken run and is never reached by a working one, however
loaded the machine.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis
from arq.constants import default_queue_name, in_progress_key_prefix

from bot import keys
from bot.worker.lease import holder_pid

POLL_SECONDS = 0.05


class Deadline:
    """The most the run may take; every wait gives up when it passes."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        """Return the seconds left (0 once passed)."""
        return max(self.end - time.monotonic(), 0.0)


def wait(
    check: Callable[[], bool], deadline: Deadline, proc: subprocess.Popen[bytes] | None = None
) -> bool:
    """Poll ``check`` until true or the deadline passes; False on the deadline.

    Raises:
        RuntimeError: ``proc`` exited while waiting on it.
    """
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"child {proc.args!r} exited with {proc.returncode}")
        try:
            if check():
                return True
        except (OSError, httpx.TransportError):
            pass
        if not deadline.left():
            return False
        time.sleep(POLL_SECONDS)


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Children:
    """The web and worker processes; every one is killed on exit, whatever happens."""

    def __init__(self, env: dict[str, str], logs: Path, deadline: Deadline) -> None:
        self.env = env
        self.logs = logs
        self.deadline = deadline
        self.webs: list[tuple[subprocess.Popen[bytes], str]] = []
        self.workers: list[subprocess.Popen[bytes]] = []
        self._count = 0
        atexit.register(self.kill_all)

    def _spawn(self, args: list[str]) -> subprocess.Popen[bytes]:
        self._count += 1
        home = self.logs / f"{args[0]}-{self._count}"
        home.mkdir()
        with (home / "out.log").open("wb") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "bot.cli", *args],
                env={**self.env, "TMPDIR": str(home)},
                cwd=home,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def start_web(self) -> str:
        """Start a ``docgen serve`` on a free port; return its URL once it is ready.

        Raises:
            RuntimeError: It exited, or was not ready by the run's deadline.
        """
        port = free_port()
        proc = self._spawn(["serve", "--host", "127.0.0.1", "--port", str(port)])
        url = f"http://127.0.0.1:{port}"
        self.webs.append((proc, url))
        ready = lambda: httpx.get(f"{url}/readyz", timeout=5).status_code == 200  # noqa: E731
        if not wait(ready, self.deadline, proc):
            raise RuntimeError(f"docgen serve on port {port} not ready by the deadline")
        return url

    def start_worker(self) -> subprocess.Popen[bytes]:
        """Start a ``docgen worker`` (it takes jobs from the queue once it is up)."""
        proc = self._spawn(["worker"])
        self.workers.append(proc)
        return proc

    def kill_all(self) -> None:
        """Kill every child still running and reap it."""
        for proc in [p for p, _ in self.webs] + self.workers:
            if proc.poll() is None:
                proc.kill()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:  # pragma: no cover - a stuck kernel
                pass


@dataclass(frozen=True)
class Kill:
    """The worker killed mid-review: its process id and the job it was running."""

    pid: int
    job_id: str
    seconds: float  # how long it took to catch a worker mid-review


@dataclass(frozen=True)
class Running:
    """A job seen running: its worker and its lease token."""

    proc: subprocess.Popen[bytes]
    job_id: str
    token: str


def _text(raw: object) -> str | None:
    return raw.decode() if isinstance(raw, bytes) else None


def running_jobs(children: Children, client: redis.Redis) -> list[Running]:
    """Return the jobs whose lease a live worker of ours holds."""
    live = {p.pid: p for p in children.workers if p.poll() is None}
    out = []
    for key in client.scan_iter(match=keys.lease_key("*")):
        token = _text(client.get(key))
        if token is not None and holder_pid(token) in live:
            job_id = key.decode()[len(keys.lease_key("")) :]
            out.append(Running(live[holder_pid(token)], job_id, token))
    return out


def mid_review(client: redis.Redis, job: Running) -> bool:
    """Tell whether ``job`` is reviewing now, with no model answer left unsettled.

    Reviewing: it holds its lease and the pull request's lock (the lock carries the
    lease's token), and arq still has it queued and in progress, so the reaper can
    hand it back. No budget reservation is live anywhere: a run killed between the
    model's answer and settling it would leave tokens the fake reported that no run
    can ever settle, and the soak checks every reported token is settled.
    """
    if _text(client.get(keys.lease_key(job.job_id))) != job.token:
        return False
    locks = client.scan_iter(match=keys.LOCK_PREFIX + "*")
    if not any(_text(client.get(k)) == job.token for k in locks):
        return False
    if not client.exists(in_progress_key_prefix + job.job_id):
        return False
    if client.zscore(default_queue_name, job.job_id) is None:
        return False
    held = client.scan_iter(match=keys.budget_month_pattern("*") + ":held")
    return not any(client.hlen(k) for k in held)


def kill_mid_review(children: Children, client: redis.Redis, deadline: Deadline) -> Kill | None:
    """SIGKILL a worker caught mid-review, start another; None if none was by the deadline.

    The worker is stopped (SIGSTOP) while it is looked at, so what is seen is still
    true when it dies: it cannot finish the review, or start settling an answer, in
    between. A worker not mid-review after all is let go on (SIGCONT).
    """
    start = time.monotonic()
    while deadline.left():
        for job in running_jobs(children, client):
            proc = job.proc
            os.kill(proc.pid, signal.SIGSTOP)
            try:
                if mid_review(client, job):
                    proc.kill()
                    proc.wait(30)
                    children.start_worker()
                    return Kill(proc.pid, job.job_id, time.monotonic() - start)
            finally:
                if proc.poll() is None:
                    os.kill(proc.pid, signal.SIGCONT)
        time.sleep(POLL_SECONDS)
    return None


def drained(client: redis.Redis) -> bool:
    """Tell whether arq's queue is empty: no job waiting, deferred or running.

    arq keeps a job in the queue until it ends, so an empty queue means nothing
    can post any more; and a killed worker's job left it only by being reaped
    and run again.
    """
    return not client.zcard(default_queue_name)
