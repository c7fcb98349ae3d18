"""Installation life through the real web app and Redis: uninstall, suspend, repos removed."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis
from arq.jobs import deserialize_job

from bot import keys
from tests.logs import events
from tests.web.support import compact, deliver, new_delivery_id, payload

A, B = 58213377, 77004512  # A is the payloads' installation
REPOS_A = ("acme-data/pipelines", "acme-data/warehouse-models")
REPOS_B = ("globex/api",)
APP_ID = 1043217


def family_keys(installation: int, repos: tuple[str, ...]) -> set[str]:
    """Return one key of every family kept for ``installation`` and its ``repos``."""
    out = {
        keys.budget_key(installation, "2026-11"),
        keys.budget_held_key(installation, "2026-12"),
        keys.answer_key(installation, "9f2c41d07ab3"),
        keys.answer_key(installation, "04be77a1c9d2"),
        keys.superseded_key(installation, "6c1f5d8e-93b1-11ef-8e2a-0c7a1e4b5d21"),
        keys.installation_token_key(APP_ID, installation),
        keys.suspended_key(installation),
    }
    for n, repo in enumerate(repos, start=1):
        out |= {keys.lock_key(repo, n), keys.pr_cost_key(repo, n), keys.latest_push_key(repo, n)}
    out.add(keys.pr_cost_key(repos[0].upper(), 99))  # GitHub names ignore case
    return out


# What no installation owns, and keys that are not docgen's.
OTHERS = {
    keys.ratelimit_key("res.openai.azure.com/docs"),
    f"{keys.GITHUB_CACHE_PREFIX}:githubkit:auth:app:{APP_ID}:jwt",
    keys.legacy_superseded_key("0d6f2a1c-93b1-11ef-9f0e-2b7c1e4b5d21"),
    keys.lock_key("acme-data/pipelines-archive", 4),  # not one of A's repositories
    "arq:queue:health-check",
}


@pytest.fixture
def store(redis_url: str) -> Iterator[redis.Redis]:
    """Return a Redis client on the app's database, seeded with keys of every family."""
    client = redis.Redis.from_url(redis_url)
    seeded = family_keys(A, REPOS_A) | family_keys(B, REPOS_B) | OTHERS
    client.mset(dict.fromkeys(seeded, b"1"))
    client.hset(keys.budget_key(A, "2026-12"), mapping={"tokens": 1200, "nano_usd": 90_000})
    yield client
    client.close()


def names(client: redis.Redis) -> set[str]:
    return {k.decode() for k in client.scan_iter(count=1000)}


def test_uninstall_deletes_everything_kept_for_the_installation(
    client: httpx.Client, store: redis.Redis
) -> None:
    before = names(store)
    answer = deliver(client, "installation", compact(payload("installation.deleted")))
    gone = family_keys(A, REPOS_A) | {keys.budget_key(A, "2026-12")}
    assert (answer.status_code, answer.json()) == (
        200,
        {"reason": f"installation.deleted: forgot installation {A}", "keys_deleted": len(gone)},
    )
    assert names(store) == before - gone
    assert family_keys(B, REPOS_B) | OTHERS <= names(store)


def test_uninstall_of_an_installation_with_nothing_stored_deletes_nothing(
    client: httpx.Client, store: redis.Redis
) -> None:
    data = payload("installation.deleted")
    data["installation"]["id"] = 31337
    data["repositories"] = [{"id": 1, "name": "x", "full_name": "nobody/x", "private": False}]
    before = names(store)
    answer = deliver(client, "installation", compact(data))
    assert (answer.status_code, answer.json()["keys_deleted"]) == (200, 0)
    assert names(store) == before


def test_removed_repositories_lose_their_keys(client: httpx.Client, store: redis.Redis) -> None:
    before = names(store)
    body = compact(payload("installation_repositories.removed"))
    answer = deliver(client, "installation_repositories", body)
    removed = "acme-data/warehouse-models"
    gone = {keys.lock_key(removed, 2), keys.pr_cost_key(removed, 2)}
    gone.add(keys.latest_push_key(removed, 2))
    assert (answer.status_code, answer.json()) == (
        200,
        {"reason": "installation_repositories.removed: forgot 1 repositories", "keys_deleted": 3},
    )
    assert names(store) == before - gone


