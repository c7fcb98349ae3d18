"""End to end: a signed delivery -> real web app -> Redis -> arq worker -> fake GitHub and Azure."""

from __future__ import annotations

import ast
from typing import Any

import httpx

from tests.fakes.github_model import PrFile
from tests.worker.conftest import RunWorker
from tests.worker.support import (
    INSTALLATION,
    NUMBER,
    OWNER,
    REPO,
    apply_comments,
    code_ast,
    reported_usage,
    send_pr,
    sha,
    usage_marker,
    zero_context_patch,
)

IO_BASE = '''"""Reading records."""

import json


def read_all(path):
    with open(path) as handle:
        return [json.loads(line) for line in handle]


def count(path):
    """Count the records in a file."""
    return len(read_all(path))
'''

IO_HEAD = '''"""Reading records."""

import json


def read_all(path, *, strict=True):
    with open(path) as handle:
        rows = [json.loads(line) for line in handle]
    if strict and not rows:
        raise ValueError("empty file")
    return rows


def count(path):
    """Count the records in a file."""
    return len(read_all(path))


class Reader:
    def __init__(self, path):
        self.path = path

    def first(self, default=None):
        rows = read_all(self.path, strict=False)
        return rows[0] if rows else default
'''

UTIL_HEAD = """def slugify(title, sep="-"):
    words = title.lower().split()
    return sep.join(w.strip(".,!?") for w in words)


async def fetch_many(client, urls):
    results = []
    for url in urls:
        results.append(await client.get(url))
    return results
"""

UTIL_HEAD_2 = UTIL_HEAD.replace(
    '    return sep.join(w.strip(".,!?") for w in words)',
    '    return sep.join(w.strip(".,!?;:") for w in words if w)',
)


def seed(fake_github: Any, head_sha: str, util: str = UTIL_HEAD, **extra: Any) -> None:
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    files = [
        PrFile.from_texts("pkg/io.py", IO_BASE, IO_HEAD),
        PrFile.from_texts("pkg/util.py", None, util),
        PrFile.from_texts("README.md", "old\n", "new\n"),
    ]
    fake_github.add_pull_request(
        OWNER,
        REPO,
        NUMBER,
        head_sha=head_sha,
        files=files,
        base_files={"pkg/io.py": IO_BASE},
        **extra,
    )


def summaries(fake_github: Any) -> list[Any]:
    return [c for c in fake_github.issue_comments if "<!-- docgen:summary -->" in c.body]


