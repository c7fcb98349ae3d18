"""End to end: a review reads the repository's configuration with few GitHub calls.

One listing of the root at the default branch says which of the rule files exist;
only those are fetched, with `.github/docgen.yml` and the org's defaults.
"""

from __future__ import annotations

from typing import Any

import httpx

from bot.repo_config import CONFIG_PATH, REPO_FILES
from tests.fakes.github_model import RecordedRequest, Route
from tests.fakes.github_tree import LISTING_LIMIT
from tests.worker.conftest import RunWorker
from tests.worker.support import OWNER, REPO, seed_one_file, send_pr, sha

PYPROJECT = """\
[tool.ruff.lint]
select = ["D"]

[tool.ruff.lint.pydocstyle]
convention = "numpy"
"""
PRE_COMMIT = """\
repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.6.0
    hooks:
      - id: ruff
"""
BASE = '"""Shapes."""\n'
HEAD = BASE + "\n\ndef area(w, h):\n    return w * h\n"
DEFAULT_BRANCH = "main"


def _seed(fake_github: Any, head_sha: str) -> None:
    seed_one_file(fake_github, head_sha, "pkg/shapes.py", BASE, HEAD)


def _config_reads(fake_github: Any) -> list[RecordedRequest]:
    """Return the contents requests made at the default branch (the configuration's)."""
    return [
        r for r in fake_github.requests(Route.GET_CONTENT) if r.query.get("ref") == DEFAULT_BRANCH
    ]


def _paths(requests: list[RecordedRequest]) -> list[str]:
    prefix = f"/api/v3/repos/{OWNER}/{REPO}/contents/"
    return sorted(r.path.removeprefix(prefix) for r in requests)


def _summary(fake_github: Any) -> str:
    return str(next(c.body for c in fake_github.issue_comments if "docgen:summary" in c.body))


async def test_only_the_rule_files_the_root_lists_are_fetched(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any
) -> None:
    _seed(fake_github, sha(1))
    fake_github.add_file(OWNER, REPO, "pyproject.toml", PYPROJECT)
    fake_github.add_file(OWNER, REPO, ".pre-commit-config.yaml", PRE_COMMIT)
    fake_github.add_file(OWNER, REPO, "pkg/shapes.py", BASE)
    send_pr(web, "opened", sha(1))
    assert await run_worker() == 1

    # The listing (""), the two files it names: no .github folder, so no docgen.yml read.
    reads = _config_reads(fake_github)
    assert _paths(reads) == sorted(["", ".pre-commit-config.yaml", "pyproject.toml"])
    org = [r for r in fake_github.requests(Route.GET_CONTENT) if "/.github/contents/" in r.path]
    assert len(org) == 1
    # The rules read from pyproject.toml decide: numpy sections in the suggestion.
    [review] = fake_github.reviews
    [comment] = review.comments
    assert "Parameters\n" in comment.body and "----------" in comment.body
    [rules] = [line for line in _summary(fake_github).splitlines() if "**Rules:**" in line]
    assert "ruff D, numpy convention" in rules
    assert "pyproject.toml" in rules and ".pre-commit-config.yaml" in rules
    # The whole review: token, PR, check run (2), files, comments (2), review, summary,
    # and 4 configuration reads and 2 source reads (head and base): 15 calls, 24 before.
    assert len(fake_github.requests()) == 15


async def test_an_empty_repository_is_reviewed_with_the_defaults(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any
) -> None:
    # Nothing on the default branch: GitHub answers the root's listing with a 404.
    _seed(fake_github, sha(2))
    send_pr(web, "opened", sha(2))
    assert await run_worker() == 1

    reads = _config_reads(fake_github)
    assert [(p, r.status) for p, r in zip(_paths(reads), reads, strict=True)] == [("", 404)]
    [review] = fake_github.reviews
    assert "pkg/shapes.py::area" in review.comments[0].body
    assert "**Rules:** docgen defaults" in _summary(fake_github)


async def test_a_root_listing_cut_at_a_thousand_entries_fetches_every_rule_file(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any
) -> None:
    _seed(fake_github, sha(3))
    for i in range(LISTING_LIMIT):
        fake_github.add_file(OWNER, REPO, f"data{i:04d}.txt", "")
    # Listed after the first 1,000 entries, so only a direct GET finds it.
    fake_github.add_file(OWNER, REPO, "tox.ini", "[pydocstyle]\nconvention = numpy\n")
    send_pr(web, "opened", sha(3))
    assert await run_worker() == 1

    assert _paths(_config_reads(fake_github)) == sorted(["", CONFIG_PATH, *REPO_FILES])
    assert "from tox.ini" in _summary(fake_github)


async def test_docgen_yml_is_read_when_the_root_has_a_github_folder(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any
) -> None:
    _seed(fake_github, sha(4))
    fake_github.add_file(OWNER, REPO, "pkg/shapes.py", BASE)
    fake_github.add_file(OWNER, REPO, CONFIG_PATH, "style: numpy\n")
    send_pr(web, "opened", sha(4))
    assert await run_worker() == 1
    reads = _config_reads(fake_github)
    assert [(p, r.status) for p, r in zip(_paths(reads), reads, strict=True)] == [
        ("", 200),
        (CONFIG_PATH, 200),
    ]
    [review] = fake_github.reviews
    assert "Parameters\n" in review.comments[0].body  # its style: numpy applies
