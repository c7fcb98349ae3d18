"""``docgen suggest`` with answers that leave parts out: posted and said, or completed.

The fake Azure OpenAI writes Args, Returns and Yields but never a Raises section, so
a function that raises gets an incomplete answer however often it is asked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.fakes.azure import FakeAzureOpenAI
from tests.local.cli import suggest_json, use_fake_azure
from tests.local.gitrepo import GitRepo, isolate

BASE = '''"""Checks."""
'''
ADDED = """

def positive(value: int) -> int:
    if value <= 0:
        raise ValueError("not positive")
    return value


def double(value: int) -> int:
    twice = value * 2
    return twice
"""
POSITIVE, DOUBLE = "checks.py::positive", "checks.py::double"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_azure: FakeAzureOpenAI) -> GitRepo:
    """Return a repository whose last commit adds two functions; Azure is the fake."""
    isolate(monkeypatch)
    use_fake_azure(monkeypatch, fake_azure)
    repo = GitRepo(tmp_path / "repo")
    repo.commit("base", {"checks.py": BASE})
    repo.commit("add functions", {"checks.py": BASE + ADDED})
    monkeypatch.chdir(repo.root)
    return repo


def test_an_incomplete_answer_is_posted_and_says_what_it_lacks(
    repo: GitRepo, fake_azure: FakeAzureOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = suggest_json(capsys)
    assert code == 0
    lacks = {s["id"]: s["lacks"] for s in doc["suggestions"]}
    assert lacks == {POSITIVE: ["Raises entry for ValueError"], DOUBLE: []}
    assert len(fake_azure.requests) == 1  # nobody asked for the missing part: not asked again
    code = main(["suggest"])
    out, _ = capsys.readouterr()
    assert "docgen suggested 2 docstrings (1 incomplete)" in out
    assert f"  ~ {POSITIVE}: lacks Raises entry for ValueError" in out


def test_require_complete_asks_again_and_skips_what_is_still_incomplete(
    repo: GitRepo, fake_azure: FakeAzureOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = suggest_json(capsys, "--require-complete")
    assert code == 1
    assert [s["id"] for s in doc["suggestions"]] == [DOUBLE]
    [skip] = [s for s in doc["skipped"] if s["id"] == POSITIVE]
    assert skip["kind"] == "check" and skip["failure"]
    assert skip["reason"] == "incomplete after asking again: lacks Raises entry for ValueError"
    assert len(fake_azure.requests) == 2
    second = json.dumps(fake_azure.requests[1].body)
    assert "Raises entry for ValueError" in second and DOUBLE not in second


def test_require_complete_can_come_from_the_repository(
    repo: GitRepo, fake_azure: FakeAzureOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("config", {".github/docgen.yml": "require_complete: true\n"})
    code, doc = suggest_json(capsys, "--base", "HEAD~2")
    assert code == 1 and [s["id"] for s in doc["suggestions"]] == [DOUBLE]
    assert len(fake_azure.requests) == 2
