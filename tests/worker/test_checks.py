"""The worker's Check Run calls against the fake GitHub: typed requests, strict answers."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest
import redis.asyncio
from githubkit.exception import RequestFailed

from bot import keys
from bot.repo_config import load_repo_config
from bot.worker.checks import NO_CHECK, REMEMBER_SECONDS, Check, failure_reason, start_check
from bot.worker.github import RepoClient
from tests.fakes.github import FakeGitHub, Route
from tests.fakes.github_model import APP_PERMISSIONS
from tests.worker.test_github import BASE, HEAD, INSTALLATION, OWNER, REPO, client, seed

CONFIG = load_repo_config(None)


async def test_create_then_complete(fake_github: FakeGitHub) -> None:
    seed(fake_github, [])
    gh = client(fake_github)
    check_id = await gh.create_check_run(
        HEAD, "docgen / docstrings", output_title="Reviewing", output_summary="…"
    )
    [run] = fake_github.check_runs
    assert (run.id, run.name, run.head_sha, run.status, run.conclusion) == (
        check_id,
        "docgen / docstrings",
        HEAD,
        "in_progress",
        None,
    )
    await gh.update_check_run(
        check_id,
        status="completed",
        conclusion="neutral",
        output_title="1 of 2",
        output_summary="summary",
        output_text="| table |",
    )
    [run] = fake_github.check_runs
    assert (run.status, run.conclusion, run.title, run.summary, run.text) == (
        "completed",
        "neutral",
        "1 of 2",
        "summary",
        "| table |",
    )
    assert run.completed_at is not None and [h.status for h in run.history] == ["in_progress"]


def test_installation_tokens_carry_checks_write(fake_github: FakeGitHub) -> None:
    seed(fake_github, [])
    answer = httpx.post(
        f"{fake_github.base_url}/app/installations/42/access_tokens",
        headers={"Authorization": f"Bearer {_app_jwt(fake_github)}"},
        timeout=10,
    )
    assert answer.status_code == 201
    assert answer.json()["permissions"] == dict(APP_PERMISSIONS)
    assert APP_PERMISSIONS["checks"] == "write"


async def test_unknown_sha_and_bad_payloads_are_refused(fake_github: FakeGitHub) -> None:
    seed(fake_github, [])
    gh = client(fake_github)
    with pytest.raises(RequestFailed) as failure:
        await gh.create_check_run("c" * 40, "x")
    assert failure.value.response.status_code == 422
    check_id = await gh.create_check_run(BASE, "x")
    token = _token(fake_github)
    url = f"{fake_github.base_url}/repos/octo/demo/check-runs"
    bad: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", url, {"head_sha": HEAD}),
        ("POST", url, {"name": "x"}),
        ("POST", url, {"name": "x", "head_sha": HEAD, "status": "pending"}),
        ("POST", url, {"name": "x", "head_sha": HEAD, "status": "completed"}),
        ("POST", url, {"name": "x", "head_sha": HEAD, "conclusion": "stale"}),
        ("POST", url, {"name": "x", "head_sha": HEAD, "output": {"title": "t"}}),
        ("POST", url, {"name": "x", "head_sha": HEAD, "colour": "red"}),
        ("PATCH", f"{url}/{check_id}", {"conclusion": "passed"}),
        ("PATCH", f"{url}/{check_id}", {"status": "completed"}),
        ("PATCH", f"{url}/{check_id}", {"output": {"title": "t", "summary": "s" * 65_536}}),
        ("PATCH", f"{url}/{check_id}", {"output": {"title": "t", "text": "x"}}),
    ]
    async with httpx.AsyncClient(headers={"Authorization": f"token {token}"}) as http:
        for method, target, body in bad:
            response = await http.request(method, target, json=body)
            assert response.status_code == 422, (body, response.text)
        missing = await http.patch(f"{url}/999999", json={"conclusion": "success"})
        assert missing.status_code == 404
    [run] = fake_github.check_runs
    assert run.status == "in_progress" and run.history == ()


def _token(fake: FakeGitHub) -> str:
    """Return an installation token, minted straight from the fake."""
    return fake.mint_token(42, _app_jwt(fake)).token


def _app_jwt(fake: FakeGitHub) -> str:
    now = int(time.time())
    claims = {"iat": now - 60, "exp": now + 540, "iss": str(fake.app_id)}
    return jwt.encode(claims, fake.private_key_pem, algorithm="RS256")


async def test_start_check_without_the_permission_is_no_check(
    fake_github: FakeGitHub, redis_client: redis.asyncio.Redis
) -> None:
    fake_github.add_installation(42, repos=["octo/demo"], permissions={"contents": "read"})
    fake_github.add_pull_request("octo", "demo", 7, head_sha=HEAD, base_sha=BASE)
    gh: RepoClient = client(fake_github)
    check = await start_check(gh, HEAD, CONFIG, redis_client, INSTALLATION)
    assert check is NO_CHECK and fake_github.check_runs == []
    assert fake_github.request_count(Route.CREATE_CHECK_RUN) == 1
    await check.fail(RuntimeError("nothing happens"))  # a no-op check never calls GitHub


async def test_mode_off_calls_nothing(
    fake_github: FakeGitHub, redis_client: redis.asyncio.Redis
) -> None:
    seed(fake_github, [])
    off = load_repo_config("check: off\n")
    check = await start_check(client(fake_github), HEAD, off, redis_client, INSTALLATION)
    assert check is NO_CHECK and fake_github.request_count(Route.CREATE_CHECK_RUN) == 0
    assert await redis_client.keys() == []


def _key(head_sha: str = HEAD) -> str:
    return keys.check_run_key(INSTALLATION, f"{OWNER}/{REPO}", head_sha)


async def _start(fake: FakeGitHub, redis_client: redis.asyncio.Redis, head: str = HEAD) -> Check:
    return await start_check(client(fake), head, CONFIG, redis_client, INSTALLATION)


async def test_a_second_run_of_a_head_takes_up_the_check_left_in_progress(
    fake_github: FakeGitHub, redis_client: redis.asyncio.Redis
) -> None:
    seed(fake_github, [])
    first = await _start(fake_github, redis_client)  # its worker dies: never completed
    assert await redis_client.get(_key()) == str(first.check_id).encode()
    assert 0 < await redis_client.ttl(_key()) <= REMEMBER_SECONDS
    second = await _start(fake_github, redis_client)
    assert second.check_id == first.check_id
    assert fake_github.request_count(Route.CREATE_CHECK_RUN) == 1
    await second.finish_empty()
    [run] = fake_github.check_runs
    assert (run.status, run.conclusion) == ("completed", "success")
    assert [(h.status, h.title) for h in run.history] == [
        ("in_progress", "Reviewing the changed functions"),  # created
        ("in_progress", "Reviewing the changed functions"),  # taken up again
    ]
    assert await redis_client.exists(_key()) == 0  # completed: nothing left to take up


async def test_a_new_head_gets_its_own_check(
    fake_github: FakeGitHub, redis_client: redis.asyncio.Redis
) -> None:
    seed(fake_github, [])
    on_head = await _start(fake_github, redis_client, HEAD)
    on_base = await _start(fake_github, redis_client, BASE)  # any other commit of the PR
    assert on_head.check_id != on_base.check_id
    assert [r.head_sha for r in fake_github.check_runs] == [HEAD, BASE]


async def test_a_run_that_was_completed_is_not_reopened(
    fake_github: FakeGitHub, redis_client: redis.asyncio.Redis
) -> None:
    seed(fake_github, [])
    first = await _start(fake_github, redis_client)
    await first.fail(RuntimeError("boom"))  # e.g. before an arq retry
    assert await redis_client.exists(_key()) == 0
    again = await _start(fake_github, redis_client)
    assert again.check_id != first.check_id
    # Had forgetting failed, GitHub's answer still says the old run is final.
    assert first.check_id is not None
    await redis_client.set(_key(), str(first.check_id))
    third = await _start(fake_github, redis_client)
    assert third.check_id not in (first.check_id, again.check_id)
    old = fake_github.check_runs[0]
    assert (old.status, old.conclusion) == ("completed", "neutral")
    assert await redis_client.get(_key()) == str(third.check_id).encode()


@pytest.mark.parametrize("remembered", [b"987654321", b"not a number"])
async def test_a_remembered_run_that_is_gone_falls_back_to_a_new_one(
    fake_github: FakeGitHub, redis_client: redis.asyncio.Redis, remembered: bytes
) -> None:
    seed(fake_github, [])
    await redis_client.set(_key(), remembered)
    check = await _start(fake_github, redis_client)
    [run] = fake_github.check_runs
    assert (check.check_id, run.status) == (run.id, "in_progress")
    assert await redis_client.get(_key()) == str(run.id).encode()
    expected = 1 if remembered.isdigit() else 0  # a number is asked about; GitHub says 404
    assert fake_github.request_count(Route.UPDATE_CHECK_RUN) == expected


async def test_failure_reasons_name_githubs_answer(fake_github: FakeGitHub) -> None:
    seed(fake_github, [])
    fake_github.fail_next(Route.GET_PULL, 404, body={"message": "Not Found"})
    with pytest.raises(RequestFailed) as failure:
        await client(fake_github).pull_request(7)
    assert (
        failure_reason(failure.value)
        == "GitHub answered 404 to GET /api/v3/repos/octo/demo/pulls/7"
    )
    assert failure_reason(ValueError("bad")) == "ValueError: bad"
