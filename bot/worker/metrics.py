"""The worker's ``/metrics``: process-wide counters plus gauges read from Redis when scraped.

Each worker process serves prometheus-client's default registry (jobs, retries,
GitHub and model calls, tokens and cost: ``bot.telemetry``) together with a
collector that reads, at scrape time and with a short timeout:

- the queue: every job in arq's queue, the jobs due that no worker holds, and
  how long the oldest of those has waited;
- each installation's spending this UTC month and its limit.

The server runs in prometheus-client's thread, so the collector reads Redis
with a small synchronous client of its own; a Redis that does not answer makes
the gauges NaN (queue) or absent (budgets), never a failed scrape.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from wsgiref.simple_server import WSGIServer

import redis
from arq.constants import default_queue_name, in_progress_key_prefix
from prometheus_client import REGISTRY, CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bot import keys
from bot.llm.budget import NANO, month_of
from bot.logctx import get_logger
from bot.settings import Settings, redact_url

log = get_logger("docgen.worker")

READ_TIMEOUT_SECONDS = 1.0
# Running jobs stay in arq's queue until they end, and they are the oldest due
# ones: looking at this many of the oldest finds them all on any sane deployment.
OLDEST_SCANNED = 1000
BUDGET_SCAN_COUNT = 500


@dataclass(frozen=True)
class QueueState:
    """What arq's queue holds at one moment."""

    depth: float  # every job in the queue: due, deferred and running
    ready: float  # due, and no worker holds it
    oldest_age_seconds: float  # how long the oldest of those has waited (0 if none)


def read_queue(client: redis.Redis, now_ms: int) -> QueueState:
    """Read the queue's depth, the jobs waiting for a worker and the oldest one's age.

    arq keeps one sorted set whose scores are the times (ms) jobs are due; a job
    a worker holds has an ``arq:in-progress:<id>`` key and stays in the set.
    """
    depth = cast(int, client.zcard(default_queue_name))
    due = cast(int, client.zcount(default_queue_name, "-inf", now_ms))
    oldest = cast(
        list[tuple[bytes, float]],
        client.zrangebyscore(
            default_queue_name, "-inf", now_ms, start=0, num=OLDEST_SCANNED, withscores=True
        ),
    )
    pipe = client.pipeline(transaction=False)
    for job_id, _ in oldest:
        pipe.exists(in_progress_key_prefix + job_id.decode())
    held = [bool(x) for x in pipe.execute()]
    waiting = [score for (_, score), running in zip(oldest, held, strict=True) if not running]
    age = max(now_ms - waiting[0], 0) / 1000 if waiting else 0.0
    return QueueState(float(depth), float(due - sum(held)), age)


def read_budgets(client: redis.Redis, month: str) -> dict[int, float]:
    """Return what each installation spent (settled, USD) in ``month``."""
    found = [
        k.decode()
        for k in client.scan_iter(match=keys.budget_month_pattern(month), count=BUDGET_SCAN_COUNT)
    ]
    by_installation: dict[int, str] = {}
    for key in found:
        middle = key.removeprefix(keys.BUDGET_PREFIX).removesuffix(f":{month}")
        if middle.isdigit():
            by_installation[int(middle)] = key
    pipe = client.pipeline(transaction=False)
    for key in by_installation.values():
        pipe.hget(key, "nano_usd")
    values = pipe.execute()
    return {
        installation: int(value or 0) / NANO
        for installation, value in zip(by_installation, values, strict=True)
    }


class RedisCollector(Collector):
    """Gauges read from Redis at scrape time: the queue and the monthly budgets."""

    def __init__(self, client: redis.Redis, *, monthly_limit_usd: float) -> None:
        self._client = client
        self._limit = monthly_limit_usd

    def collect(self) -> Iterable[GaugeMetricFamily]:
        """Yield the queue and budget gauges (NaN queue values when Redis does not answer)."""
        now = time.time()
        try:
            queue = read_queue(self._client, int(now * 1000))
        except (redis.RedisError, OSError):
            queue = QueueState(math.nan, math.nan, math.nan)
        yield _gauge(
            "docgen_queue_depth", "Jobs in the queue: due, deferred and running.", queue.depth
        )
        yield _gauge(
            "docgen_queue_ready_jobs", "Jobs due that no worker has taken yet.", queue.ready
        )
        yield _gauge(
            "docgen_queue_oldest_age_seconds",
            "How long the oldest job due and not taken has waited (0 when none waits).",
            queue.oldest_age_seconds,
        )
        yield from self._budgets(month_of(datetime.fromtimestamp(now, UTC)))

    def _budgets(self, month: str) -> Iterator[GaugeMetricFamily]:
        labels = ["installation", "month"]
        spent = GaugeMetricFamily(
            "docgen_budget_spent_usd",
            "What an installation spent on the model this UTC month (settled calls).",
            labels=labels,
        )
        limit = GaugeMetricFamily(
            "docgen_budget_limit_usd",
            "An installation's monthly budget (DOCGEN_MONTHLY_BUDGET_USD).",
            labels=labels,
        )
        try:
            spending = read_budgets(self._client, month)
        except (redis.RedisError, OSError):
            spending = {}
        for installation, usd in sorted(spending.items()):
            spent.add_metric([str(installation), month], usd)
            limit.add_metric([str(installation), month], self._limit)
        yield spent
        yield limit


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class _Default(Collector):
    """Forwards prometheus-client's default registry (it is process-wide, this is per worker)."""

    def collect(self) -> Iterable[Any]:
        """Yield every family of the default registry."""
        return REGISTRY.collect()


def worker_registry(client: redis.Redis, settings: Settings) -> CollectorRegistry:
    """Return what a worker serves: the default registry plus its Redis gauges."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Default())
    registry.register(RedisCollector(client, monthly_limit_usd=settings.docgen_monthly_budget_usd))
    return registry


class MetricsServer:
    """The worker's metrics endpoint, in a thread; ``stop`` ends it and closes its Redis."""

    def __init__(self, server: WSGIServer, client: redis.Redis) -> None:
        self._server = server
        self._client = client
        self.port: int = server.server_address[1]

    def stop(self) -> None:
        """Stop serving and close the Redis connections."""
        self._server.shutdown()
        self._server.server_close()
        self._client.close()


def serve_metrics(settings: Settings, port: int | None = None) -> MetricsServer | None:
    """Serve the worker's metrics on ``port`` (default: the setting); None when disabled.

    A port already taken is logged and the worker runs on without metrics:
    a missing scrape target is noticed, a worker that will not start costs reviews.
    """
    port = settings.docgen_worker_metrics_port if port is None else port
    if port == 0:
        return None
    client = redis.Redis.from_url(
        settings.redis_url.get_secret_value(),
        socket_timeout=READ_TIMEOUT_SECONDS,
        socket_connect_timeout=READ_TIMEOUT_SECONDS,
    )
    try:
        server, _thread = start_http_server(port, registry=worker_registry(client, settings))
    except OSError as exc:
        client.close()
        log.error("metrics.not_served", port=port, error=str(exc)[:200])
        return None
    log.info(
        "metrics.served",
        port=port,
        redis=redact_url(settings.redis_url.get_secret_value()),
    )
    return MetricsServer(server, client)