def _job_deliveries(installation: int = A) -> list[tuple[str, bytes]]:
    pr = payload("pull_request.opened")
    comment = payload("issue_comment.created")
    for data in (pr, comment):
        data["installation"]["id"] = installation
    return [("pull_request", compact(pr)), ("issue_comment", compact(comment))]


def test_a_suspended_installation_is_ignored_until_unsuspended(
    client: httpx.Client, store: redis.Redis
) -> None:
    store.delete(keys.suspended_key(A))
    answer = deliver(client, "installation", compact(payload("installation.suspend")))
    assert (answer.status_code, answer.json()) == (
        200,
        {
            "reason": f"installation.suspend: deliveries of installation {A} are ignored",
            "keys_deleted": 0,
        },
    )
    assert store.get(keys.suspended_key(A)) == b"1" and store.ttl(keys.suspended_key(A)) == -1
    for event, body in _job_deliveries():
        ignored = deliver(client, event, body)
        assert (ignored.status_code, ignored.json()) == (
            200,
            {"reason": f"installation {A} is suspended"},
        )
    assert store.zcard("arq:queue") == 0
    # Another installation is served meanwhile.
    store.delete(keys.suspended_key(B))
    for event, body in _job_deliveries(B):
        assert deliver(client, event, body).status_code == 202
    assert store.zcard("arq:queue") == 2

    answer = deliver(client, "installation", compact(payload("installation.unsuspend")))
    assert answer.status_code == 200 and answer.json()["keys_deleted"] == 1
    assert not store.exists(keys.suspended_key(A))
    for event, body in _job_deliveries():
        assert deliver(client, event, body).status_code == 202
    assert store.zcard("arq:queue") == 4


@pytest.mark.parametrize(
    ("event", "name"),
    [
        ("installation", "installation.created"),
        ("installation", "installation.new_permissions_accepted"),
        ("installation_repositories", "installation_repositories.added"),
    ],
)
def test_changes_that_store_nothing_are_acknowledged(
    client: httpx.Client, store: redis.Redis, event: str, name: str
) -> None:
    before = names(store)
    answer = deliver(client, event, compact(payload(name)))
    assert (answer.status_code, answer.json()) == (
        200,
        {"reason": f"{name}: nothing stored", "keys_deleted": 0},
    )
    assert names(store) == before


def test_installation_changes_are_counted_and_logged(
    client: httpx.Client, store: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="docgen.web")
    delivery = new_delivery_id()
    body = compact(payload("installation.deleted"))
    assert deliver(client, "installation", body, delivery_id=delivery).status_code == 200
    lines = [e for e in events(caplog.records) if e["msg"] == "installation.changed"]
    assert len(lines) == 1
    assert lines[0]["installation"] == A and lines[0]["action"] == "deleted"
    deleted = len(family_keys(A, REPOS_A)) + 1  # and the budget hash written apart
    assert lines[0]["delivery_id"] == delivery and lines[0]["keys_deleted"] == deleted
    text = client.get("/metrics").text
    assert 'docgen_webhook_deliveries_total{event="installation",outcome="handled"} 1.0' in text


def test_a_fork_pull_request_job_carries_the_flag(client: httpx.Client, store: redis.Redis) -> None:
    store.delete(keys.suspended_key(A))
    data: dict[str, Any] = copy.deepcopy(payload("pull_request.opened"))
    data["pull_request"]["head"]["repo"]["full_name"] = "bob-forks/pipelines"
    answer = deliver(client, "pull_request", compact(data))
    assert answer.status_code == 202
    raw = store.get(f"arq:job:{answer.json()['job_id']}")
    assert isinstance(raw, bytes)
    job = deserialize_job(raw)
    assert job.kwargs["from_fork"] is True and job.kwargs["repo"] == "acme-data/pipelines"
