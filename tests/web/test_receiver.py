"""Every answer of POST /api/github/webhooks, over a real uvicorn server and a real Redis."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Callable

import httpx
import pytest
import redis.asyncio
from arq.jobs import deserialize_job

from bot.contract import JOB_FUNCTION
from bot.settings import Settings
from bot.web.app import create_app
from tests.logs import events
from tests.web.support import (
    OLD_SECRET,
    SECRET,
    WEBHOOK,
    adeliver,
    compact,
    deliver,
    headers,
    new_delivery_id,
    payload,
    serve,
)

OPENED = compact(payload("pull_request.opened"))


async def _jobs(r: redis.asyncio.Redis) -> list[bytes]:
    return sorted(await r.zrange("arq:queue", 0, -1))


async def test_signed_pull_request_is_queued(
    client: httpx.Client, redis_client: redis.asyncio.Redis
) -> None:
    delivery = new_delivery_id()
    answer = deliver(client, "pull_request", OPENED, delivery_id=delivery)
    assert answer.status_code == 202
    assert answer.json() == {"job_id": delivery}
    assert await _jobs(redis_client) == [delivery.encode()]
    assert await redis_client.exists(f"arq:job:{delivery}") == 1


async def test_previous_secret_still_verifies(
    client: httpx.Client, redis_client: redis.asyncio.Redis
) -> None:
    answer = deliver(client, "pull_request", OPENED, secret=OLD_SECRET)
    assert answer.status_code == 202
    assert len(await _jobs(redis_client)) == 1


@pytest.mark.parametrize(
    ("signature", "error"),
    [
        (None, "missing X-Hub-Signature-256"),
        ("sha256=" + "0" * 64, "wrong signature"),
        ("sha1=0123456789abcdef0123456789abcdef01234567", "wrong signature"),
        ("garbage", "wrong signature"),
    ],
)
async def test_unsigned_or_wrongly_signed_is_401_and_nothing_in_redis(
    client: httpx.Client, redis_client: redis.asyncio.Redis, signature: str | None, error: str
) -> None:
    sent = headers("pull_request", OPENED, secret=None)
    if signature is not None:
        sent["X-Hub-Signature-256"] = signature
    answer = client.post(WEBHOOK, content=OPENED, headers=sent)
    assert answer.status_code == 401
    assert answer.json() == {"error": error}
    assert await redis_client.dbsize() == 0


async def test_signature_with_another_secret_is_401(
    client: httpx.Client, redis_client: redis.asyncio.Redis
) -> None:
    answer = deliver(client, "pull_request", OPENED, secret="not-the-secret")
    assert answer.status_code == 401
    assert await redis_client.dbsize() == 0


async def test_sha1_signature_alone_is_401(
    client: httpx.Client, redis_client: redis.asyncio.Redis
) -> None:
    # A valid legacy X-Hub-Signature (SHA-1) must not be enough.
    sent = headers("pull_request", OPENED, secret=None)
    sha1 = hmac.new(SECRET.encode(), OPENED, hashlib.sha1).hexdigest()
    sent["X-Hub-Signature"] = f"sha1={sha1}"
    assert client.post(WEBHOOK, content=OPENED, headers=sent).status_code == 401
    sent["X-Hub-Signature-256"] = f"sha1={sha1}"
    assert client.post(WEBHOOK, content=OPENED, headers=sent).status_code == 401
    assert await redis_client.dbsize() == 0


@pytest.mark.parametrize(
    ("drop", "error"),
    [
        ("X-GitHub-Event", "missing or malformed X-GitHub-Event"),
        ("X-GitHub-Delivery", "missing or malformed X-GitHub-Delivery"),
    ],
)
async def test_missing_headers_are_400(
    client: httpx.Client, redis_client: redis.asyncio.Redis, drop: str, error: str
) -> None:
    sent = headers("pull_request", OPENED)
    del sent[drop]
    answer = client.post(WEBHOOK, content=OPENED, headers=sent)
    assert (answer.status_code, answer.json()) == (400, {"error": error})
    assert await redis_client.dbsize() == 0


def test_malformed_delivery_id_is_400(client: httpx.Client) -> None:
    answer = deliver(client, "pull_request", OPENED, delivery_id="x y;z")
    assert answer.status_code == 400


@pytest.mark.parametrize(
    ("event", "body", "error"),
    [
        ("pull_request", b"payload=%7B%22action%22%7D", "not JSON"),
        ("ping", b"{not json", "not JSON"),
        ("pull_request", b'{"action": "opened"}', "missing required field"),
        ("issue_comment", compact({"action": "created"}), "missing required field"),
    ],
)
async def test_unusable_body_is_400(
    client: httpx.Client, redis_client: redis.asyncio.Redis, event: str, body: bytes, error: str
) -> None:
    answer = deliver(client, event, body)
    assert answer.status_code == 400
    assert error in answer.json()["error"]
    assert await redis_client.dbsize() == 0


@pytest.mark.parametrize(
    ("event", "name", "reason"),
    [
        ("ping", "ping", "pong"),
        ("installation", "installation.renamed", "installation.renamed: nothing to do"),
        ("pull_request", "pull_request.closed", "pull_request.closed is not reviewed"),
        ("push", "ping", "push is not handled"),
    ],
)
async def test_valid_but_not_for_us_is_200_with_a_reason(
    client: httpx.Client, redis_client: redis.asyncio.Redis, event: str, name: str, reason: str
) -> None:
    data = payload("installation.created" if name == "installation.renamed" else name)
    if name == "installation.renamed":  # an action docgen has nothing to do for
        data["action"] = "renamed"
    answer = deliver(client, event, compact(data))
    assert (answer.status_code, answer.json()) == (200, {"reason": reason})
    assert await redis_client.dbsize() == 0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"body": "LGTM"}, "comment is not a /docgen command"),
        ({"issue_is_pr": False}, "#1187 is an issue, not a pull request"),
        ({"bot": True}, "/docgen comment by a bot (ci-helper[bot])"),
    ],
)
async def test_comments_that_are_not_commands_are_200(
    client: httpx.Client,
    redis_client: redis.asyncio.Redis,
    change: dict[str, object],
    reason: str,
) -> None:
    data = payload("issue_comment.created")
    if "body" in change:
        data["comment"]["body"] = change["body"]
    if change.get("issue_is_pr") is False:
        del data["issue"]["pull_request"]
    if change.get("bot"):
        data["comment"]["user"].update(login="ci-helper[bot]", type="Bot")
    answer = deliver(client, "issue_comment", compact(data))
    assert (answer.status_code, answer.json()) == (200, {"reason": reason})
    assert await redis_client.dbsize() == 0


async def test_draft_and_bot_pull_requests_are_200(
    client: httpx.Client, redis_client: redis.asyncio.Redis
) -> None:
    draft = payload("pull_request.opened")
    draft["pull_request"]["draft"] = True
    bot = payload("pull_request.opened")
    bot["pull_request"]["user"].update(login="renovate[bot]", type="Bot")
    assert deliver(client, "pull_request", compact(draft)).json() == {
        "reason": "pull request #1187 is a draft"
    }
    assert deliver(client, "pull_request", compact(bot)).status_code == 200
    assert await redis_client.dbsize() == 0


def test_drafts_are_queued_when_configured(make_settings: Callable[..., Settings]) -> None:
    draft = payload("pull_request.opened")
    draft["pull_request"]["draft"] = True
    app = create_app(make_settings(docgen_review_drafts="true"))
    with serve(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        assert deliver(client, "pull_request", compact(draft)).status_code == 202


async def test_docgen_comment_is_queued_with_commenter(
    client: httpx.Client, redis_client: redis.asyncio.Redis
) -> None:
    delivery = new_delivery_id()
    body = compact(payload("issue_comment.created"))
    answer = deliver(client, "issue_comment", body, delivery_id=delivery)
    assert answer.status_code == 202
    job = deserialize_job(await redis_client.get(f"arq:job:{delivery}"))
    assert job.function == JOB_FUNCTION and job.args == ()
    assert job.kwargs["comment_id"] == 2497731185
    assert job.kwargs["commenter"] == "carol-maint"
    assert job.kwargs["head_sha"] is None


async def test_the_same_delivery_twice_makes_one_job(
    client: httpx.Client, redis_client: redis.asyncio.Redis
) -> None:
    delivery = new_delivery_id()
    first = deliver(client, "pull_request", OPENED, delivery_id=delivery)
    again = deliver(client, "pull_request", OPENED, delivery_id=delivery)
    assert first.status_code == 202
    assert again.status_code == 200
    assert again.json() == {"job_id": delivery, "reason": "already queued or running"}
    assert await _jobs(redis_client) == [delivery.encode()]


async def test_50_concurrent_distinct_deliveries_make_50_jobs(
    base_url: str, redis_client: redis.asyncio.Redis
) -> None:
    ids = [new_delivery_id() for _ in range(50)]
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(base_url=base_url, timeout=10, limits=limits) as client:
        answers = await asyncio.gather(
            *(adeliver(client, "pull_request", OPENED, delivery_id=i) for i in ids),
            # Each one again, concurrently: redeliveries racing the originals.
            *(adeliver(client, "pull_request", OPENED, delivery_id=i) for i in ids),
        )
    assert sorted(a.status_code for a in answers) == [200] * 50 + [202] * 50
    assert await _jobs(redis_client) == sorted(i.encode() for i in ids)
    assert len(await redis_client.keys("arq:job:*")) == 50


async def test_log_lines_carry_the_delivery_id_and_never_the_secret_or_body(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    marker = "BODY-MARKER-5c1e"
    data = payload("pull_request.opened")
    data["pull_request"]["body"] = marker
    body = compact(data)
    ids = [new_delivery_id() for _ in range(5)]
    with caplog.at_level(logging.DEBUG, logger="docgen"):
        deliver(client, "pull_request", body, delivery_id=ids[0])  # queued
        deliver(client, "pull_request", body, delivery_id=ids[0])  # duplicate
        deliver(client, "ping", compact(payload("ping")), delivery_id=ids[1])  # ignored
        deliver(client, "pull_request", b"{", delivery_id=ids[2])  # bad request
        deliver(client, "pull_request", body, delivery_id=ids[3], secret="forged")  # 401
        deliver(client, "pull_request", body, delivery_id=ids[4], secret=None)  # 401, throttled
    found = events(caplog.records)
    assert len(found) == 5  # the second 401 within a second is counted, not logged
    for event in found:
        line = json.dumps(event)
        assert event["delivery_id"] in ids, line
        assert SECRET not in line and OLD_SECRET not in line and "forged" not in line
        assert marker not in line and "alice-dev" not in line
    assert found[0]["msg"] == "delivery.queued" and found[0]["repo"] == "acme-data/pipelines"
    assert found[1]["msg"] == "delivery.duplicate"


async def test_a_flood_of_wrong_signatures_logs_at_most_one_line_per_second(
    base_url: str, caplog: pytest.LogCaptureFixture, redis_client: redis.asyncio.Redis
) -> None:
    loop = asyncio.get_running_loop()
    with caplog.at_level(logging.WARNING, logger="docgen"):
        started = loop.time()
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
            answers = await asyncio.gather(
                *(adeliver(client, "pull_request", OPENED, secret="forged") for _ in range(120))
            )
        elapsed = loop.time() - started
    assert {a.status_code for a in answers} == {401}
    refused = [r for r in caplog.records if r.getMessage() == "signature.wrong"]
    assert 1 <= len(refused) <= int(elapsed) + 1
    assert await redis_client.dbsize() == 0


def test_other_methods_and_paths_are_refused(client: httpx.Client) -> None:
    assert client.get(WEBHOOK).status_code == 405
    assert client.post("/api/github/webhook", content=OPENED).status_code == 404
