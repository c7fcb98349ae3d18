"""The Grafana dashboard and the Prometheus alerts parse and use only metrics docgen exports."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml
from prometheus_client import REGISTRY
from prometheus_client.metrics_core import Metric

import bot.telemetry  # noqa: F401  (registers the worker's process-wide metrics)
from bot.settings import Settings
from bot.web.events import HANDLED_EVENTS
from bot.web.metrics import WebhookMetrics
from bot.worker.metrics import worker_registry

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "deploy" / "grafana" / "docgen.json"
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
_NAME = re.compile(r"\bdocgen_[a-z0-9_]+")
_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "gauge": ("",),
}


def _series(families: Iterable[Metric]) -> set[str]:
    return {
        family.name + suffix for family in families for suffix in _SUFFIXES.get(family.type, ("",))
    }


@pytest.fixture
def exported(redis_url: str) -> set[str]:
    """Every series name the web and the worker serve."""
    client = redis.Redis.from_url(redis_url)
    try:
        worker = worker_registry(client, Settings.from_env({"REDIS_URL": redis_url}))
        names = _series(worker.collect())
    finally:
        client.close()
    names |= _series(WebhookMetrics(HANDLED_EVENTS).registry.collect())
    assert names >= _series(REGISTRY.collect()) - {"python_info"}  # the worker serves them all
    return names


def _dashboard_exprs() -> list[str]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in data["panels"] for t in p.get("targets", [])]
    assert exprs
    return exprs


def _alerts() -> list[dict[str, Any]]:
    data: dict[str, Any] = yaml.safe_load(ALERTS.read_text())
    return [rule for group in data["groups"] for rule in group["rules"]]


def test_the_dashboard_uses_only_exported_metrics(exported: set[str]) -> None:
    used = {name for expr in _dashboard_exprs() for name in _NAME.findall(expr)}
    assert used and not used - exported, sorted(used - exported)
    for wanted in (
        "docgen_webhook_deliveries_total",
        "docgen_queue_depth",
        "docgen_queue_oldest_age_seconds",
        "docgen_jobs_total",
        "docgen_job_duration_seconds_bucket",
        "docgen_llm_tokens_total",
        "docgen_llm_cost_usd_total",
        "docgen_github_requests_total",
        "docgen_retries_total",
    ):
        assert wanted in used, wanted


def test_the_dashboard_panels_are_placed_and_named() -> None:
    data = json.loads(DASHBOARD.read_text())
    assert data["uid"] == "docgen"
    ids = [p["id"] for p in data["panels"]]
    assert len(ids) == len(set(ids))
    for panel in data["panels"]:
        assert panel["title"] and {"h", "w", "x", "y"} <= set(panel["gridPos"])
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        for target in panel.get("targets", []):
            assert target["datasource"]["uid"] == "${datasource}"


def test_the_alerts_use_only_exported_metrics(exported: set[str]) -> None:
    rules = _alerts()
    assert {r["alert"] for r in rules} == {
        "DocgenQueueStalled",
        "DocgenJobFailureRate",
        "DocgenBudgetNearlySpent",
    }
    for rule in rules:
        used = set(_NAME.findall(rule["expr"]))
        assert used and not used - exported, (rule["alert"], sorted(used - exported))
        assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] and rule["annotations"]["summary"]
