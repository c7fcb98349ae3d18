"""Pull requests from forks, and settings a pull request cannot change for itself."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.contract import ReviewJob
from bot.settings import Settings
from tests.fakes.github_model import PrFile
from tests.worker.command_support import enqueue, reactions, seed_pr, suggested_ids
from tests.worker.conftest import RunWorker
from tests.worker.support import INSTALLATION, NUMBER, OWNER, REPO, send_pr, sha


def fork_job(**fields: Any) -> ReviewJob:
    """Return the job the web process makes for the test PR, its head in a fork."""
    base = ReviewJob(
        installation_id=INSTALLATION,
        repo=f"{OWNER}/{REPO}",
        number=NUMBER,
        head_sha=sha(9),
        trigger="pull_request.opened",
        sender="mallory",
        from_fork=True,
    )
    return ReviewJob(**{**base.to_kwargs(), **fields})


@pytest.mark.parametrize(("setting", "reviewed"), [("", False), ("forks: true\n", True)])
async def test_a_fork_is_reviewed_on_its_own_only_where_forks_is_set(
    app_settings: Settings,
    run_worker: RunWorker,
    fake_github: Any,
    fake_azure: Any,
    setting: str,
    reviewed: bool,
) -> None:
    seed_pr(fake_github)
    if setting:
        fake_github.add_file(OWNER, REPO, ".github/docgen.yml", setting)
    # The web side fills from_fork from the payload; the job is queued as it would queue it.
    await enqueue(app_settings, fork_job(), "fork-opened")
    assert await run_worker() == 1
    assert bool(fake_github.reviews) is reviewed
    assert bool(fake_azure.requests) is reviewed


async def test_a_maintainers_command_reviews_a_fork(
    app_settings: Settings, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    seed_pr(fake_github, roles={"dana": "maintain"})
    comment = fake_github.add_issue_comment(OWNER, REPO, NUMBER, "/docgen", user_login="dana")
    job = fork_job(
        head_sha=None,
        trigger="issue_comment",
        sender="dana",
        comment_id=int(comment.id),
        commenter="dana",
        command="",
    )
    await enqueue(app_settings, job, "fork-command")
    assert await run_worker() == 1
    assert suggested_ids(fake_github) == ["geo.py::area"]
    assert reactions(fake_github, int(comment.id)) == ["eyes", "rocket"]


SRC = (
    "def first(a, b):\n    total = a + b\n    return total\n\n\n"
    "def second(a, b):\n    total = a - b\n    return total\n"
)
OTHER = "def third(a, b):\n    total = a * b\n    return total\n"


async def test_the_head_cannot_widen_its_own_settings(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    # The default branch narrows the review; the PR's head tries to lift both limits.
    fake_github.add_file(
        OWNER, REPO, ".github/docgen.yml", 'include: ["src/**"]\nmax_functions: 1\n'
    )
    raised = 'include: ["**"]\nmax_functions: 50\nforks: true\n'
    old = 'include: ["src/**"]\nmax_functions: 1\n'
    seed_pr(
        fake_github,
        files=[
            PrFile.from_texts("src/calc.py", None, SRC),
            PrFile.from_texts("other/calc.py", None, OTHER),
            PrFile.from_texts(".github/docgen.yml", old, raised),
        ],
    )
    send_pr(web, "opened", sha(9))
    assert await run_worker() == 1
    assert suggested_ids(fake_github) == ["src/calc.py::first"]
    [summary] = [c.body for c in fake_github.issue_comments if "docgen:summary" in c.body]
    assert "src/calc.py::second" in summary  # left out by the limit, and said so
    assert "other/calc.py" not in summary
