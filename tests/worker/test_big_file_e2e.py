"""End to end: a Python file over 1 MiB (no content in the contents API) is still reviewed.

One over docgen's 10 MiB limit is not read, and the summary and the Check Run say so.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.fakes.github_model import PrFile, Route
from tests.worker.conftest import RunWorker
from tests.worker.support import (
    INSTALLATION,
    NUMBER,
    OWNER,
    REPO,
    code_ast,
    seed_one_file,
    send_pr,
    sha,
)
from tests.worker.support import apply_comments as apply
from tests.worker.test_review_e2e import summaries

# A generated lookup table, as real repositories keep: long lines, few of them.
TABLE = "".join(f"    {i}: {f'code-{i:05d}' * 8!r},\n" for i in range(16_400))
BASE = (
    f'"""Country codes."""\n\nCODES = {{\n{TABLE}}}\n\n\ndef lookup(key):\n    return CODES[key]\n'
)
HEAD = BASE.replace("    return CODES[key]\n", "    return CODES.get(key, default)\n").replace(
    "def lookup(key):", "def lookup(key, default=None):"
)


async def test_a_changed_function_in_a_1_5_mib_file_gets_its_suggestion(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any
) -> None:
    assert 1.4 * 2**20 < len(HEAD.encode()) < 1.6 * 2**20
    seed_one_file(fake_github, sha(5), "pkg/codes.py", BASE, HEAD)
    send_pr(web, "opened", sha(5))
    assert await run_worker() == 1

    [review] = fake_github.reviews
    [comment] = review.comments
    assert "pkg/codes.py::lookup" in comment.body
    result = apply(HEAD, [comment])
    assert code_ast(result) == code_ast(HEAD)
    assert result.count('"""') == HEAD.count('"""') + 2  # one new docstring
    # Head and base came as empty JSON objects first, then as raw bytes.
    accepts = [r.headers["accept"] for r in fake_github.requests(Route.GET_CONTENT)]
    assert sum("vnd.github.raw" in a for a in accepts) == 2


HUGE = "x = 1\n" * 2_150_000  # 12.3 MiB: GitHub omits its patch, the contents API its bytes
HUGE_FILE = PrFile(
    "pkg/huge.py", "added", "@@ -0,0 +1 @@\n+x = 1", head_text=HUGE, patch_too_large=True
)
SKIPPED = "| `pkg/huge.py` | file is 12.3 MiB, over docgen's 10 MiB limit |"


def _seed_huge(fake_github: Any, head: str, *others: PrFile) -> None:
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    fake_github.add_pull_request(OWNER, REPO, NUMBER, head_sha=head, files=[HUGE_FILE, *others])


async def test_a_file_over_the_limit_is_named_in_the_summary_and_the_check(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any
) -> None:
    area = PrFile.from_texts("pkg/shapes.py", None, "def area(w, h):\n    return w * h\n")
    _seed_huge(fake_github, sha(6), area)
    send_pr(web, "opened", sha(6))
    assert await run_worker() == 1

    [review] = fake_github.reviews
    assert [c.path for c in review.comments] == ["pkg/shapes.py"]
    [summary] = summaries(fake_github)
    assert summary.body.startswith("docgen suggested 1 docstring · skipped 1 ·")
    assert SKIPPED in summary.body
    [run] = fake_github.check_runs
    left_out = run.summary.split("**Files left out**")[1]
    assert SKIPPED in left_out
    assert "| `pkg/huge.py` | skipped | file is 12.3 MiB" in run.text
    # Its size was read from the contents API's answer; its bytes were never asked for.
    huge = [r for r in fake_github.requests(Route.GET_CONTENT) if "pkg/huge.py" in r.path]
    assert [("raw" in r.headers["accept"]) for r in huge] == [False]


async def test_a_pull_request_whose_only_file_is_over_the_limit_still_gets_a_summary(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    _seed_huge(fake_github, sha(7))
    send_pr(web, "opened", sha(7))
    assert await run_worker() == 1

    assert fake_github.reviews == [] and fake_azure.requests == []
    [summary] = summaries(fake_github)
    assert summary.body.startswith("docgen suggested 0 docstrings · skipped 1 ·")
    assert SKIPPED in summary.body
    [run] = fake_github.check_runs
    assert (run.status, run.conclusion) == ("completed", "success")
    assert SKIPPED in run.summary.split("**Files left out**")[1]
