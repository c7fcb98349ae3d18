"""Through the worker, a careless model: the review holds what is true, the summary says the rest.

A delivery goes through the real web app, Redis and an arq worker to the fake GitHub;
the fake Azure OpenAI answers in one careless way per test (tests/fakes/azure_modes.py).
"""

from __future__ import annotations

import ast
from typing import Any

import httpx
import pytest

from tests.fakes.azure_modes import AnswerMode
from tests.fakes.github_model import PrFile
from tests.worker.conftest import RunWorker
from tests.worker.support import (
    INSTALLATION,
    NUMBER,
    OWNER,
    REPO,
    apply_comments,
    code_ast,
    send_pr,
    sha,
)

# NumPy style, as the repository's existing docstring shows.
BASE = '''def area(width, height):
    """Return the area of a rectangle.

    Parameters
    ----------
    width : float
        The width.
    height : float
        The height.

    Returns
    -------
    float
        The area.
    """
    return width * height
'''
HEAD = (
    BASE
    + """

def perimeter(width, height):
    total = 2 * (width + height)
    return total


def diagonal(width, height):
    squared = width**2 + height**2
    return squared**0.5
"""
)
PATH = "geo/shapes.py"


def seed(fake_github: Any) -> None:
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    fake_github.add_pull_request(
        OWNER,
        REPO,
        NUMBER,
        head_sha=sha(1),
        files=[PrFile.from_texts(PATH, BASE, HEAD)],
        base_files={PATH: BASE},
    )


def summary_of(fake_github: Any) -> str:
    [summary] = [c for c in fake_github.issue_comments if "<!-- docgen:summary -->" in c.body]
    return str(summary.body)


def posted(fake_github: Any) -> tuple[str, dict[str, str]]:
    """Return the head text with every suggestion applied, and each function's docstring."""
    comments = [c for r in fake_github.reviews for c in r.comments]
    text = apply_comments(HEAD, comments)
    docs = {
        node.name: ast.get_docstring(node) or ""
        for node in ast.parse(text).body
        if isinstance(node, ast.FunctionDef)
    }
    return text, docs


async def review(web: httpx.Client, run_worker: RunWorker, fake_github: Any) -> None:
    seed(fake_github)
    send_pr(web, "opened", sha(1))
    assert await run_worker() == 1


@pytest.mark.parametrize("mode", [AnswerMode.CAREFUL, AnswerMode.OTHER_STYLE])
async def test_any_style_in_the_repositorys_style_out(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any, mode: str
) -> None:
    fake_azure.set_answer_mode(mode)
    await review(web, run_worker, fake_github)
    text, docs = posted(fake_github)
    assert code_ast(text) == code_ast(HEAD)
    for name in ("perimeter", "diagonal"):
        assert "Parameters\n----------\nwidth" in docs[name], docs[name]
        assert "Returns\n-------" in docs[name] and "Args:" not in docs[name]
    body = summary_of(fake_github)
    assert body.startswith("docgen suggested 2 docstrings · skipped 0")
    assert "incomplete" not in body.split("\n", 1)[0]


async def test_a_missing_section_is_posted_and_listed_as_incomplete(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    fake_azure.set_answer_mode(AnswerMode.OMIT_RETURNS)
    await review(web, run_worker, fake_github)
    text, docs = posted(fake_github)
    assert code_ast(text) == code_ast(HEAD)
    assert docs["perimeter"] and docs["diagonal"]
    body = summary_of(fake_github)
    assert "(2 incomplete)" in body.split("\n", 1)[0]
    assert f"| `{PATH}::perimeter` | Returns section |" in body
    assert len(fake_azure.requests) == 1


async def test_an_invented_parameter_is_asked_again_then_skipped_with_the_reason(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    fake_azure.set_answer_mode(AnswerMode.INVENT_PARAM)
    await review(web, run_worker, fake_github)
    assert [c for r in fake_github.reviews for c in r.comments] == []
    body = summary_of(fake_github)
    assert body.startswith("docgen suggested 0 docstrings · skipped 2")
    assert "which is not a parameter of the function" in body
    assert len(fake_azure.requests) == 2  # the answer, then one retry with the reason
