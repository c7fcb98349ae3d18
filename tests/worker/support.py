"""Helpers for the job tests: seeding a PR, signed deliveries, applying posted suggestions."""

from __future__ import annotations

import ast
import copy
import difflib
import json
import re
from typing import Any

import httpx

from bot.core.safety import strip_docstrings
from tests.fakes.github_model import PrFile
from tests.web.support import compact, deliver, payload

OWNER, REPO, NUMBER, INSTALLATION = "octo", "shop", 7, 4242
_SUGGESTION = re.compile(r"^(`{3,})suggestion\n(.*?)\n?\1$", re.S | re.M)


def sha(n: int) -> str:
    """Return a fake 40-hex commit SHA numbered ``n``."""
    return f"{n:040x}"


def pr_event(action: str, head_sha: str, *, before: str | None = None) -> bytes:
    """Return a ``pull_request`` delivery body for the test PR at ``head_sha``."""
    data: dict[str, Any] = copy.deepcopy(payload(f"pull_request.{action}"))
    data["installation"]["id"] = INSTALLATION
    data["number"] = NUMBER
    data["repository"]["full_name"] = f"{OWNER}/{REPO}"
    data["repository"]["name"] = REPO
    data["repository"]["owner"]["login"] = OWNER
    pr = data["pull_request"]
    pr["number"] = NUMBER
    pr["head"]["sha"] = head_sha
    pr["draft"] = False
    pr["state"] = "open"
    if before is not None:
        data["before"], data["after"] = before, head_sha
    return compact(data)


def seed_one_file(fake_github: Any, head_sha: str, path: str, base: str, head: str) -> None:
    """Install the App and seed the test PR changing one file from ``base`` to ``head``."""
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    fake_github.add_pull_request(
        OWNER,
        REPO,
        NUMBER,
        head_sha=head_sha,
        files=[PrFile.from_texts(path, base, head)],
        base_files={path: base},
    )


def send_pr(web: httpx.Client, action: str, head_sha: str, **kw: Any) -> httpx.Response:
    """Deliver a signed ``pull_request`` event for the test PR; the answer must be 202."""
    response = deliver(web, "pull_request", pr_event(action, head_sha, **kw))
    assert response.status_code == 202, response.text
    return response


def suggestion_text(body: str) -> str:
    """Return the content of the single ```suggestion block in a comment body."""
    match = _SUGGESTION.search(body)
    assert match is not None, body
    return match.group(2)


def apply_comments(text: str, comments: list[Any]) -> str:
    """Apply posted suggestion comments to a file's text, bottom-up, as GitHub would."""
    lines = text.split("\n")
    for c in sorted(comments, key=lambda c: c.line, reverse=True):
        start = c.start_line or c.line
        lines[start - 1 : c.line] = suggestion_text(c.body).split("\n")
    return "\n".join(lines)


def code_ast(text: str) -> str:
    """Return the AST of ``text`` without any docstring, for comparisons."""
    return ast.dump(strip_docstrings(ast.parse(text)))


def zero_context_patch(base: str, head: str) -> str:
    """Return a hunks-only patch without context lines (narrower than docgen assumes)."""
    diff = difflib.unified_diff(base.splitlines(), head.splitlines(), n=0, lineterm="")
    return "\n".join(list(diff)[2:])


def usage_marker(body: str) -> dict[str, Any]:
    """Return the JSON of the summary's hidden usage line."""
    match = re.search(r"<!-- docgen:usage (\{.*?\}) -->", body)
    assert match is not None, body
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def reported_usage(requests: list[Any]) -> dict[str, int]:
    """Sum the usage the fake Azure OpenAI reported in its successful answers."""
    out = {"prompt_tokens": 0, "completion_tokens": 0, "cached_tokens": 0, "calls": 0}
    for r in requests:
        if r.status != 200 or r.response is None:
            continue
        u = r.response["usage"]
        out["prompt_tokens"] += u["prompt_tokens"]
        out["completion_tokens"] += u["completion_tokens"]
        out["cached_tokens"] += u["prompt_tokens_details"]["cached_tokens"]
        out["calls"] += 1
    return out


def comment_event(comment_id: int, login: str, body: str = "/docgen") -> bytes:
    """Return an ``issue_comment.created`` delivery body for a comment on the test PR."""
    data: dict[str, Any] = copy.deepcopy(payload("issue_comment.created"))
    data["installation"]["id"] = INSTALLATION
    data["repository"]["full_name"] = f"{OWNER}/{REPO}"
    data["repository"]["name"] = REPO
    data["repository"]["owner"]["login"] = OWNER
    data["issue"]["number"] = NUMBER
    data["comment"].update(id=comment_id, body=body)
    data["comment"]["user"]["login"] = login
    data["sender"]["login"] = login
    return compact(data)
