"""The worker's process-wide Prometheus metrics, in prometheus-client's default registry.

Recorded where things happen (the job wrapper, the model client and run, the
GitHub client) and served by the worker (``bot.worker.metrics``). Label values
come from closed sets, except ``installation``: one series per installation
that spent tokens, which is fine for hundreds of installations (see the
README's Metrics section before running thousands).

Counters are exposed with prometheus-client's ``_total`` suffix.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import Counter, Histogram

from bot.logctx import current

NO_INSTALLATION = "none"  # model calls made outside a job (the CLI)

JOB_OUTCOMES = (
    "suggested",
    "nothing",
    "ignored",
    "superseded",
    "waiting",
    "continued",
    "answered",
    "refused",
    "planned",
    "retried",
    "failed",
    "cancelled",
    "other",
)
RETRY_LAYERS = ("github_http", "model_http", "budget_split", "model_reask", "verify_reask", "job")
GITHUB_STATUSES = (
    "200",
    "201",
    "204",
    "304",
    "400",
    "401",
    "403",
    "404",
    "409",
    "422",
    "429",
    "500",
    "502",
    "503",
    "504",
    "2xx",
    "3xx",
    "4xx",
    "5xx",
)

JOBS = Counter("docgen_jobs", "Review jobs ended, by outcome.", ["outcome"])
JOB_SECONDS = Histogram(
    "docgen_job_duration_seconds",
    "Time a review job ran, by outcome.",
    ["outcome"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
RETRIES = Counter(
    "docgen_retries",
    "Retries, by the layer that retried: GitHub HTTP, model HTTP, budget splits, "
    "re-asking missing ids, the verification round, and the job re-queued.",
    ["layer"],
)
GITHUB_REQUESTS = Counter(
    "docgen_github_requests", "GitHub API responses, by HTTP status.", ["status"]
)
MODEL_REQUESTS = Counter(
    "docgen_llm_requests", "Model API attempts (each HTTP request), by outcome.", ["outcome"]
)
CALLS = Counter("docgen_llm_calls", "Model answers, by finish reason.", ["outcome"])
TOKENS = Counter(
    "docgen_llm_tokens",
    "Tokens the model API reported, by kind (prompt, completion, cached) and installation.",
    ["kind", "installation"],
)
COST = Counter(
    "docgen_llm_cost_usd",
    "Cost of model calls, priced from the model table, by installation.",
    ["installation"],
)
ESTIMATE_ERROR = Histogram(
    "docgen_llm_prompt_estimate_error_tokens",
    "Reported prompt tokens minus docgen's count (messages plus the schema overhead in use).",
    buckets=(-256, -64, -16, -4, -1, 0, 1, 4, 16, 64, 256),
)

_RETRY_CHILDREN = {layer: RETRIES.labels(layer) for layer in RETRY_LAYERS}
_STATUS_CHILDREN = {status: GITHUB_REQUESTS.labels(status) for status in GITHUB_STATUSES}


def retried(layer: str, times: int = 1) -> None:
    """Count ``times`` retries made by ``layer`` (one of ``RETRY_LAYERS``)."""
    _RETRY_CHILDREN[layer].inc(times)


def github_status(status: int) -> None:
    """Count one GitHub response; statuses outside the known set count by class."""
    key = str(status)
    child = _STATUS_CHILDREN.get(key) or _STATUS_CHILDREN.get(f"{key[:1]}xx")
    if child is not None:
        child.inc()


def installation_label(context: Mapping[str, object] | None = None) -> str:
    """Return the installation of the running job (``bot.logctx``), or ``none``."""
    value = (context if context is not None else current()).get("installation")
    return NO_INSTALLATION if value is None else str(value)


def job_outcome(result: str) -> str:
    """Return the outcome label of a job's result text (its first word decides)."""
    first = result.split(":", 1)[0].split(" ", 1)[0].lower()
    return first if first in JOB_OUTCOMES else "other"
