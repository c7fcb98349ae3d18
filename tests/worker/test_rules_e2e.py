"""End to end: the repository's own docstring rules decide the targets and pass every suggestion."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.worker.conftest import RunWorker
from tests.worker.support import (
    OWNER,
    REPO,
    apply_comments,
    seed_one_file,
    send_pr,
    sha,
)

RUFF_D_GOOGLE = """\
[project]
name = "shop"

[tool.ruff.lint]
select = ["E", "F", "D"]

[tool.ruff.lint.pydocstyle]
convention = "google"
"""

BASE = '''"""Files on disk."""

import os


def is_empty(path):
    """Tell whether a directory has no entries."""
    return len(os.listdir(path)) == 0
'''

HEAD_1 = (
    BASE
    + """

def size(path):
    return os.path.getsize(path)
"""
)

HEAD_2 = (
    HEAD_1
    + """

def exists(path):
    return os.path.exists(path)
"""
)


def _seed(fake_github: Any, head: str, head_sha: str, base: str = BASE) -> None:
    seed_one_file(fake_github, head_sha, "pkg/files.py", base, head)
    fake_github.add_file(OWNER, REPO, "pyproject.toml", RUFF_D_GOOGLE)


def _ruff_d(text: str, tmp: Path) -> list[dict[str, Any]]:
    (tmp / "pyproject.toml").write_text(RUFF_D_GOOGLE)
    (tmp / "pkg").mkdir(exist_ok=True)
    (tmp / "pkg" / "files.py").write_text(text)
    run = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "D"]
        + ["--output-format", "json", "--exit-zero", "pkg/files.py"],
        cwd=tmp,
        capture_output=True,
        text=True,
        check=True,
    )
    found: list[dict[str, Any]] = json.loads(run.stdout)
    return found


async def test_two_line_function_in_a_synchronize_gets_one_suggestion_that_passes_ruff(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, tmp_path: Path
) -> None:
    _seed(fake_github, HEAD_1, sha(1))
    send_pr(web, "opened", sha(1))
    assert await run_worker() == 1
    [first] = [c for r in fake_github.reviews for c in r.comments]
    assert "pkg/files.py::size" in first.body

    # The push adds one two-line public function: exactly one new suggestion.
    _seed(fake_github, HEAD_2, sha(2))
    send_pr(web, "synchronize", sha(2), before=sha(1))
    assert await run_worker() == 1
    assert len(fake_github.reviews) == 2
    [new] = fake_github.reviews[1].comments
    assert "pkg/files.py::exists" in new.body

    # Applied, every suggestion makes the repository's own `ruff check --select D` pass.
    applied = apply_comments(HEAD_2, [first, new])
    assert _ruff_d(HEAD_2, tmp_path), "the unapplied file must fail the rules"
    assert _ruff_d(applied, tmp_path) == []
    summary = next(c for c in fake_github.issue_comments if "docgen:summary" in c.body)
    assert "**Rules:** ruff D, google convention, from pyproject.toml." in summary.body


async def test_rules_come_from_the_default_branch_not_the_pull_request(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any
) -> None:
    # The PR's own pyproject.toml would exempt everything; the default branch's decides.
    _seed(fake_github, HEAD_1, sha(3))
    fake_github.add_file(
        OWNER,
        REPO,
        "pyproject.toml",
        '[tool.ruff.lint]\nselect = ["D"]\nignore = ["D1"]\n',
        ref=sha(3),
    )
    send_pr(web, "opened", sha(3))
    await run_worker()
    posted = [c for r in fake_github.reviews for c in r.comments]
    assert any("pkg/files.py::size" in c.body for c in posted)
