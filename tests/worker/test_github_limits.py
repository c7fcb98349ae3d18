"""GitHub's limits, shared by workers through Redis: pauses, write spacing, bounded retries.

Two ``GitHubApp`` objects on one Redis stand for two worker processes. Times are
the fake GitHub's own record of when each request arrived.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import Any

import pytest
import redis.asyncio
from githubkit.exception import RequestFailed

from bot import keys
from bot.settings import Settings
from bot.worker.github import GitHubApp, PullRequest, RepoClient
from bot.worker.github_limits import MAX_ATTEMPTS, GitHubBlocked, LimitPolicy
from tests.fakes.github import FakeGitHub, Route

OWNER, REPO, NUMBER, INSTALLATION = "octo", "demo", 7, 42
FAST = LimitPolicy(spacing=0.2, backoff_base=0.05, max_inline_wait=5.0)


def worker(fake: FakeGitHub, client: redis.asyncio.Redis, policy: LimitPolicy = FAST) -> RepoClient:
    """Return octo/demo's client as one worker process builds it."""
    settings = Settings.from_env(
        {
            "GITHUB_APP_ID": str(fake.app_id),
            "GITHUB_PRIVATE_KEY": fake.private_key_pem,
            "GITHUB_API_URL": fake.base_url,
        }
    )
    return GitHubApp(settings, client, limits=policy).repo(INSTALLATION, f"{OWNER}/{REPO}")


@pytest.fixture
def fake(fake_github: FakeGitHub) -> FakeGitHub:
    """Return the fake GitHub with octo/demo's PR #7."""
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    fake_github.add_pull_request(OWNER, REPO, NUMBER, head_sha="a" * 40)
    return fake_github


async def test_a_spent_primary_limit_makes_every_worker_wait_for_the_reset(
    fake: FakeGitHub, redis_client: redis.asyncio.Redis
) -> None:
    first, second = worker(fake, redis_client), worker(fake, redis_client)
    await first.pull_request(NUMBER)  # tokens minted: only the limit is left to observe
    reset = int(time.time()) + 1
    fake.fail_next(
        Route.GET_PULL,
        403,
        body={"message": "API rate limit exceeded for installation ID 42."},
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
    )
    results = await asyncio.gather(first.pull_request(NUMBER), _later(second.pull_request(NUMBER)))
    assert [pr.number for pr in results] == [NUMBER, NUMBER]
    refused, *after = fake.requests(Route.GET_PULL)[1:]
    assert refused.status == 403
    assert len(after) == 2 and all(r.status == 200 for r in after)
    # Nobody called GitHub for the installation until the reset (plus the second kept).
    assert min(r.at for r in after) - refused.at >= 0.9
    assert await redis_client.exists(keys.github_blocked_key(INSTALLATION)) == 0


async def _later(call: Coroutine[Any, Any, PullRequest]) -> PullRequest:
    await asyncio.sleep(0.3)  # the first worker has met the limit by now
    return await call


async def test_a_secondary_limit_with_retry_after_pauses_then_retries(
    fake: FakeGitHub, redis_client: redis.asyncio.Redis
) -> None:
    fake.fail_next(
        Route.GET_PULL,
        403,
        body={"message": "You have exceeded a secondary rate limit."},
        headers={"retry-after": "1"},
    )
    pr = await worker(fake, redis_client).pull_request(NUMBER)
    assert pr.number == NUMBER
    refused, answered = fake.requests(Route.GET_PULL)
    assert (refused.status, answered.status) == (403, 200)
    assert answered.at - refused.at >= 0.9


async def test_a_long_secondary_pause_hands_the_job_back_and_binds_every_worker(
    fake: FakeGitHub, redis_client: redis.asyncio.Redis
) -> None:
    # No retry-after: GitHub's advice is to wait a minute, longer than a job waits in place.
    fake.fail_next(
        Route.GET_PULL, 403, body={"message": "You have exceeded a secondary rate limit."}
    )
    with pytest.raises(GitHubBlocked) as first:
        await worker(fake, redis_client).pull_request(NUMBER)
    assert 55 <= first.value.wait <= 60
    with pytest.raises(GitHubBlocked):
        await worker(fake, redis_client).create_comment(NUMBER, "hello")
    assert fake.request_count(Route.GET_PULL) == 1
    assert fake.request_count(Route.CREATE_ISSUE_COMMENT) == 0
    other = keys.github_blocked_key(INSTALLATION + 1)
    assert await redis_client.exists(other) == 0  # other installations go on


async def test_server_errors_are_retried_with_backoff_up_to_the_bound(
    fake: FakeGitHub, redis_client: redis.asyncio.Redis
) -> None:
    client = worker(fake, redis_client)
    fake.fail_next(Route.GET_PULL, 502, times=2)
    assert (await client.pull_request(NUMBER)).number == NUMBER
    assert [r.status for r in fake.requests(Route.GET_PULL)] == [502, 502, 200]
    fake.fail_next(Route.GET_PULL, 502, times=50)
    with pytest.raises(RequestFailed) as failed:
        await client.pull_request(NUMBER)
    assert failed.value.response.status_code == 502
    assert fake.request_count(Route.GET_PULL) == 3 + MAX_ATTEMPTS


async def test_a_post_answered_5xx_is_not_sent_again_in_place(
    fake: FakeGitHub, redis_client: redis.asyncio.Redis
) -> None:
    # GitHub may have created the comment anyway: the job's retry reads the PR first.
    fake.fail_next(Route.CREATE_ISSUE_COMMENT, 502, times=5)
    with pytest.raises(RequestFailed):
        await worker(fake, redis_client).create_comment(NUMBER, "hello")
    assert fake.request_count(Route.CREATE_ISSUE_COMMENT) == 1


async def test_writes_of_one_installation_are_spaced_across_workers(
    fake: FakeGitHub, redis_client: redis.asyncio.Redis
) -> None:
    workers = [worker(fake, redis_client), worker(fake, redis_client)]
    await asyncio.gather(*(w.pull_request(NUMBER) for w in workers))  # mint tokens first

    async def write(client: RepoClient, n: int) -> None:
        for i in range(3):
            comment = await client.create_comment(NUMBER, f"worker {n} comment {i}")
            await client.update_comment(comment, f"worker {n} comment {i}, edited")

    await asyncio.gather(*(write(w, n) for n, w in enumerate(workers)))
    routes = (Route.CREATE_ISSUE_COMMENT, Route.UPDATE_ISSUE_COMMENT)
    writes = sorted(r.at for route in routes for r in fake.requests(route))
    assert len(writes) == 12
    gaps = [b - a for a, b in zip(writes, writes[1:], strict=False)]
    assert min(gaps) >= 0.15, gaps  # 0.2 s apart, less the time a request takes to arrive
