"""End to end: a long review asks the model in parts, and other installations go between.

With ``DOCGEN_MAX_CONCURRENCY=1`` a work item is one request of at most 20 functions;
a pull request adding 45 functions is reviewed in three parts, one job each.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import redis.asyncio
from arq import create_pool

from bot import keys
from bot.contract import JOB_FUNCTION, ReviewJob
from bot.settings import Settings
from bot.worker.runner import redis_settings
from tests.fakes.github_model import PrFile
from tests.web.support import compact, deliver
from tests.worker.command_support import reactions, replies, seed_pr, send_command
from tests.worker.conftest import run_burst
from tests.worker.support import INSTALLATION, NUMBER, OWNER, REPO, pr_event, sha
from tests.worker.test_review_e2e import summaries

FUNCTIONS = 45
SMALL_INSTALLATION, SMALL_OWNER, SMALL_REPO = 5151, "acme", "tiny"


@pytest.fixture
def app_env(app_env: dict[str, str]) -> dict[str, str]:
    """One request per work item; room for every function of the long pull request."""
    return {**app_env, "DOCGEN_MAX_CONCURRENCY": "1", "DOCGEN_MAX_FUNCTIONS_PER_RUN": "100"}


def steps(n: int) -> str:
    return "".join(
        f"def step_{i}(value, factor={i}):\n    return value * factor\n\n\n" for i in range(n)
    )


def open_pr(web: httpx.Client, installation: int, owner: str, repo: str, head: str) -> None:
    data = json.loads(pr_event("opened", head))
    data["installation"]["id"] = installation
    data["repository"].update(full_name=f"{owner}/{repo}", name=repo)
    data["repository"]["owner"]["login"] = owner
    assert deliver(web, "pull_request", compact(data)).status_code == 202


def seed_long(fake_github: Any) -> None:
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    files = [PrFile.from_texts("pkg/steps.py", None, steps(FUNCTIONS))]
    fake_github.add_pull_request(OWNER, REPO, NUMBER, head_sha=sha(1), files=files)


def open_long(web: httpx.Client, fake_github: Any) -> None:
    """Seed the long pull request and deliver its ``opened`` event."""
    seed_long(fake_github)
    open_pr(web, INSTALLATION, OWNER, REPO, sha(1))


def seed_small(fake_github: Any) -> None:
    fake_github.add_installation(
        SMALL_INSTALLATION, repos=[f"{SMALL_OWNER}/{SMALL_REPO}"], account=SMALL_OWNER
    )
    files = [PrFile.from_texts("tiny.py", None, steps(1))]
    fake_github.add_pull_request(SMALL_OWNER, SMALL_REPO, NUMBER, head_sha=sha(2), files=files)


async def drain(settings: Settings, **options: Any) -> int:
    """Run one job at a time until the queue is empty; return how many ran."""
    return await run_burst(settings, max_jobs=1, **options)


async def results(client: redis.asyncio.Redis) -> list[str]:
    """Return the arq job ids that finished, in the order they finished."""
    from arq.jobs import deserialize_result

    done = []
    async for key in client.scan_iter("arq:result:*"):
        raw = await client.get(key)
        assert raw is not None
        info = deserialize_result(raw)
        done.append((info.finish_time, info.job_id, str(info.result)))
    return [f"{job_id} {result}" for _, job_id, result in sorted(done)]


async def test_a_long_review_runs_in_parts_and_posts_once(
    web: httpx.Client,
    app_settings: Settings,
    fake_github: Any,
    fake_azure: Any,
    redis_client: redis.asyncio.Redis,
) -> None:
    open_long(web, fake_github)
    assert await drain(app_settings) == 3
    finished = await results(redis_client)
    assert [line.split(" ", 1)[1] for line in finished] == [
        "continued: 25 functions left for part 1",
        "continued: 5 functions left for part 2",
        f"suggested {FUNCTIONS}, skipped 0",
    ]
    assert "~part1 " in finished[1] and "~part2 " in finished[2]
    [review] = fake_github.reviews_of(OWNER, REPO, NUMBER)
    assert len(review.comments) == FUNCTIONS
    [summary] = summaries(fake_github)
    # Every part's model calls are in the one summary, as the API reported them.
    answered = [r.response for r in fake_azure.requests if r.status == 200]
    assert len(answered) == 3
    reported = sum(a["usage"]["prompt_tokens"] for a in answered if a is not None)
    assert f"| Tokens | {reported:,} prompt" in summary.body, summary.body
    [check] = fake_github.check_runs  # every part carries the one Check Run on
    assert check.status == "completed"
    # The progress kept between the parts is gone once the review is posted.
    assert not [k async for k in redis_client.scan_iter(keys.PROGRESS_PREFIX + "*")]


async def test_another_installation_goes_between_the_parts(
    web: httpx.Client,
    app_settings: Settings,
    fake_github: Any,
    fake_azure: Any,
    redis_client: redis.asyncio.Redis,
) -> None:
    seed_long(fake_github)
    seed_small(fake_github)
    open_pr(web, INSTALLATION, OWNER, REPO, sha(1))
    open_pr(web, SMALL_INSTALLATION, SMALL_OWNER, SMALL_REPO, sha(2))
    assert await drain(app_settings) == 4
    finished = [line.split(" ", 1)[1] for line in await results(redis_client)]
    # The long review's first part, then the small pull request queued meanwhile,
    # then the long review's remaining parts.
    assert finished == [
        "continued: 25 functions left for part 1",
        "suggested 1, skipped 0",
        "continued: 5 functions left for part 2",
        f"suggested {FUNCTIONS}, skipped 0",
    ]
    assert len(fake_github.reviews_of(SMALL_OWNER, SMALL_REPO, NUMBER)) == 1
    assert len(fake_github.reviews_of(OWNER, REPO, NUMBER)) == 1


async def test_a_part_run_again_asks_nothing_and_hands_on(
    web: httpx.Client,
    app_settings: Settings,
    fake_github: Any,
    fake_azure: Any,
    redis_client: redis.asyncio.Redis,
) -> None:
    open_long(web, fake_github)
    assert await drain(app_settings, max_burst_jobs=1) == 1  # the first part alone
    [job_id] = [
        k.decode().removeprefix("arq:result:") async for k in redis_client.scan_iter("arq:result:*")
    ]
    asked = len(fake_azure.requests)
    # The first part runs again (its worker died after it queued the second part).
    pool = await create_pool(redis_settings(app_settings))
    try:
        job = ReviewJob(INSTALLATION, f"{OWNER}/{REPO}", NUMBER, sha(1), "pull_request.opened")
        again = job.for_delivery(job_id)
        await pool.enqueue_job(JOB_FUNCTION, _job_id="rerun-of-part-0", **again.to_kwargs())
    finally:
        await pool.aclose()
    assert await drain(app_settings) == 3
    finished = [line.split(" ", 1)[1] for line in await results(redis_client)]
    # It found its part done and only made sure the next part was queued (arq keeps
    # one job per id, so the part it names runs once).
    assert len([x for x in finished if x.endswith("carries on")]) == 1
    assert finished.count(f"suggested {FUNCTIONS}, skipped 0") == 1
    assert len(fake_azure.requests) == asked + 2  # parts 1 and 2, nothing asked twice
    [review] = fake_github.reviews_of(OWNER, REPO, NUMBER)
    assert len(review.comments) == FUNCTIONS


async def test_a_push_between_parts_ends_the_old_heads_check(
    web: httpx.Client,
    app_settings: Settings,
    fake_github: Any,
    redis_client: redis.asyncio.Redis,
) -> None:
    open_long(web, fake_github)
    assert await drain(app_settings, max_burst_jobs=1) == 1
    [started] = fake_github.check_runs
    assert started.status == "in_progress"
    # A push lands before the second part runs (its own delivery is not sent here).
    files = [PrFile.from_texts("pkg/steps.py", None, steps(FUNCTIONS + 1))]
    fake_github.add_pull_request(OWNER, REPO, NUMBER, head_sha=sha(3), files=files)
    assert await drain(app_settings) == 1
    assert (await results(redis_client))[-1].endswith("superseded: the pull request moved on")
    [ended] = fake_github.check_runs
    assert (ended.status, ended.conclusion) == ("completed", "neutral")
    assert ended.title is not None and "newer push" in ended.title
    assert not fake_github.reviews


async def test_a_long_command_review_is_acknowledged_once_and_concluded_at_the_end(
    web: httpx.Client,
    app_settings: Settings,
    fake_github: Any,
    redis_client: redis.asyncio.Redis,
) -> None:
    files = [PrFile.from_texts("pkg/steps.py", None, steps(FUNCTIONS))]
    seed_pr(fake_github, files)
    comment_id = send_command(web, fake_github, "/docgen")
    assert await drain(app_settings) == 3
    finished = [line.split(" ", 1)[1] for line in await results(redis_client)]
    assert finished[-1] == f"suggested {FUNCTIONS}, skipped 0"
    # 👀 when the first part starts, 🚀 once the last has posted: nothing in between.
    assert reactions(fake_github, comment_id) == ["eyes", "rocket"]
    assert replies(fake_github) == []
    assert len(fake_github.reviews) == 1
