"""Soak test: many installations, faults everywhere, a worker killed mid-run; nothing lost.

Run from the repository root, with Redis on 127.0.0.1:6379:

    .venv/bin/python bench/soak.py --short   # 3 installations, 12 PRs, < 60 s (CI)
    .venv/bin/python bench/soak.py           # 6 installations, 60 PRs

It starts 2 ``docgen serve`` and 3 ``docgen worker`` processes against the real Redis
(database ``--redis-db``, default ``$DOCGEN_TEST_REDIS_DB`` or 13, flushed at the start),
with the fake GitHub and the fake Azure OpenAI served from threads of this process on
127.0.0.1. Azure answers some requests 429 or 503 and some slowly; GitHub answers about
1 % of requests 502. Signed ``pull_request.opened`` deliveries go to the two web
processes alternately, the large installation's burst first; some are sent twice at
once (same ``X-GitHub-Delivery``, to the other web) and some again at the end (a
redelivery). A third of the way through the sending, the worker holding a review's
lease is killed with SIGKILL and a new worker started.

At the end it checks, and prints: every PR has exactly one review for its head SHA
suggesting each new function once (never the documented one) and one summary; every
token the fake reported is settled in the installations' budget hashes; a small
installation's PR waited at most 60 s from its first delivery to its review, and their
median no more than the large installation's + 2 s. Figures: deliveries/s held, p50/p99
delivery-to-review, jobs reaped, PRs lost. The last line, ``SOAK {...}``, is the same as
JSON. Exit 1 when a check fails. Every child is killed on the way out.
"""

from __future__ import annotations

import argparse
import atexit
import datetime
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import redis  # noqa: E402
from arq.constants import default_queue_name  # noqa: E402

from bench import soak_checks as checks  # noqa: E402
from bench.soak_plan import (  # noqa: E402
    LONG,
    SHORT,
    Pr,
    azure_faults,
    build_prs,
    opened_body,
    seed_github,
    summary_json,
)
from bot import keys  # noqa: E402
from bot.worker.lease import holder_pid  # noqa: E402
from tests.fakes.azure import FakeAzureOpenAI  # noqa: E402
from tests.fakes.github import FakeGitHubServer  # noqa: E402
from tests.fakes.github_model import Fault, Route  # noqa: E402
from tests.web.support import SECRET, headers  # noqa: E402

MODEL = "gpt-4o-mini"
GITHUB_502_RATE = 0.01
_WRITES = frozenset(
    r.value
    for r in (
        Route.CREATE_REVIEW,
        Route.CREATE_ISSUE_COMMENT,
        Route.UPDATE_ISSUE_COMMENT,
        Route.CREATE_CHECK_RUN,
        Route.UPDATE_CHECK_RUN,
        Route.CREATE_REACTION,
    )
)


class Children:
    """The web and worker processes; every one is killed on exit, whatever happens."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.webs: list[tuple[subprocess.Popen[bytes], str]] = []
        self.workers: list[subprocess.Popen[bytes]] = []
        self._count = 0
        atexit.register(self.kill_all)

    def _spawn(self, args: list[str], extra: dict[str, str]) -> subprocess.Popen[bytes]:
        self._count += 1
        home = self.logs / f"{args[0]}-{self._count}"
        home.mkdir()
        with (home / "out.log").open("wb") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "bot.cli", *args],
                env={**self.env, "TMPDIR": str(home), **extra},
                cwd=home,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def start_web(self) -> str:
        """Start a ``docgen serve`` on a free port; return its URL once ready."""
        port = free_port()
        proc = self._spawn(["serve", "--host", "127.0.0.1", "--port", str(port)], {})
        url = f"http://127.0.0.1:{port}"
        self.webs.append((proc, url))
        wait(lambda: httpx.get(f"{url}/readyz", timeout=1).status_code == 200, 30, proc)
        return url

    def start_worker(self) -> subprocess.Popen[bytes]:
        """Start a ``docgen worker``."""
        proc = self._spawn(["worker"], {})
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


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait(
    check: Callable[[], bool], seconds: float, proc: subprocess.Popen[bytes] | None = None
) -> bool:
    """Poll ``check`` until true or ``seconds`` pass; False on timeout."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"child {proc.args!r} exited with {proc.returncode}")
        try:
            if check():
                return True
        except (OSError, httpx.TransportError):
            pass
        time.sleep(0.1)
    return False


