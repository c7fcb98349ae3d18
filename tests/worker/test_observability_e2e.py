"""A real review, watched as an operator would: its log lines and the worker's /metrics."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import httpx
import pytest
import redis
from arq.constants import default_queue_name, in_progress_key_prefix
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from bot.settings import Settings
from bot.worker.metrics import RedisCollector, read_queue
from bot.worker.runner import build_worker
from tests.logs import events
from tests.worker.support import INSTALLATION, NUMBER, OWNER, REPO, reported_usage, send_pr, sha
from tests.worker.test_review_e2e import seed

# Loggers whose every line is written inside a job.
JOB_LOGGERS = ("docgen.job", "docgen.posting", "docgen.llm", "docgen.command", "docgen.checks")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Return every sample of a Prometheus text page by name and labels."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(
    found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def before(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_review_logs_with_its_context_and_shows_in_the_worker_metrics(
    web: httpx.Client,
    app_settings: Settings,
    fake_github: Any,
    fake_azure: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="docgen")
    seed(fake_github, sha(1))
    delivery = send_pr(web, "opened", sha(1)).json()["job_id"]
    installation = str(INSTALLATION)
    start = {
        "suggested": before("docgen_jobs_total", outcome="suggested"),
        "prompt": before("docgen_llm_tokens_total", kind="prompt", installation=installation),
        "completion": before(
            "docgen_llm_tokens_total", kind="completion", installation=installation
        ),
        "github_200": before("docgen_github_requests_total", status="200"),
        "llm_ok": before("docgen_llm_requests_total", outcome="ok"),
        "durations": before("docgen_job_duration_seconds_count", outcome="suggested"),
        "cost": before("docgen_llm_cost_usd_total", installation=installation),
    }

    port = free_port()
    settings = app_settings.model_copy(update={"docgen_worker_metrics_port": port})
    scraped: list[str] = []

    async def scrape(ctx: dict[str, Any]) -> None:
        # After the job's end is counted, while the worker still serves.
        async with httpx.AsyncClient() as client:
            scraped.append((await client.get(f"http://127.0.0.1:{port}/metrics")).text)

    worker = build_worker(
        settings, burst=True, handle_signals=False, poll_delay=0.05, after_job_end=scrape
    )
    try:
        await worker.main()
    finally:
        await worker.close()
    assert worker.jobs_complete == 1 and len(scraped) == 1

    # Every line written inside the job carries the delivery, installation, repo, PR and job.
    inside = [e for e in events(caplog.records) if e["logger"].startswith(JOB_LOGGERS)]
    names = [e["msg"] for e in inside]
    assert {"job.start", "review.posted", "job.end"} <= set(names)
    for event in inside:
        assert event["delivery_id"] == delivery, event
        assert event["installation"] == INSTALLATION and event["pr"] == NUMBER, event
        assert event["repo"] == f"{OWNER}/{REPO}" and event["job_id"], event
    [end] = [e for e in inside if e["msg"] == "job.end"]
    assert end["outcome"] == "suggested" and end["result"].startswith("suggested")

    # The worker's own endpoint shows the job, the model's tokens by installation, GitHub calls.
    found = samples(scraped[0])
    reported = reported_usage(fake_azure.requests)
    assert value(found, "docgen_jobs_total", outcome="suggested") == start["suggested"] + 1
    assert (
        value(found, "docgen_job_duration_seconds_count", outcome="suggested")
        == start["durations"] + 1
    )
    prompt = value(found, "docgen_llm_tokens_total", kind="prompt", installation=installation)
    completion = value(
        found, "docgen_llm_tokens_total", kind="completion", installation=installation
    )
    assert prompt - start["prompt"] == reported["prompt_tokens"] > 0
    assert completion - start["completion"] == reported["completion_tokens"] > 0
    assert value(found, "docgen_llm_cost_usd_total", installation=installation) > 0
    assert (
        value(found, "docgen_llm_requests_total", outcome="ok") - start["llm_ok"]
        == reported["calls"]
    )
    assert value(found, "docgen_github_requests_total", status="200") > start["github_200"]
    # Read from Redis when scraped: the queue is empty after the job, the budget holds its cost.
    assert value(found, "docgen_queue_depth") == 0
    assert value(found, "docgen_queue_oldest_age_seconds") == 0
    month = next(
        dict(labels)["month"] for name, labels in found if name == "docgen_budget_spent_usd"
    )
    labels = {"installation": installation, "month": month}
    cost = value(found, "docgen_llm_cost_usd_total", installation=installation) - start["cost"]
    assert value(found, "docgen_budget_spent_usd", **labels) == pytest.approx(cost, abs=1e-6)
    assert value(found, "docgen_budget_spent_usd", **labels) > 0
    assert value(found, "docgen_budget_limit_usd", **labels) == settings.docgen_monthly_budget_usd

    # The server stopped with the worker.
    with pytest.raises(httpx.TransportError):
        await asyncio.to_thread(httpx.get, f"http://127.0.0.1:{port}/metrics", timeout=1)


def test_queue_gauges_tell_waiting_from_running_and_deferred(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    now = 1_800_000_000_000
    client.zadd(
        default_queue_name,
        {"running": now - 60_000, "waiting-old": now - 5_000, "waiting": now - 1_000},
    )
    client.zadd(default_queue_name, {"deferred": now + 15_000})
    client.set(in_progress_key_prefix + "running", b"1")
    state = read_queue(client, now)
    assert (state.depth, state.ready, state.oldest_age_seconds) == (4, 2, 5.0)
    client.delete(default_queue_name)
    assert read_queue(client, now).oldest_age_seconds == 0
    client.close()


def test_a_redis_that_does_not_answer_makes_the_queue_gauges_nan() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)
    families = {f.name: f for f in RedisCollector(client, monthly_limit_usd=50).collect()}
    depth = families["docgen_queue_depth"].samples[0].value
    assert depth != depth  # NaN
    assert families["docgen_budget_spent_usd"].samples == []
