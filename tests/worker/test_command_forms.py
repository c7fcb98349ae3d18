"""What each `/docgen` form selects: every function, some files, another style, again."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fakes.github_model import PrFile
from tests.worker.command_support import (
    BASE,
    HEAD,
    reactions,
    replies,
    seed_pr,
    send_command,
    suggested_ids,
)
from tests.worker.conftest import RunWorker
from tests.worker.support import suggestion_text

TWO_FILES = [
    PrFile.from_texts("geo.py", BASE, HEAD),
    PrFile.from_texts("lib/money.py", None, "def cents(amount, rate):\n    return amount * rate\n"),
]


async def test_all_selects_unchanged_undocumented_functions_too(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    seed_pr(fake_github)
    send_command(web, fake_github, "/docgen")
    assert await run_worker() == 1
    assert suggested_ids(fake_github) == ["geo.py::area"]
    comment_id = send_command(web, fake_github, "/docgen all")
    assert await run_worker() == 1
    # `perimeter` is unchanged but in the diff's context; `volume` is out of GitHub's reach.
    assert suggested_ids(fake_github) == ["geo.py::area", "geo.py::perimeter"]
    [summary] = [c.body for c in fake_github.issue_comments if "docgen:summary" in c.body]
    assert "geo.py::volume" in summary and "outside the diff" in summary
    assert reactions(fake_github, comment_id) == ["eyes", "rocket"]
    assert len(fake_azure.requests) == 2  # volume cost nothing: it was never asked for


async def test_a_path_selects_only_the_files_it_matches(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    seed_pr(fake_github, files=TWO_FILES)
    send_command(web, fake_github, "/docgen lib/")
    assert await run_worker() == 1
    assert suggested_ids(fake_github) == ["lib/money.py::cents"]
    send_command(web, fake_github, "/docgen '*.py'")
    assert await run_worker() == 1
    assert suggested_ids(fake_github) == ["lib/money.py::cents", "geo.py::area"]


async def test_a_path_that_matches_nothing_says_so(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    seed_pr(fake_github)
    comment_id = send_command(web, fake_github, "/docgen docs/")
    assert await run_worker() == 1
    assert replies(fake_github) == [
        "docgen: nothing to do: no Python files changed that match `docs/`."
    ]
    assert reactions(fake_github, comment_id) == ["eyes", "rocket"]
    assert not fake_azure.requests


async def test_style_overrides_the_repositorys_for_the_run(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    seed_pr(fake_github)
    send_command(web, fake_github, "/docgen --style numpy")
    assert await run_worker() == 1
    [comment] = fake_github.review_comments
    text = suggestion_text(comment.body)
    assert "Parameters\n    ----------\n    width" in text
    assert "Args:" not in text


async def test_force_suggests_again_what_was_suggested(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    seed_pr(fake_github)
    send_command(web, fake_github, "/docgen")
    assert await run_worker() == 1
    again = send_command(web, fake_github, "/docgen")
    assert await run_worker() == 1
    assert suggested_ids(fake_github) == ["geo.py::area"]  # not repeated
    assert reactions(fake_github, again) == ["eyes", "rocket"]
    send_command(web, fake_github, "/docgen --force")
    assert await run_worker() == 1
    assert suggested_ids(fake_github) == ["geo.py::area", "geo.py::area"]
    first, second = fake_github.review_comments
    assert first.body == second.body