async def test_opened_then_synchronize(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    seed(fake_github, sha(1))
    send_pr(web, "opened", sha(1))
    assert await run_worker() == 1

    [review] = fake_github.reviews
    assert review.event == "COMMENT" and review.commit_id == sha(1)
    by_path: dict[str, list[Any]] = {}
    for c in review.comments:
        assert "<!-- docgen:fn " in c.body
        by_path.setdefault(c.path, []).append(c)
    expected = {"pkg/io.py": IO_HEAD, "pkg/util.py": UTIL_HEAD}
    assert set(by_path) == set(expected)
    documented = {"read_all", "Reader.first", "slugify", "fetch_many"}
    found: set[str] = set()
    for path, comments in by_path.items():
        result = apply_comments(expected[path], comments)
        assert code_ast(result) == code_ast(expected[path])
        for node in ast.walk(ast.parse(result)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and ast.get_docstring(node):
                found.add(node.name)
    assert {d.split(".")[-1] for d in documented} <= found

    [summary] = summaries(fake_github)
    # read_all raises ValueError, and the fake never writes Raises: posted, listed as incomplete.
    assert "| `pkg/io.py::read_all` | Raises entry for ValueError |" in summary.body
    usage = usage_marker(summary.body)
    reported = reported_usage(fake_azure.requests)
    assert {k: usage[k] for k in reported} == reported
    assert reported["calls"] >= 1

    # A push that changes one function: one new suggestion, the summary edited in place.
    calls_before = len(fake_azure.requests)
    seed(fake_github, sha(2), util=UTIL_HEAD_2)
    send_pr(web, "synchronize", sha(2), before=sha(1))
    assert await run_worker() == 1
    assert len(fake_github.reviews) == 2
    [new] = fake_github.reviews[1].comments
    assert "pkg/util.py::slugify" in new.body
    [summary] = summaries(fake_github)
    assert len(summary.previous_bodies) == 1
    assert len(fake_azure.requests) > calls_before

    # The same delivery again, and a push touching no Python: nothing new anywhere.
    seed(fake_github, sha(2), util=UTIL_HEAD_2)
    send_pr(web, "reopened", sha(2))
    await run_worker()
    assert len(fake_github.reviews) == 2
    assert len(summaries(fake_github)) == 1
    # Three jobs in three worker runs shared one installation token through Redis.
    assert fake_github.tokens_minted == 1


CALC_BASE = "def total(values):\n    return sum(values)\n"
CALC_HEAD = (
    "def total(values):\n    kept = [v for v in values if v is not None]\n    return sum(kept)\n"
    "\n\ndef mean(values):\n    kept = [v for v in values if v is not None]\n"
    "    return sum(kept) / len(kept)\n"
)


async def test_github_refuses_one_comment_the_rest_is_posted(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any
) -> None:
    # GitHub's diff has no context lines here (and omits the patch, so docgen computes a
    # git-style one), so the unchanged header of total() is outside GitHub's hunks.
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    narrow = PrFile(
        "pkg/calc.py",
        "modified",
        zero_context_patch(CALC_BASE, CALC_HEAD),
        head_text=CALC_HEAD,
        patch_too_large=True,
    )
    fake_github.add_pull_request(
        OWNER, REPO, NUMBER, head_sha=sha(3), files=[narrow], base_files={"pkg/calc.py": CALC_BASE}
    )
    send_pr(web, "opened", sha(3))
    await run_worker()
    posted = [c for r in fake_github.reviews for c in r.comments]
    assert [c.path for c in posted] == ["pkg/calc.py"]
    assert "pkg/calc.py::mean" in posted[0].body
    [summary] = summaries(fake_github)
    assert "GitHub refused this comment" in summary.body and "pkg/calc.py::total" in summary.body


async def test_syntax_error_in_one_file(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any
) -> None:
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    broken = "def ok(:\n    return 1\n"
    files = [
        PrFile.from_texts("pkg/util.py", None, UTIL_HEAD),
        PrFile.from_texts("pkg/broken.py", None, broken),
    ]
    fake_github.add_pull_request(OWNER, REPO, NUMBER, head_sha=sha(4), files=files)
    send_pr(web, "opened", sha(4))
    await run_worker()
    [review] = fake_github.reviews
    assert {c.path for c in review.comments} == {"pkg/util.py"}
    [summary] = summaries(fake_github)
    assert "pkg/broken.py" in summary.body and "syntax error" in summary.body


async def test_no_python_files_costs_and_posts_nothing(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    files = [PrFile.from_texts("docs/index.md", "a\n", "b\n")]
    fake_github.add_pull_request(OWNER, REPO, NUMBER, head_sha=sha(5), files=files)
    send_pr(web, "opened", sha(5))
    assert await run_worker() == 1
    assert fake_github.reviews == [] and fake_github.issue_comments == []
    assert fake_azure.requests == []


async def test_three_thousand_files(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    body = "def handler_{n}(event, context):\n    value = event['v']\n    return value * {n}\n"
    files = [PrFile.from_texts(f"pkg/m{n:04d}.py", None, body.format(n=n)) for n in range(3000)]
    fake_github.add_pull_request(OWNER, REPO, NUMBER, head_sha=sha(6), files=files)
    send_pr(web, "opened", sha(6))
    assert await run_worker() == 1
    posted = [c for r in fake_github.reviews for c in r.comments]
    assert 0 < len(posted) <= 60  # the operator's per-run function limit
    [summary] = summaries(fake_github)
    assert "2700 more Python files were not reviewed" in summary.body
    assert "function limit reached" in summary.body
    assert len(summary.body) <= 65_536
