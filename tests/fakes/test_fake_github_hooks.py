"""The fake GitHub's webhook deliveries: sent, listed in cursor pages, redelivered as sent."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from githubkit.exception import RequestFailed
from githubkit_schemas.v2026_03_10.models import HookDeliveryItem
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route as Path

from tests.fakes.github import FakeGitHub, Route
from tests.fakes.test_fake_github import app_client, as_list
from tests.web.support import serve

SECRET = "whsec-hooks-51c0"


class Receiver:
    """A webhook endpoint that records what it gets and answers ``status``."""

    def __init__(self) -> None:
        self.status = 202
        self.received: list[tuple[dict[str, str], bytes]] = []

    async def receive(self, request: Request) -> Response:
        """Record the delivery and answer with the chosen status."""
        self.received.append((dict(request.headers), await request.body()))
        return JSONResponse({}, status_code=self.status)


@pytest.fixture
def receiver(fake_github: FakeGitHub) -> Iterator[Receiver]:
    hook = Receiver()
    app = Starlette(routes=[Path("/hook", hook.receive, methods=["POST"])])
    with serve(app) as url:
        fake_github.hooks.configure(f"{url}/hook", SECRET)
        yield hook


def test_a_delivery_is_signed_and_its_answer_recorded(
    fake_github: FakeGitHub, receiver: Receiver
) -> None:
    body = b'{"action":"opened","installation":{"id":7},"repository":{"id":99}}'
    receiver.status = 503
    attempt = fake_github.hooks.send("pull_request", body)
    [(headers, got)] = receiver.received
    assert got == body
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-hub-signature-256"] == expected
    assert headers["x-github-delivery"] == attempt.guid
    assert (attempt.status_code, attempt.status) == (503, "Invalid HTTP Response: 503")
    assert (attempt.action, attempt.installation_id, attempt.repository_id) == ("opened", 7, 99)


async def test_deliveries_list_newest_first_in_cursor_pages(
    fake_github: FakeGitHub, receiver: Receiver
) -> None:
    sent = [fake_github.hooks.send("pull_request", b'{"n":%d}' % n) for n in range(5)]
    gh = app_client(fake_github)
    first = await gh.rest.apps.async_list_webhook_deliveries(per_page=2)
    assert [d.id for d in as_list(first.parsed_data, HookDeliveryItem)] == [
        sent[4].id,
        sent[3].id,
    ]
    assert f"cursor=v1_{sent[3].id}" in first.headers["link"]
    pages = gh.rest.paginate(gh.rest.apps.async_list_webhook_deliveries, per_page=2)
    assert [d.guid async for d in pages] == [s.guid for s in reversed(sent)]
    failed = await gh.rest.apps.async_list_webhook_deliveries(status="failure")
    assert failed.json() == []
    with pytest.raises(RequestFailed) as bad:
        await gh.rest.apps.async_list_webhook_deliveries(cursor="page-2")
    assert bad.value.response.status_code == 422


async def test_a_redelivery_resends_the_event_as_it_was(
    fake_github: FakeGitHub, receiver: Receiver
) -> None:
    receiver.status = 500
    original = fake_github.hooks.send("issue_comment", b'{"action":"created"}')
    receiver.status = 200
    gh = app_client(fake_github)
    answer = await gh.rest.apps.async_redeliver_webhook_delivery(original.id)
    assert answer.status_code == 202
    (first_headers, first_body), (again_headers, again_body) = receiver.received
    assert again_body == first_body
    assert again_headers["x-github-delivery"] == first_headers["x-github-delivery"]
    newest, oldest = fake_github.hooks.attempts()
    assert (newest.guid, newest.redelivery, newest.status_code) == (original.guid, True, 200)
    assert oldest == original
    with pytest.raises(RequestFailed) as missing:
        await gh.rest.apps.async_redeliver_webhook_delivery(1)
    assert missing.value.response.status_code == 404


def test_an_unanswered_delivery_is_status_zero(fake_github: FakeGitHub) -> None:
    fake_github.hooks.configure("http://127.0.0.1:9/hook", SECRET)  # nothing listens
    attempt = fake_github.hooks.send("pull_request", b"{}")
    assert (attempt.status_code, attempt.status) == (0, "failed to connect to host")


def test_recorded_attempts_keep_their_time(fake_github: FakeGitHub) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=1)
    attempt = fake_github.hooks.record(
        "pull_request", b"{}", status_code=502, delivered_at=long_ago
    )
    assert fake_github.hooks.attempts() == [attempt] and attempt.delivered_at == long_ago


def test_the_deliveries_take_the_apps_jwt_only(fake_github: FakeGitHub) -> None:
    token_only = {"Authorization": "token ghs_not-a-jwt"}
    for method, path in (
        ("GET", "/app/hook/deliveries"),
        ("POST", "/app/hook/deliveries/1/attempts"),
    ):
        url = fake_github.base_url + path
        assert httpx.request(method, url, headers=token_only, timeout=10).status_code == 401
        assert httpx.request(method, url, timeout=10).status_code == 401
    statuses = [r.status for r in fake_github.requests(Route.LIST_HOOK_DELIVERIES)]
    assert statuses == [401, 401]
