"""``docgen suggest`` end to end: the real CLI on temporary git repositories.

The skeleton provider needs nothing; the Azure runs talk to the fake server on 127.0.0.1.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.core.edit import strip_docstrings
from tests.fakes.azure import FakeAzureOpenAI
from tests.fakes.azure_faults import MalformedJson
from tests.local.cli import suggest, suggest_json, use_fake_azure
from tests.local.gitrepo import GitRepo, isolate

BASE = '''"""Arithmetic helpers."""


def add(a: int, b: int) -> int:
    """Return the sum of a and b."""
    return a + b
'''
ADDED = """

def scale(values: list[float], factor: float) -> list[float]:
    result = [v * factor for v in values]
    return result


def _hidden(x: int) -> int:
    y = x * 2
    return y


class Meter:
    \"\"\"A distance meter.\"\"\"

    def reading(self, unit: str = "m") -> float:
        value = self.raw * 1.0
        return value
"""
OTHER = """def shout(text: str) -> str:
    loud = text.upper()
    return loud + "!"
"""
NEW_IDS = ["calc.py::scale", "calc.py::Meter.reading"]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """Return a repository whose last commit adds functions to calc.py; cwd is its root."""
    isolate(monkeypatch)
    repo = GitRepo(tmp_path / "repo")
    repo.commit("base", {"calc.py": BASE, "README.md": "calc\n"})
    repo.commit("add functions", {"calc.py": BASE + ADDED})
    monkeypatch.chdir(repo.root)
    return repo


@pytest.fixture
def azure_env(fake_azure: FakeAzureOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeAzureOpenAI:
    """Point docgen's settings at the fake Azure OpenAI server."""
    use_fake_azure(monkeypatch, fake_azure)
    return fake_azure


def code_of(source: str) -> str:
    """Return a module's AST dump without docstrings: what a docstring edit may not change."""
    return ast.dump(strip_docstrings(ast.parse(source)))


def documented(source: str) -> set[str]:
    """Return the names of the functions that have a docstring."""
    return {
        node.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and ast.get_docstring(node) is not None
    }


