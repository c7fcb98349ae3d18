"""``docgen suggest`` against a careless model: what is posted, posted as incomplete, skipped.

The repository is in Sphinx style. The fake Azure OpenAI answers in one careless way
per test (tests/fakes/azure_modes.py); whatever it writes, what reaches the file is
Sphinx style, nothing false is posted, and the output says what each answer lacks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.core.edit import strip_docstrings
from tests.fakes.azure import FakeAzureOpenAI
from tests.fakes.azure_modes import AnswerMode
from tests.local.cli import suggest_json, use_fake_azure
from tests.local.gitrepo import GitRepo, isolate

BASE = '''"""Unit conversion."""


def to_metres(feet: float) -> float:
    """Convert feet to metres.

    :param feet: A length in feet.
    :returns: The same length in metres.
    """
    return feet * 0.3048
'''
ADDED = """

def scale(values: list[float], factor: float) -> list[float]:
    result = [v * factor for v in values]
    return result


def describe(value: float) -> str:
    text = f"{value:.2f} m"
    return text


def describe(value: float, unit: str) -> str:
    text = f"{value:.2f} {unit}"
    return text
"""
IDS = ("units.py::scale", "units.py::describe", "units.py::describe#2")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_azure: FakeAzureOpenAI) -> GitRepo:
    """Return a Sphinx-style repository whose last commit adds three functions."""
    isolate(monkeypatch)
    use_fake_azure(monkeypatch, fake_azure)
    repo = GitRepo(tmp_path / "repo")
    repo.commit("base", {"units.py": BASE})
    repo.commit("add functions", {"units.py": BASE + ADDED})
    monkeypatch.chdir(repo.root)
    return repo


def docstrings(path: Path) -> dict[str, str]:
    """Return each function's docstring, keyed as docgen ids them (``name#N`` for repeats)."""
    seen: dict[str, int] = {}
    out: dict[str, str] = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef):
            seen[node.name] = seen.get(node.name, 0) + 1
            key = node.name + (f"#{seen[node.name]}" if seen[node.name] > 1 else "")
            out[key] = ast.get_docstring(node) or ""
    return out


def same_code(repo: GitRepo) -> bool:
    """Tell whether the written file differs from the committed one only in docstrings."""
    written = (repo.root / "units.py").read_text()
    committed = BASE + ADDED
    dump = [ast.dump(strip_docstrings(ast.parse(t))) for t in (written, committed)]
    return dump[0] == dump[1]


@pytest.mark.parametrize(
    "mode", [AnswerMode.CAREFUL, AnswerMode.OTHER_STYLE, AnswerMode.DROP_SUFFIX]
)
def test_complete_answers_are_written_in_the_repositorys_style(
    repo: GitRepo, fake_azure: FakeAzureOpenAI, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    fake_azure.set_answer_mode(mode)
    code, doc = suggest_json(capsys, "--write")
    assert code == 0, doc["skipped"]
    assert sorted(s["id"] for s in doc["suggestions"]) == sorted(IDS)
    assert all(s["lacks"] == [] for s in doc["suggestions"])
    written = docstrings(repo.root / "units.py")
    assert ":param values:" in written["scale"] and ":param factor:" in written["scale"]
    assert ":returns:" in written["scale"] and ":param unit:" in written["describe#2"]
    assert not any("Args:" in text or "-----" in text for text in written.values())
    assert same_code(repo)


@pytest.mark.parametrize(
    ("mode", "lack"),
    [
        (AnswerMode.OMIT_RETURNS, "Returns section"),
        (AnswerMode.OMIT_PARAM, "parameter 'values'"),
        (AnswerMode.PROSE_ONLY, "parameter 'values'"),
    ],
)
def test_answers_that_leave_parts_out_are_posted_and_say_what_they_lack(
    repo: GitRepo,
    fake_azure: FakeAzureOpenAI,
    capsys: pytest.CaptureFixture[str],
    mode: str,
    lack: str,
) -> None:
    fake_azure.set_answer_mode(mode)
    code, doc = suggest_json(capsys, "--write")
    assert code == 0
    by_id = {s["id"]: s for s in doc["suggestions"]}
    assert sorted(by_id) == sorted(IDS)
    assert lack in by_id["units.py::scale"]["lacks"]
    assert len(fake_azure.requests) == 1  # nobody asked for the parts: none are paid for
    assert same_code(repo)


def test_require_complete_asks_once_more_then_skips_what_is_still_incomplete(
    repo: GitRepo, fake_azure: FakeAzureOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_azure.set_answer_mode(AnswerMode.OMIT_RETURNS)
    code, doc = suggest_json(capsys, "--require-complete")
    assert code == 1
    assert doc["suggestions"] == []
    skipped = {s["id"]: s for s in doc["skipped"]}
    assert set(skipped) == set(IDS)
    assert all("Returns section" in s["reason"] and s["kind"] == "check" for s in skipped.values())
    assert len(fake_azure.requests) == 2  # the first answer, then one batched retry


def test_an_invented_parameter_is_never_posted(
    repo: GitRepo, fake_azure: FakeAzureOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_azure.set_answer_mode(AnswerMode.INVENT_PARAM)
    code, doc = suggest_json(capsys, "--write")
    assert code == 1
    assert doc["suggestions"] == []
    reasons = {s["id"]: s["reason"] for s in doc["skipped"] if s["failure"]}
    assert set(reasons) == set(IDS)
    assert all("not a parameter of the function" in r for r in reasons.values())
    assert (repo.root / "units.py").read_text() == BASE + ADDED