def inject_github_502s(fake: Any, rng: random.Random, *, reads_only: bool) -> None:
    """Answer about 1 % of the fake GitHub's requests 502, on top of queued faults.

    With ``reads_only``, writes are spared: a write answered 5xx hands the job back to
    arq for 30 s, which the short version has no time for (the long one covers it).
    """
    take = fake.take_fault

    def take_fault(route: str) -> Fault | None:
        queued = take(route)
        spared = reads_only and route in _WRITES
        if queued is None and not spared and rng.random() < GITHUB_502_RATE:
            return Fault(502, 1, {"message": "Server Error"})
        result: Fault | None = queued
        return result

    fake.take_fault = take_fault


def app_env(github: Any, azure: FakeAzureOpenAI, redis_url: str) -> dict[str, str]:
    """Return the environment of every child: the fakes, Redis, test-sized figures."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AZURE_", "DOCGEN_"))
    }
    env.update(
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),
        GITHUB_APP_ID=str(github.app_id),
        GITHUB_PRIVATE_KEY=github.private_key_pem,
        GITHUB_API_URL=github.base_url,
        GITHUB_WEBHOOK_SECRET=SECRET,
        REDIS_URL=redis_url,
        AZURE_OPENAI_ENDPOINT=azure.endpoint,
        AZURE_OPENAI_API_KEY=azure.api_key,
        AZURE_OPENAI_DEPLOYMENT=azure.default_deployment,
        DOCGEN_MODEL=MODEL,
        DOCGEN_SYNC_DEBOUNCE_SECONDS="0",
        DOCGEN_WORKER_METRICS_PORT="0",
        DOCGEN_REDELIVER_MINUTES="0",
        DOCGEN_GITHUB_WRITE_SPACING_SECONDS="0.02",
        DOCGEN_LOG_FORMAT="text",
    )
    return env


class Sender:
    """Sends the deliveries: alternate web processes, duplicates, redeliveries."""

    def __init__(self, urls: list[str], rng: random.Random) -> None:
        self.urls = urls
        self.rng = rng
        self.client = httpx.Client(timeout=10)
        self.sent = 0
        self.refused = 0
        self.later: list[tuple[Pr, bytes, dict[str, str]]] = []

    def post(self, body: bytes, hdrs: dict[str, str]) -> None:
        """POST one delivery to the next web process; retry once on a transport error."""
        url = self.urls[self.sent % len(self.urls)] + "/api/github/webhooks"
        self.sent += 1
        for _ in range(2):
            try:
                answer = self.client.post(url, content=body, headers=hdrs)
            except httpx.TransportError:
                continue
            if answer.status_code >= 300:
                self.refused += 1
            return
        self.refused += 1

    def send_pr(self, pr: Pr) -> None:
        """Send ``pr``'s delivery, maybe at once again, maybe again later."""
        body = opened_body(pr)
        hdrs = headers("pull_request", body)
        pr.delivery_ids.append(hdrs["X-GitHub-Delivery"])
        if pr.first_sent is None:
            pr.first_sent = time.monotonic()
        self.post(body, hdrs)
        if self.rng.random() < 0.25:
            self.post(body, hdrs)  # a duplicate, to the other web process
        if self.rng.random() < 0.25:
            self.later.append((pr, body, hdrs))

    def redeliver(self) -> None:
        """Send again, with the same delivery id, the deliveries set aside."""
        for _pr, body, hdrs in self.later:
            self.post(body, hdrs)


def kill_one_worker(children: Children, client: redis.Redis) -> int | None:
    """SIGKILL the worker holding a review's lease (else any); start another; return its pid."""
    pids = {p.pid for p in children.workers if p.poll() is None}
    victim = None
    deadline = time.monotonic() + 10
    while victim is None and time.monotonic() < deadline:
        for key in client.scan_iter(match=keys.lease_key("*")):
            token = client.get(key)
            if isinstance(token, bytes) and holder_pid(token.decode()) in pids:
                victim = holder_pid(token.decode())
                break
        time.sleep(0.05)
    held = victim is not None
    proc = next(p for p in children.workers if p.pid == victim) if held else children.workers[0]
    proc.kill()
    proc.wait(10)
    children.start_worker()
    return proc.pid if held else None


def run(args: argparse.Namespace, logs: Path) -> int:
    """Run the soak; print the figures and checks; return the exit code."""
    rng = random.Random(args.seed)
    shape = SHORT if args.short else LONG
    prs = build_prs(shape)
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    gh_server = FakeGitHubServer()
    gh_server.start()
    azure = FakeAzureOpenAI().start()
    children = Children(app_env(gh_server.state, azure, redis_url), logs)
    try:
        return drive(args, rng, prs, gh_server.state, azure, children, client)
    finally:
        children.kill_all()
        azure.stop()
        gh_server.stop()
        client.close()


