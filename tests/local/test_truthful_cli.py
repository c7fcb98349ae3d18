"""``docgen suggest`` says only what is true, and every command it suggests works.

Each test runs the console script in-process on a temporary git repository: the
skeleton provider needs nothing, the Azure runs talk to the fake on 127.0.0.1.
"""

from __future__ import annotations

import ast
import json
import shlex
import sys
from pathlib import Path

import pytest

from tests.fakes.azure import FakeAzureOpenAI
from tests.fakes.azure_faults import MalformedJson, Slow
from tests.fakes.azure_modes import AnswerMode
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


def clamp(value: float, low: float, high: float) -> float:
    bounded = max(low, min(value, high))
    return bounded
"""
SHOUT = """def shout(text: str) -> str:
    loud = text.upper()
    return loud + "!"
"""
NEW_IDS = {"calc.py::scale", "calc.py::clamp"}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """Return a repository on main whose last commit adds two functions; cwd is its root."""
    isolate(monkeypatch)
    monkeypatch.setenv("DOCGEN_ANSWER_CACHE_DAYS", "0")  # every run asks the model again
    repo = GitRepo(tmp_path / "repo")
    repo.commit("base", {"calc.py": BASE})
    repo.commit("add functions", {"calc.py": BASE + ADDED})
    monkeypatch.chdir(repo.root)
    return repo


@pytest.fixture
def azure(fake_azure: FakeAzureOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeAzureOpenAI:
    """Point docgen's settings at the fake Azure OpenAI server."""
    use_fake_azure(monkeypatch, fake_azure)
    return fake_azure


def hint(out: str) -> list[str]:
    """Return the command the closing lines suggest, split as a shell splits it."""
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.endswith("to add them, run:"))
    return shlex.split(lines[at + 1])


def documented(source: str) -> set[str]:
    """Return the names of the top-level functions that have a docstring."""
    tree = ast.parse(source)
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and ast.get_docstring(n)}


# 1. The --check hint applies exactly what the check found.


