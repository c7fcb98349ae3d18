"""The `/docgen` command: only people with write access start a review, and see 👀."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fakes.github_model import PrFile
from tests.web.support import deliver
from tests.worker.conftest import RunWorker
from tests.worker.support import INSTALLATION, NUMBER, OWNER, REPO, comment_event, sha

CODE = "def area(width, height):\n    product = width * height\n    return product\n"


def seed(fake_github: Any, login: str, role: str) -> int:
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    fake_github.add_pull_request(
        OWNER, REPO, NUMBER, head_sha=sha(9), files=[PrFile.from_texts("geo.py", None, CODE)]
    )
    fake_github.set_role(OWNER, REPO, login, role)
    comment = fake_github.add_issue_comment(OWNER, REPO, NUMBER, "/docgen", user_login=login)
    return int(comment.id)


@pytest.mark.parametrize(
    ("role", "reviewed"), [("write", True), ("maintain", True), ("read", False)]
)
async def test_command_needs_write_access(
    web: httpx.Client,
    run_worker: RunWorker,
    fake_github: Any,
    fake_azure: Any,
    role: str,
    reviewed: bool,
) -> None:
    comment_id = seed(fake_github, "dana", role)
    answer = deliver(web, "issue_comment", comment_event(comment_id, "dana"))
    assert answer.status_code == 202, answer.text
    assert await run_worker() == 1
    assert bool(fake_github.reviews) is reviewed
    assert [(r.comment_id, r.content) for r in fake_github.reactions] == (
        [(comment_id, "eyes")] if reviewed else []
    )
    assert bool(fake_azure.requests) is reviewed
