"""End to end: a pull request re-created with the same code costs no model call."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.fakes.github_model import PrFile
from tests.web.support import compact, deliver
from tests.worker.conftest import RunWorker
from tests.worker.support import NUMBER, OWNER, REPO, pr_event, send_pr, sha
from tests.worker.test_review_e2e import IO_BASE, IO_HEAD, UTIL_HEAD, seed, summaries


def open_pr(web: httpx.Client, number: int, head_sha: str) -> None:
    data = json.loads(pr_event("opened", head_sha))
    data["number"] = data["pull_request"]["number"] = number
    assert deliver(web, "pull_request", compact(data)).status_code == 202


async def test_a_recreated_pull_request_reuses_the_answers(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    seed(fake_github, sha(1))
    send_pr(web, "opened", sha(1))
    assert await run_worker() == 1
    paid = len(fake_azure.requests)
    [first] = fake_github.reviews
    assert paid >= 1

    # The same branch opened again as a new pull request: same functions, same answers.
    fake_github.add_pull_request(
        OWNER,
        REPO,
        NUMBER + 1,
        head_sha=sha(1),
        files=[
            PrFile.from_texts("pkg/io.py", IO_BASE, IO_HEAD),
            PrFile.from_texts("pkg/util.py", None, UTIL_HEAD),
        ],
        base_files={"pkg/io.py": IO_BASE},
    )
    open_pr(web, NUMBER + 1, sha(1))
    assert await run_worker() == 1
    assert len(fake_azure.requests) == paid  # no model call
    second = fake_github.reviews[1]
    assert sorted(c.body for c in second.comments) == sorted(c.body for c in first.comments)
    summary = [s for s in summaries(fake_github) if s.issue_number == NUMBER + 1][0]
    n = len(second.comments)
    assert f"| Reused from cache | {n} (no model call) |" in summary.body