def test_the_check_hint_writes_what_the_check_found_on_the_default_branch(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = suggest(capsys, "--check")
    assert code == 1
    assert "2 changed functions lack a docstring or have a stale one" in out
    command = hint(out)
    assert command[:2] == ["docgen", "suggest"] and "--write" in command
    before = repo.read("calc.py")

    code, out, _ = suggest(capsys, *command[2:])
    assert code == 0, out
    assert repo.read("calc.py") != before
    assert documented(repo.read("calc.py")) == {"add", "scale", "clamp"}
    assert "Wrote docstrings into 1 file: calc.py" in out


def test_the_pre_commit_hint_writes_the_checked_files_and_no_others(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.commit("more", {"pkg/loud.py": "VALUE = 1\n"})
    repo.write("pkg/loud.py", "VALUE = 1\n\n\n" + SHOUT)
    repo.write("pkg/scratch.py", SHOUT)  # untracked: a commit check leaves it out
    monkeypatch.chdir(repo.root / "pkg")  # the hint's paths are the caller's
    code, out, _ = suggest(
        capsys, "--working-tree", "--check", "--base", "HEAD", "--style", "numpy"
    )
    assert code == 1
    command = hint(out)
    assert command[-1] == "loud.py" and "--working-tree" in command
    assert command[command.index("--style") + 1] == "numpy"

    code, _, _ = suggest(capsys, *command[2:])
    assert code == 0
    assert documented(repo.read("pkg/loud.py")) == {"shout"}
    assert "----------" in repo.read("pkg/loud.py")  # NumPy style, as checked
    assert repo.read("pkg/scratch.py") == SHOUT
    assert suggest(capsys, "--working-tree", "--check", "--base", "HEAD")[0] == 0


# 2. The dry run's figure is a bound, retries included; the budget caps the real cost.


def test_a_careless_model_never_costs_more_than_the_dry_run_said(
    repo: GitRepo, azure: FakeAzureOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    azure.set_answer_mode(AnswerMode.INVENT_PARAM)  # every answer refused, then asked again
    code, doc = suggest_json(capsys, "--dry-run")
    assert code == 0 and azure.requests == []
    plan = doc["plan"]
    assert plan["worst_case_cost_usd"] > plan["planned_cost_usd"] > 0
    assert plan["budget_usd"] == 1.0

    code, doc = suggest_json(capsys)
    assert code == 1  # refused twice: skipped
    assert len(azure.requests) == 2  # the plan's request, then the retry round
    assert doc["usage"]["cost_usd"] > plan["planned_cost_usd"]  # the retries cost more...
    assert doc["usage"]["cost_usd"] <= plan["worst_case_cost_usd"]  # ...but never the bound


def test_every_retry_the_run_may_make_stays_within_the_bound(
    repo: GitRepo, azure: FakeAzureOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    # Each function asked four times: malformed, refused; then (with the reason) malformed,
    # refused again. Slow(0) lets the first round's two smaller requests pass unspoiled.
    azure.set_answer_mode(AnswerMode.INVENT_PARAM)
    azure.queue_fault(MalformedJson(), Slow(0), Slow(0), MalformedJson())
    _, doc = suggest_json(capsys, "--dry-run")
    bound = doc["plan"]["worst_case_cost_usd"]
    code, doc = suggest_json(capsys)
    assert code == 1
    assert len(azure.requests) == 6
    assert 0 < doc["usage"]["cost_usd"] <= bound


def test_the_dry_run_says_what_caps_the_real_cost(
    repo: GitRepo, azure: FakeAzureOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = suggest(capsys, "--dry-run", "--budget-usd", "0.5")
    assert code == 0
    assert "if every function is asked again as often as the run may" in out
    assert "worst case" not in out  # the plan alone is not the worst case
    assert "--budget-usd caps the real cost: the run stops before it could cost more than" in out
    assert "$0.50" in out


# 3. Files and functions are counted apart.


def test_files_that_cannot_be_read_are_not_counted_as_functions(
    repo: GitRepo, azure: FakeAzureOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("broken", {"broken.py": "def half(x):\n    return x /\n"})
    azure.queue_fault(MalformedJson(), MalformedJson(), MalformedJson())
    code, out, _ = suggest(capsys, "--base", "HEAD~2")
    assert code == 1
    assert "docgen: 2 functions and 1 file could not be documented (see Skipped)" in out

    repo.commit("fixed", {"calc.py": BASE})
    code, out, _ = suggest(capsys, "--base", "HEAD~2")  # the broken file alone
    assert "docgen: 1 file could not be documented (see Skipped)" in out
    assert "function" not in out.splitlines()[-1]


# 4. Summary on stderr whenever stdout is data; on stdout otherwise.


def test_stdout_holds_only_data_with_diff_and_json(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = suggest(capsys, "--format", "diff")
    assert code == 0 and out.startswith("diff --git a/calc.py b/calc.py\n")
    assert "docgen suggested 2 docstrings" in err
    repo.git("apply", stdin=out)
    assert documented(repo.read("calc.py")) == {"add", "scale", "clamp"}
    repo.git("checkout", "--", "calc.py")

    code, out, err = suggest(capsys, "--format", "json")
    assert json.loads(out)["base"]["label"].startswith("HEAD~1")
    assert err.startswith("docgen: comparing HEAD~1..HEAD")
    assert "docgen suggested 2 docstrings" in err

    code, out, err = suggest(capsys, "--format", "json", "--check")
    assert json.loads(out)["apply_command"].startswith("docgen suggest --base ")
    assert "to add them, run:" in err


def test_text_and_check_print_everything_on_stdout(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in ((), ("--check",), ("--dry-run",)):
        _, out, err = suggest(capsys, *args)
        assert err == ""
        assert out.startswith("docgen: comparing HEAD~1..HEAD")
    assert "to add them, run:" in suggest(capsys, "--check")[1]


# 5. A provider asked for but not configured names what is missing.


def test_azure_without_settings_names_the_missing_variables(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = suggest(capsys, "--provider", "azure")
    assert code == 2 and out == ""
    assert err == (
        "docgen: error: AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and AZURE_OPENAI_DEPLOYMENT "
        "are not set (the Azure OpenAI provider needs all three)\n"
    )


def test_a_half_configured_azure_is_a_settings_error_not_a_crash(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "http://127.0.0.1:9")
    code, _, err = suggest(capsys)
    assert code == 2
    assert err == (
        "docgen: error: AZURE_OPENAI_API_KEY and AZURE_OPENAI_DEPLOYMENT are not set "
        "(the Azure OpenAI provider needs all three)\n"
    )


# 6. The first line states the base.


def test_the_first_line_states_the_base(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    first = {
        args: suggest(capsys, *args)[1].splitlines()[0]
        for args in ((), ("--working-tree",), ("--base", "HEAD~1"), ("--all",))
    }
    parent, head = (repo.git("rev-parse", "--short", rev).strip() for rev in ("HEAD~1", "HEAD"))
    assert first[()] == f"docgen: comparing HEAD~1..HEAD ({parent}..{head}): 1 Python file changed."
    assert first[("--working-tree",)] == (
        f"docgen: comparing the working tree against HEAD ({head}): 0 Python files changed."
    )
    assert first[("--base", "HEAD~1")].startswith(f"docgen: comparing HEAD~1..HEAD ({parent}..")
    assert first[("--all",)] == f"docgen: every Python file in HEAD ({head}): 1 Python file."

    fork = head
    repo.git("checkout", "-q", "-b", "feature")
    tip = repo.commit("loud", {"loud.py": SHOUT})[:7]
    line = suggest(capsys)[1].splitlines()[0]
    assert line == f"docgen: comparing main...HEAD ({fork}..{tip}): 1 Python file changed."
    line = suggest(capsys, "--working-tree")[1].splitlines()[0]
    assert line.startswith(
        f"docgen: comparing the working tree against the merge base with main ({fork})"
    )


def test_the_first_line_of_a_new_repository_states_the_empty_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate(monkeypatch)
    repo = GitRepo(tmp_path / "fresh")
    repo.write("loud.py", SHOUT)
    monkeypatch.chdir(repo.root)
    assert suggest(capsys, "--working-tree")[1].splitlines()[0] == (
        "docgen: comparing the working tree against the empty tree (no commits yet): "
        "1 Python file changed."
    )
    first = repo.commit("first")[:7]
    assert suggest(capsys)[1].splitlines()[0] == (
        f"docgen: comparing HEAD ({first}) with the empty tree (HEAD is the first commit): "
        "1 Python file changed."
    )


# 7. Coverage when every changed function was skipped.


def test_coverage_says_how_many_were_skipped_when_none_counts(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit(
        "small",
        {"tiny.py": "def _one():\n    return 1\n\n\ndef _two():\n    a = 2\n    return a\n"},
    )
    code, out, _ = suggest(capsys)
    assert code == 0
    assert "Docstring coverage of the changed functions: 0 of 2 counted (2 skipped)." in out
    assert "no functions" not in out
    _, doc = suggest_json(capsys)
    assert doc["coverage"]["before"] == doc["coverage"]["after"]
    assert doc["coverage"]["after"] == {"documented": 0, "total": 0, "skipped": 2}


# 8. Newer syntax: which Python would parse it.


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="this Python reads PEP 695 syntax")
def test_generics_name_the_python_that_parses_them(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit(
        "generic", {"box.py": "class Box[T]:\n    def get(self) -> T:\n        return self.v\n"}
    )
    code, doc = suggest_json(capsys)
    [skip] = [s for s in doc["skipped"] if s["id"] == "box.py"]
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert skip["reason"] == (
        f"syntax newer than docgen's Python {running} (PEP 695 generics need Python 3.12+; line 1)"
    )


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="this Python reads template strings")
def test_template_strings_name_the_python_that_parses_them(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("greet", {"hi.py": 'def hi(name):\n    text = t"hi {name}"\n    return text\n'})
    code, out, _ = suggest(capsys)
    assert code == 1
    assert "PEP 750 template strings need Python 3.14+; line 2)" in out


def test_the_quick_start_says_which_python_parses_which_syntax() -> None:
    readme = (ROOT / "README.md").read_text()
    quick = readme[readme.index("## Quick start") : readme.index("## How it works")]
    for said in ("3.11", "3.12", "3.13", "PEP 695", "def f[T]"):
        assert said in quick
