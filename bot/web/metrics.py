"""Prometheus metrics of the web process, in a registry each app owns.

Label values come from closed sets (known events, fixed outcomes), never
from request text, so a sender cannot grow the series without bound.
Labelled children are resolved once and cached: the hot path does one
dict lookup and one increment.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

# The classic text format: every Prometheus version scrapes it, and our names need no escaping.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4

OUTCOMES = (
    "queued",
    "duplicate",
    "ignored",
    "handled",
    "bad_request",
    "unavailable",
    "error",
)
OTHER_EVENT = "other"


class WebhookMetrics:
    """Counters and a latency histogram for webhook deliveries."""

    def __init__(self, events: Iterable[str]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._known = frozenset(events)
        self._deliveries = Counter(
            "docgen_webhook_deliveries",
            "Signed webhook deliveries, by event and outcome.",
            ("event", "outcome"),
            registry=self.registry,
        )
        self._rejected = Counter(
            "docgen_webhook_signature_rejections",
            "Requests refused for a missing or wrong X-Hub-Signature-256.",
            registry=self.registry,
        )
        self._too_large = Counter(
            "docgen_webhook_too_large",
            "Requests refused for a body over the 25 MiB cap.",
            registry=self.registry,
        )
        self._enqueue = Histogram(
            "docgen_webhook_enqueue_seconds",
            "Time to put a job on the queue (one Redis round trip when new).",
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0),
            registry=self.registry,
        )
        self._queue_depth = Gauge(
            "docgen_queue_depth",
            "Jobs waiting in the queue, read from Redis when scraped (NaN if it does not answer).",
            registry=self.registry,
        )
        self._children = {
            (event, outcome): self._deliveries.labels(event, outcome)
            for event in (*self._known, OTHER_EVENT)
            for outcome in OUTCOMES
        }

    def delivery(self, event: str, outcome: str) -> None:
        """Count one signed delivery of ``event`` with ``outcome``."""
        key = (event if event in self._known else OTHER_EVENT, outcome)
        self._children[key].inc()

    def signature_rejected(self) -> None:
        """Count one request refused for its signature."""
        self._rejected.inc()

    def too_large(self) -> None:
        """Count one request refused for its size."""
        self._too_large.inc()

    def enqueue_seconds(self, seconds: float) -> None:
        """Record how long one enqueue took."""
        self._enqueue.observe(seconds)

    def queue_depth(self, jobs: float) -> None:
        """Set how many jobs wait in the queue (every web replica reports the same number)."""
        self._queue_depth.set(jobs)

    def render(self) -> bytes:
        """Return the registry in Prometheus text format."""
        return generate_latest(self.registry)