def test_diff_applies_with_git_apply_and_changes_only_docstrings(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = suggest(capsys, "--format", "diff")
    assert code == 0
    assert out.startswith("diff --git a/calc.py b/calc.py\n")
    assert err.startswith("docgen: comparing HEAD~1..HEAD")
    assert "offline skeleton provider" in err.splitlines()[1]
    repo.git("apply", "--check", stdin=out)
    repo.git("apply", stdin=out)
    result = repo.read("calc.py")
    assert code_of(result) == code_of(BASE + ADDED)
    assert documented(result) == {"add", "scale", "reading"}  # _hidden is private


def test_write_writes_exactly_the_diff(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    _, patch, _ = suggest(capsys, "--format", "diff")
    repo.git("apply", stdin=patch)
    applied = repo.read("calc.py")
    repo.git("checkout", "--", "calc.py")

    code, out, _ = suggest(capsys, "--write")
    assert code == 0
    assert repo.read("calc.py") == applied
    assert "Wrote docstrings into 1 file: calc.py" in out
    # A second run finds the docstrings docgen wrote and writes nothing more.
    code, out, _ = suggest(capsys, "--write")
    assert code == 0
    assert repo.read("calc.py") == applied
    assert "Nothing written." in out


def test_text_output_starts_with_the_base_then_the_provider_then_diff_then_summary(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = suggest(capsys)
    lines = out.splitlines()
    assert code == 0
    assert lines[0].startswith("docgen: comparing HEAD~1..HEAD (")
    assert lines[1].startswith("docgen: no model configured")
    assert '+    def reading(self, unit: str = "m") -> float:' not in out  # header kept as is
    assert '+        """TODO: summarize what reading does.' in out
    assert "docgen suggested 2 docstrings · skipped 2 · 0 tokens · $0" in out
    assert "calc.py::Meter: already has a docstring" in out
    assert "calc.py::_hidden: private" in out
    assert "\033[" not in out  # not a terminal: no colour


def test_dry_run_calls_nothing(
    repo: GitRepo, azure_env: FakeAzureOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = suggest_json(capsys, "--dry-run")
    assert code == 0
    assert azure_env.requests == []
    plan = doc["plan"]
    assert sorted(i for r in plan["requests"] for i in r["ids"]) == sorted(NEW_IDS)
    assert plan["prompt_tokens"] > 0 and plan["worst_case_cost_usd"] > 0
    assert doc["suggestions"] == [] and doc["usage"]["calls"] == 0
    code, out, _ = suggest(capsys, "--dry-run")
    assert "Plan, no model called: 2 functions in 1 request" in out
    assert azure_env.requests == []


def test_azure_docstrings_and_the_usage_it_reported(
    repo: GitRepo, azure_env: FakeAzureOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = suggest_json(capsys)
    assert code == 0
    assert doc["provider"] == "azure"
    by_id = {s["id"]: s["docstring"] for s in doc["suggestions"]}
    assert set(by_id) == set(NEW_IDS)
    assert by_id["calc.py::scale"].startswith("Scale.")  # the fake's wording, not a skeleton
    reported = [r.response["usage"] for r in azure_env.requests if r.response is not None]
    assert len(reported) == doc["usage"]["calls"] >= 1
    assert doc["usage"]["prompt_tokens"] == sum(u["prompt_tokens"] for u in reported)
    assert doc["usage"]["completion_tokens"] == sum(u["completion_tokens"] for u in reported)
    assert doc["usage"]["cost_usd"] > 0


def test_model_failures_exit_1_with_the_reason(
    repo: GitRepo, azure_env: FakeAzureOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    # Malformed once for both, then again for each function asked on its own.
    azure_env.queue_fault(MalformedJson(), MalformedJson(), MalformedJson())
    code, doc = suggest_json(capsys)
    assert code == 1
    failed = {s["id"]: s["reason"] for s in doc["skipped"] if s["failure"]}
    assert set(failed) == set(NEW_IDS)
    assert all("not the agreed JSON" in reason for reason in failed.values())
    assert doc["suggestions"] == []
    assert doc["usage"]["calls"] == len(azure_env.requests) == 3


def test_budget_stops_the_run_with_exit_3(
    repo: GitRepo, azure_env: FakeAzureOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = suggest(capsys, "--budget-usd", "0.0000001")
    assert code == 3
    assert azure_env.requests == []
    assert "run cost limit reached" in out
    assert "a run budget stopped the run" in out


def test_the_function_limit_says_so_and_does_not_blame_the_budget(
    repo: GitRepo,
    azure_env: FakeAzureOpenAI,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCGEN_MAX_FUNCTIONS_PER_RUN", "1")
    monkeypatch.setenv("DOCGEN_ANSWER_CACHE_DAYS", "0")  # the second run must ask again
    code, out, _ = suggest(capsys)
    assert code == 3
    assert "function limit reached: at most 1 function per run" in out
    assert "docgen: the function limit stopped the run, 1 function not attempted" in out
    assert "DOCGEN_MAX_FUNCTIONS_PER_RUN" in out
    assert "budget" not in out.split("Skipped:")[-1]
    assert "could not be documented" not in out  # a cap at work is not a failure
    code, doc = suggest_json(capsys)
    assert doc["limit_stopped"] and not doc["budget_stopped"]
    [limited] = [s for s in doc["skipped"] if s["kind"] == "limit"]
    assert limited["failure"] is False


def test_no_python_changes_exits_0_and_says_so(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("docs", {"README.md": "calc, documented\n"})
    code, out, _ = suggest(capsys)
    assert code == 0
    assert "0 Python files changed" in out
    assert "No Python files to look at." in out


def test_not_a_git_repository_is_exit_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate(monkeypatch)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, out, err = suggest(capsys, str(tmp_path))
    assert code == 2
    assert out == ""
    assert err.splitlines() == [f"docgen: error: {tmp_path} is not inside a git working tree"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base", "no-such-ref"], "--base 'no-such-ref' is not a commit"),
        (["--write", "--dry-run"], "--write and --dry-run cannot be used together"),
        (["--provider", "azure"], "AZURE_OPENAI_ENDPOINT"),
    ],
)
def test_usage_and_settings_errors_are_exit_2_with_one_line(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = suggest(capsys, *args)
    assert code == 2
    assert len(err.splitlines()) == 1 and message in err


def test_write_refuses_files_with_changes_of_your_own_unless_forced(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = repo.read("calc.py") + "\nVALUE = 1\n"
    repo.write("calc.py", mine)
    code, _, err = suggest(capsys, "--write")
    assert code == 2
    assert "refusing to --write: calc.py" in err
    assert repo.read("calc.py") == mine

    code, _, _ = suggest(capsys, "--write", "--force")
    assert code == 0
    written = repo.read("calc.py")
    assert written.endswith("\nVALUE = 1\n")
    assert documented(written) == {"add", "scale", "reading"}


def test_check_mode_fails_until_the_working_tree_is_documented(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("calc.py", repo.read("calc.py") + "\n\n" + OTHER)
    repo.write("scratch.py", OTHER)  # untracked: not part of the commit being checked
    code, out, _ = suggest(capsys, "--working-tree", "--check", "--base", "HEAD")
    assert code == 1
    assert '+    """TODO: summarize what shout does.' in out
    assert "scratch.py" not in out
    assert "1 changed function lacks a docstring" in out
    hook = ["--working-tree", "--check", "--base", "HEAD", "calc.py"]  # as pre-commit runs it
    assert suggest(capsys, *hook)[0] == 1

    code, out, _ = suggest(capsys, "--working-tree", "--write", "--base", "HEAD")
    assert code == 0
    assert "shout" in documented(repo.read("calc.py"))
    assert "shout" in documented(repo.read("scratch.py"))  # without --check, new files count
    code, out, _ = suggest(capsys, "--working-tree", "--check", "--base", "HEAD")
    assert code == 0


def test_functions_that_cannot_be_documented_exit_1(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("broken", {"broken.py": "def half(x):\n    return x /\n"})
    code, doc = suggest_json(capsys)
    assert code == 1
    assert {
        "id": "broken.py",
        "reason": "syntax error in file",
        "kind": "file",
        "failure": True,
    } in [{**s, "reason": s["reason"].split(" (")[0]} for s in doc["skipped"]]


def test_path_limits_the_run_and_all_takes_every_file(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("more", {"pkg/loud.py": OTHER, "pkg/__init__.py": ""})
    code, doc = suggest_json(capsys, "pkg")
    assert [s["id"] for s in doc["suggestions"]] == ["pkg/loud.py::shout"]
    code, doc = suggest_json(capsys, "--all")
    ids = {s["id"] for s in doc["suggestions"]}
    assert ids == {"pkg/loud.py::shout", *NEW_IDS}
    code, doc = suggest_json(capsys, "pkg/loud.py", "--all")
    assert [s["id"] for s in doc["suggestions"]] == ["pkg/loud.py::shout"]


def test_default_base_is_the_merge_base_with_the_default_branch(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    fork = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("one", {"pkg/loud.py": OTHER})
    repo.commit("two", {"pkg/quiet.py": OTHER.replace("shout", "whisper")})
    code, doc = suggest_json(capsys)
    assert doc["base"]["commit"] == fork
    assert doc["base"]["label"].startswith("the merge base with main")
    assert {s["id"] for s in doc["suggestions"]} == {"pkg/loud.py::shout", "pkg/quiet.py::whisper"}


def test_first_commit_is_compared_with_the_empty_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate(monkeypatch)
    repo = GitRepo(tmp_path / "fresh")
    repo.commit("first", {"loud.py": OTHER})
    code, doc = suggest_json(capsys, str(repo.root))
    assert code == 0
    assert doc["base"]["label"].startswith("the empty tree")
    assert [s["id"] for s in doc["suggestions"]] == ["loud.py::shout"]