def drive(
    args: argparse.Namespace,
    rng: random.Random,
    prs: list[Pr],
    github: Any,
    azure: FakeAzureOpenAI,
    children: Children,
    client: redis.Redis,
) -> int:
    """Seed, start the children, send, kill one worker, wait, check."""
    seed_github(github, prs)
    inject_github_502s(github, rng, reads_only=args.short)
    azure.queue_fault(*azure_faults(rng, 40 * len(prs)))
    urls = [children.start_web() for _ in range(2)]
    for _ in range(3):
        children.start_worker()
    sender = Sender(urls, rng)
    start = time.monotonic()
    small = [p for p in prs if not p.large]
    order = [p for p in prs if p.large] + small  # the large installation's burst first
    victim: int | None = None
    for i, pr in enumerate(order):
        sender.send_pr(pr)
        time.sleep(args.gap)
        if i == len(order) // 3:
            victim = kill_one_worker(children, client)
    send_seconds = time.monotonic() - start
    sender.redeliver()
    finished = wait(lambda: all(checks.done(github, p) for p in prs), args.timeout)
    wait(lambda: not client.zcard(default_queue_name), 10)
    time.sleep(1.0)  # anything posted late (a duplicate run) lands before counting
    return report(args, prs, github, azure, client, sender, send_seconds, start, victim, finished)


def report(
    args: argparse.Namespace,
    prs: list[Pr],
    github: Any,
    azure: FakeAzureOpenAI,
    client: redis.Redis,
    sender: Sender,
    send_seconds: float,
    start: float,
    victim: int | None,
    finished: bool,
) -> int:
    """Print the figures and the checks; return 0 when all pass."""
    checks.review_times(github, prs)
    times = [p.reviewed_at - p.first_sent for p in prs if p.reviewed_at and p.first_sent]
    last = max((p.reviewed_at for p in prs if p.reviewed_at), default=start)
    lost = sum(1 for p in prs if not checks.done(github, p))
    failures = checks.check_exactly_once(github, prs)
    fair_failures, fair = checks.check_fairness(prs)
    failures += fair_failures
    reported, budgets = checks.reported_by_fake(azure, MODEL), checks.in_budgets(client)
    if reported != budgets:
        failures.append(f"tokens/nano-USD/calls reported {reported} but in budgets {budgets}")
    raw_reaped: Any = client.get(keys.reaped_jobs_key())
    reaped = int(raw_reaped or 0)
    if victim is not None and reaped < 1:
        failures.append(f"worker {victim} was killed holding a lease but nothing was reaped")
    if lost:
        failures.append(f"{lost} PRs lost (no review or no summary)")
    if not finished:
        failures.append(f"not every PR was reviewed within {args.timeout:.0f} s of the sending")
    figures: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "mode": "short" if args.short else "long",
        "installations": len({p.installation for p in prs}),
        "prs": len(prs),
        "deliveries_sent": sender.sent,
        "redeliveries": len(sender.later),
        "deliveries_refused": sender.refused,
        "deliveries_per_s_held": round(sender.sent / max(send_seconds, 1e-6), 1),
        "reviews_per_s": round(len(times) / max(last - start, 1e-6), 2),
        "p50_s": round(checks.percentile(times, 0.5), 2) if times else -1,
        "p99_s": round(checks.percentile(times, 0.99), 2) if times else -1,
        **fair,
        "killed_worker_held_lease": victim is not None,
        "jobs_reaped": reaped,
        "model_requests": len(azure.requests),
        "model_errors": sum(1 for r in azure.requests if r.status != 200),
        "github_requests": len(github.requests()),
        "github_5xx": sum(1 for r in github.requests() if r.status >= 500),
        "tokens": reported[0],
        "lost": lost,
        "seconds": round(time.monotonic() - start, 1),
        "checks_failed": len(failures),
    }
    for name, value in figures.items():
        print(f"{name:>26}: {value}")
    for line in failures:
        print("FAIL", line)
    print("OK: nothing lost, exactly once" if not failures else "FAILED")
    print(summary_json(figures))
    return 0 if not failures else 1


def main() -> int:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="the CI version (< 60 s)")
    default_db = int(os.environ.get("DOCGEN_TEST_REDIS_DB", "13"))
    parser.add_argument("--redis-db", type=int, default=default_db)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between PRs sent")
    parser.add_argument("--timeout", type=float, default=None, help="wait for reviews (s)")
    args = parser.parse_args()
    if args.timeout is None:
        args.timeout = 60.0 if args.short else 300.0
    with tempfile.TemporaryDirectory(prefix="docgen-soak-") as logs:
        return run(args, Path(logs))


if __name__ == "__main__":
    sys.exit(main())
