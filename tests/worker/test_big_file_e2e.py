"""End to end: a Python file over 1 MiB (no content in the contents API) is still reviewed."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fakes.github_model import PrFile, Route
from tests.worker.conftest import RunWorker
from tests.worker.support import INSTALLATION, NUMBER, OWNER, REPO, code_ast, send_pr, sha
from tests.worker.support import apply_comments as apply

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
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    fake_github.add_pull_request(
        OWNER,
        REPO,
        NUMBER,
        head_sha=sha(5),
        files=[PrFile.from_texts("pkg/codes.py", BASE, HEAD)],
        base_files={"pkg/codes.py": BASE},
    )
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
