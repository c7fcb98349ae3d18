"""Helpers for the `/docgen` command tests: a seeded PR, commands sent through the web app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
from arq import create_pool

from bot.contract import JOB_FUNCTION, ReviewJob
from bot.settings import Settings
from bot.worker.runner import redis_settings
from tests.fakes.github_model import PrFile
from tests.web.support import deliver
from tests.worker.support import INSTALLATION, NUMBER, OWNER, REPO, comment_event, sha

# `area` changes in the PR; `perimeter` follows it unchanged (in the diff's context);
# `volume` is unchanged and far below, outside the diff.
BASE = (
    "def perimeter(width, height):\n"
    "    total = width + height\n"
    "    return 2 * total\n" + "\n" * 12 + "def volume(width, height, depth):\n"
    "    product = width * height\n"
    "    return product * depth\n"
)
AREA = "def area(width, height):\n    product = width * height\n    return product\n\n\n"
HEAD = AREA + BASE


def seed_pr(
    fake_github: Any, files: Sequence[PrFile] | None = None, roles: dict[str, str] | None = None
) -> None:
    """Install the App and seed the test PR (default: geo.py, `area` added before the rest)."""
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    chosen = files if files is not None else [PrFile.from_texts("geo.py", BASE, HEAD)]
    fake_github.add_pull_request(
        OWNER, REPO, NUMBER, head_sha=sha(9), files=chosen, base_files={"geo.py": BASE}
    )
    for login, role in (roles or {"dana": "write"}).items():
        fake_github.set_role(OWNER, REPO, login, role)


def send_command(web: httpx.Client, fake_github: Any, text: str, login: str = "dana") -> int:
    """Comment ``text`` on the test PR as ``login`` and deliver it; return the comment id."""
    comment = fake_github.add_issue_comment(OWNER, REPO, NUMBER, text, user_login=login)
    answer = deliver(web, "issue_comment", comment_event(int(comment.id), login, text))
    assert answer.status_code == 202, answer.text
    return int(comment.id)


def reactions(fake_github: Any, comment_id: int) -> list[str]:
    """Return the reactions made on one comment, in order."""
    return [r.content for r in fake_github.reactions if r.comment_id == comment_id]


def replies(fake_github: Any) -> list[str]:
    """Return the bodies of the bot's conversation comments that are not its summary."""
    return [
        c.body
        for c in fake_github.issue_comments
        if c.user_login == fake_github.bot_login and "<!-- docgen:summary -->" not in c.body
    ]


def suggested_ids(fake_github: Any) -> list[str]:
    """Return the function ids of every suggestion posted, in order."""
    out = []
    for c in fake_github.review_comments:
        marker = c.body.split("<!-- docgen:fn ", 1)[1]
        out.append(marker.split()[0])
    return out


async def enqueue(settings: Settings, job: ReviewJob, delivery_id: str) -> None:
    """Queue ``job`` as the web process would (for job fields the web does not fill yet)."""
    pool = await create_pool(redis_settings(settings))
    try:
        stamped = job.for_delivery(delivery_id)
        await pool.enqueue_job(JOB_FUNCTION, _job_id=delivery_id, **stamped.to_kwargs())
    finally:
        await pool.aclose()
