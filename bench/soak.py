"""Soak test: many installations, faults everywhere, a worker killed mid-run; nothing lost.

Run from the repository root, with Redis on 127.0.0.1:6379:

    .venv/bin/python bench/soak.py --short   # 3 installations, 12 PRs, about a minute (CI)
    .venv/bin/python bench/soak.py           # 6 installations, 60 PRs

It starts 2 ``docgen serve`` and 3 ``docgen worker`` processes against the real Redis
(database ``--redis-db``, default ``$DOCGEN_TEST_REDIS_DB`` or 13, flushed at the start),
with the fake GitHub and the fake Azure OpenAI served from threads of this process on
127.0.0.1. Azure answers some requests 429 or 503 and some slowly; GitHub answers about
1 % of requests 502. Signed ``pull_request.opened`` deliveries go to the two web
processes alternately, the large installation's burst first; some are sent twice at
once (same ``X-GitHub-Delivery``, to the other web) and some again at the end (a
redelivery). A third of the way through the sending, once a worker is seen in the
middle of a review (holding the job's lease and the pull request's lock, with no model
answer unsettled), it is killed with SIGKILL and a new worker started.

Then it waits for every PR's review and summary, and for the queue to drain (nothing
waiting, deferred or running, so nothing can post any more), and checks, and prints:
every PR has exactly one review for its head SHA suggesting each new function once
(never the documented one) and one summary; every token the fake reported is settled
in the installations' budget hashes; the killed worker's job was reaped and run again;
the large installation did not hold back the small ones (``bench.soak_checks``: with
``--short`` relative to the large installation's waits, without in seconds). Figures:
deliveries/s held, p50/p99 delivery-to-review, jobs reaped, PRs lost. The last line,
``SOAK {...}``, is the same as JSON. Exit 1 when a check fails, after what is left of
the jobs in Redis (``LEFT`` lines); ``--logs`` keeps the children's logs.

No check reads the clock against a limit in ``--short``: ``--timeout`` only bounds a
run that would never end (every wait gives up at it), and a loaded machine makes the
run slower, not failed. Every child is killed on the way out.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import redis  # noqa: E402

from bench import soak_checks as checks  # noqa: E402
from bench.soak_children import (  # noqa: E402
    Children,
    Deadline,
    Kill,
    drained,
    kill_mid_review,
    wait,
)
from bench.soak_plan import (  # noqa: E402
    LONG,
    LONG_TIMEOUT,
    SHORT,
    SHORT_TIMEOUT,
    Pr,
    azure_faults,
    build_prs,
    opened_body,
    seed_github,
    summary_json,
)
from bot import keys  # noqa: E402
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
        # Room for the long PRs' functions (bench/soak_plan.py): one review each, in parts.
        DOCGEN_MAX_FUNCTIONS_PER_RUN="100",
    )
    return env


class Sender:
    """Sends the deliveries: alternate web processes, duplicates, redeliveries."""

    def __init__(self, urls: list[str], rng: random.Random) -> None:
        self.urls = urls
        self.rng = rng
        # Generous: a web process on a loaded machine answers late, not wrongly.
        self.client = httpx.Client(timeout=30)
        self.sent = 0
        self.refused = 0
        self.later: list[tuple[Pr, bytes, dict[str, str]]] = []

    def post(self, body: bytes, hdrs: dict[str, str]) -> None:
        """POST one delivery to the next web process; try again on a transport error.

        Sending it again is safe: the delivery id makes it the same job.
        """
        url = self.urls[self.sent % len(self.urls)] + "/api/github/webhooks"
        self.sent += 1
        for _ in range(3):
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


@dataclass
class Outcome:
    """What the run did, for the report."""

    sender: Sender
    start: float
    send_seconds: float
    kill: Kill | None
    finished: bool  # every PR has its review and summary
    drained: bool  # and no job is left waiting, deferred or running


def run(args: argparse.Namespace, logs: Path) -> int:
    """Run the soak; print the figures and checks; return the exit code."""
    deadline = Deadline(args.timeout)
    rng = random.Random(args.seed)
    shape = SHORT if args.short else LONG
    prs = build_prs(shape)
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    gh_server = FakeGitHubServer()
    gh_server.start()
    azure = FakeAzureOpenAI().start()
    children = Children(app_env(gh_server.state, azure, redis_url), logs, deadline)
    try:
        seed_github(gh_server.state, prs)
        inject_github_502s(gh_server.state, rng, reads_only=args.short)
        azure.queue_fault(*azure_faults(rng, 40 * len(prs)))
        outcome = drive(args, rng, prs, gh_server.state, children, client, deadline)
        return report(args, prs, gh_server.state, azure, client, outcome)
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
    children: Children,
    client: redis.Redis,
    deadline: Deadline,
) -> Outcome:
    """Start the children, send, kill one worker mid-review, wait until all is done."""
    urls = [children.start_web() for _ in range(2)]
    for _ in range(3):
        children.start_worker()
    sender = Sender(urls, rng)
    start = time.monotonic()
    small = [p for p in prs if not p.large]
    order = [p for p in prs if p.large] + small  # the large installation's burst first
    kill: Kill | None = None
    for i, pr in enumerate(order):
        sender.send_pr(pr)
        time.sleep(args.gap)  # shapes the load; nothing is judged by it
        if i == len(order) // 3:
            # Only the large installation's PRs are sent so far: the victim is one of them.
            kill = kill_mid_review(children, client, deadline)
    send_seconds = time.monotonic() - start - (kill.seconds if kill else 0.0)
    sender.redeliver()
    finished = wait(lambda: all(checks.done(github, p) for p in prs), deadline)
    # Counting waits for the queue to drain: a duplicate run posting late would be
    # posted by then, and the killed worker's job has been reaped and run again.
    quiet = wait(lambda: drained(client), deadline)
    return Outcome(sender, start, send_seconds, kill, finished, quiet)


def report(
    args: argparse.Namespace,
    prs: list[Pr],
    github: Any,
    azure: FakeAzureOpenAI,
    client: redis.Redis,
    outcome: Outcome,
) -> int:
    """Print the figures and the checks; return 0 when all pass."""
    sender, start, kill = outcome.sender, outcome.start, outcome.kill
    checks.review_times(github, prs)
    times = [p.reviewed_at - p.first_sent for p in prs if p.reviewed_at and p.first_sent]
    last = max((p.reviewed_at for p in prs if p.reviewed_at), default=start)
    lost = sum(1 for p in prs if not checks.done(github, p))
    failures = checks.check_exactly_once(github, prs)
    fair_failures, fair = checks.check_fairness(prs, relative=args.short)
    failures += fair_failures
    reported, budgets = checks.reported_by_fake(azure, MODEL), checks.in_budgets(client)
    if reported != budgets:
        failures.append(f"tokens/nano-USD/calls reported {reported} but in budgets {budgets}")
    raw_reaped: Any = client.get(keys.reaped_jobs_key())
    reaped = int(raw_reaped or 0)
    if kill is None:
        failures.append("no worker was seen mid-review to kill before the deadline")
    elif reaped < 1:
        failures.append(f"worker {kill.pid} was killed mid-review but nothing was reaped")
    parts = checks.parts_handed_on(client)
    long_prs = (SHORT if args.short else LONG).long_prs
    if parts < long_prs:
        failures.append(f"{long_prs} long PRs, but only {parts} parts handed on")
    if lost:
        failures.append(f"{lost} PRs lost (no review or no summary)")
    if not outcome.finished:
        failures.append(f"not every PR was reviewed within the run's {args.timeout:.0f} s")
    elif not outcome.drained:
        failures.append(f"jobs still queued at the end of the run's {args.timeout:.0f} s")
    figures: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "mode": "short" if args.short else "long",
        "installations": len({p.installation for p in prs}),
        "prs": len(prs),
        "deliveries_sent": sender.sent,
        "redeliveries": len(sender.later),
        "deliveries_refused": sender.refused,
        "deliveries_per_s_held": round(sender.sent / max(outcome.send_seconds, 1e-6), 1),
        "reviews_per_s": round(len(times) / max(last - start, 1e-6), 2),
        "p50_s": round(checks.percentile(times, 0.5), 2) if times else -1,
        "p99_s": round(checks.percentile(times, 0.99), 2) if times else -1,
        **fair,
        "killed_worker_held_lease": kill is not None,
        "seconds_to_catch_a_review": round(kill.seconds, 2) if kill else -1,
        "jobs_reaped": reaped,
        "long_prs": long_prs,
        "parts_handed_on": parts,
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
    for line in checks.explain(github, prs, client) if failures else []:
        print(line)
    print("OK: nothing lost, exactly once" if not failures else "FAILED")
    print(summary_json(figures))
    return 0 if not failures else 1


def main() -> int:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="the CI version (about a minute)")
    default_db = int(os.environ.get("DOCGEN_TEST_REDIS_DB", "13"))
    parser.add_argument("--redis-db", type=int, default=default_db)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between PRs sent")
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="the most the whole run may take (s), a bound on a run that would never end",
    )
    parser.add_argument(
        "--logs", type=Path, default=None, help="keep the children's logs in this folder"
    )
    args = parser.parse_args()
    if args.timeout is None:
        args.timeout = SHORT_TIMEOUT if args.short else LONG_TIMEOUT
    if args.logs is not None:
        args.logs.mkdir(parents=True, exist_ok=True)
        return run(args, args.logs)
    with tempfile.TemporaryDirectory(prefix="docgen-soak-") as logs:
        return run(args, Path(logs))


if __name__ == "__main__":
    sys.exit(main())
