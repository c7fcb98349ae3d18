"""A suspended installation's queued job ends quietly; an uninstall forgets what a run kept."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import redis.asyncio
from arq.connections import ArqRedis
from arq.jobs import Job

from bot import keys
from tests.fakes.github_model import PrFile
from tests.web.support import compact, deliver, payload
from tests.worker.conftest import RunWorker
from tests.worker.support import INSTALLATION, NUMBER, OWNER, REPO, send_pr, sha

CODE = "def area(width, height):\n    product = width * height\n    return product\n"


def installation_event(action: str) -> bytes:
    """Return an ``installation`` delivery body for the test installation."""
    data: dict[str, Any] = copy.deepcopy(payload(f"installation.{action}"))
    data["installation"]["id"] = INSTALLATION
    data["repositories"] = [
        {"id": 9001, "node_id": "R_kgDOAAAjKQ", "name": REPO, "full_name": f"{OWNER}/{REPO}"}
    ]
    return compact(data)


async def result_of(redis_url: str, job_id: str) -> object:
    pool = ArqRedis(pool_or_conn=redis.asyncio.ConnectionPool.from_url(redis_url))
    try:
        info = await Job(job_id, pool).result_info()
        assert info is not None
        return info.result
    finally:
        await pool.aclose(close_connection_pool=True)


async def test_a_suspended_installations_job_ends_quietly_and_uninstall_forgets_it(
    web: httpx.Client,
    run_worker: RunWorker,
    fake_github: Any,
    fake_azure: Any,
    redis_client: redis.asyncio.Redis,
    redis_url: str,
) -> None:
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    fake_github.add_pull_request(
        OWNER, REPO, NUMBER, head_sha=sha(1), files=[PrFile.from_texts("geo.py", None, CODE)]
    )
    queued = send_pr(web, "opened", sha(1)).json()["job_id"]
    suspended = deliver(web, "installation", installation_event("suspend"))
    assert suspended.status_code == 200, suspended.text

    assert await run_worker() == 1
    assert await result_of(redis_url, queued) == "ignored: installation suspended"
    assert fake_github.requests() == [] and fake_github.tokens_minted == 0
    assert fake_azure.requests == []

    assert deliver(web, "installation", installation_event("unsuspend")).status_code == 200
    send_pr(web, "reopened", sha(1))
    assert await run_worker() == 1
    assert len(fake_github.reviews) == 1
    token = keys.installation_token_key(fake_github.app_id, INSTALLATION)
    kept = {
        token,
        keys.pr_cost_key(f"{OWNER}/{REPO}", NUMBER),
        keys.budget_key(INSTALLATION, "*"),
        keys.answer_key(INSTALLATION, "*"),
    }
    for pattern in kept:  # what the review kept, under the names bot.keys gives
        assert [k async for k in redis_client.scan_iter(match=pattern)], pattern

    answer = deliver(web, "installation", installation_event("deleted"))
    assert answer.status_code == 200 and answer.json()["keys_deleted"] >= len(kept)
    left = [k.decode() async for k in redis_client.scan_iter(match=keys.SCAN_ALL)]
    # Only what the App keeps for itself is left: its JWT and the model's rate limits.
    app_wide = (keys.RATELIMIT_PREFIX, keys.OVERHEAD_PREFIX)  # no installation owns these
    assert all(k.endswith(":jwt") or k.startswith(app_wide) for k in left), left
