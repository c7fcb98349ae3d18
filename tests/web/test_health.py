"""/livez, /readyz, /healthz, /metrics, a Redis that is down, and the app's lifespan."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable

import httpx
import pytest
from starlette.testclient import TestClient

from bot.errors import SettingsError
from bot.settings import Settings
from bot.web.app import create_app
from tests.logs import events
from tests.web.support import compact, deliver, payload, serve

OPENED = compact(payload("pull_request.opened"))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens here once closed


@pytest.mark.parametrize("path", ["/livez", "/readyz", "/healthz"])
def test_every_probe_is_200_when_redis_answers(client: httpx.Client, path: str) -> None:
    answer = client.get(path)
    assert (answer.status_code, answer.text) == (200, "ok\n")


def test_only_liveness_stays_200_when_redis_is_down(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(redis_url=f"redis://127.0.0.1:{_closed_port()}/0")
    with serve(create_app(settings)) as url, httpx.Client(base_url=url, timeout=10) as client:
        # Restarting the web process would not bring Redis back: it stays alive, unready.
        assert client.get("/livez").status_code == 200
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 503
        assert "docgen_queue_depth NaN" in client.get("/metrics").text


def test_healthz_is_503_and_deliveries_are_503_when_redis_is_down(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(redis_url=f"redis://:pw-5e3cret@127.0.0.1:{_closed_port()}/0")
    with serve(create_app(settings)) as url, httpx.Client(base_url=url, timeout=10) as client:
        assert client.get("/healthz").status_code == 503
        answer = deliver(
            client, "pull_request", OPENED, delivery_id="0a1b2c3d-dead-4bed-8c0d-5e6f7a8b9c0d"
        )
        # GitHub marks the delivery failed; it can be redelivered once Redis is back.
        assert (answer.status_code, answer.json()) == (503, {"error": "queue unavailable"})
        # A delivery that needs no job does not need Redis either.
        assert deliver(client, "ping", compact(payload("ping"))).status_code == 200
    lines = events(caplog.records, "docgen.web")
    assert any(e["msg"] == "redis.unavailable_at_startup" for e in lines)
    assert not any("pw-5e3cret" in json.dumps(e) for e in lines)
    assert any(
        e["msg"] == "delivery.queue_unavailable"
        and e["delivery_id"] == "0a1b2c3d-dead-4bed-8c0d-5e6f7a8b9c0d"
        for e in lines
    )


def test_metrics_count_deliveries_rejections_and_enqueue_latency(client: httpx.Client) -> None:
    deliver(client, "pull_request", OPENED)
    deliver(client, "pull_request", OPENED, secret="forged")
    deliver(client, "ping", compact(payload("ping")))
    deliver(client, "pull_request", b"{")
    deliver(client, "watch", b'{"action": "started"}')
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = answer.text
    for sample in (
        'docgen_webhook_deliveries_total{event="pull_request",outcome="queued"} 1.0',
        'docgen_webhook_deliveries_total{event="pull_request",outcome="bad_request"} 1.0',
        'docgen_webhook_deliveries_total{event="ping",outcome="ignored"} 1.0',
        'docgen_webhook_deliveries_total{event="other",outcome="ignored"} 1.0',
        "docgen_webhook_signature_rejections_total 1.0",
        "docgen_webhook_enqueue_seconds_count 1.0",
        "docgen_webhook_too_large_total 0.0",
        "docgen_queue_depth 1.0",  # the one job queued, not yet taken by a worker
    ):
        assert sample in text, sample
    assert "watch" not in text  # label values come from a closed set


def test_each_app_has_its_own_registry(settings: Settings) -> None:
    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        first.post("/api/github/webhooks", content=b"{}")
        assert "docgen_webhook_signature_rejections_total 1.0" in first.get("/metrics").text
        assert "docgen_webhook_signature_rejections_total 0.0" in second.get("/metrics").text


def test_lifespan_opens_and_closes_the_redis_pool(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
    with TestClient(app) as client:  # a second start-up gets a fresh pool
        assert client.get("/healthz").status_code == 200


def test_the_web_front_needs_a_webhook_secret(redis_url: str) -> None:
    with pytest.raises(SettingsError, match="GITHUB_WEBHOOK_SECRET"):
        create_app(Settings.from_env({"REDIS_URL": redis_url}))
