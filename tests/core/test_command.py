"""The `/docgen` grammar: every form, every refusal, and no text that makes it raise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.command import (
    FORMS,
    MAX_PATHS,
    Action,
    Command,
    help_text,
    parse_command,
    path_problem,
)

REVIEW = Command(Action.REVIEW)
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, REVIEW),
        ("", REVIEW),
        ("   ", REVIEW),
        ("all", Command(Action.REVIEW, every_function=True)),
        ("ALL", Command(Action.REVIEW, every_function=True)),
        ("help", Command(Action.HELP)),
        ("usage", Command(Action.USAGE)),
        ("src/", Command(Action.REVIEW, paths=("src/",))),
        ("./app.py lib/*.py", Command(Action.REVIEW, paths=("app.py", "lib/*.py"))),
        ("a.py a.py", Command(Action.REVIEW, paths=("a.py",))),
        ("'my dir/x.py'", Command(Action.REVIEW, paths=("my dir/x.py",))),
        ("-- -odd.py", Command(Action.REVIEW, paths=("-odd.py",))),
        (
            "all src/ --style numpy --dry-run",
            Command(
                Action.REVIEW, every_function=True, paths=("src/",), style="numpy", dry_run=True
            ),
        ),
        ("--style=sphinx --force", Command(Action.REVIEW, style="sphinx", force=True)),
        ("--dry-run all", Command(Action.REVIEW, every_function=True, dry_run=True)),
        ("--style google --style google", Command(Action.REVIEW, style="google")),
    ],
)
def test_forms(text: str | None, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("please", "unknown word `please`"),
        ("hlep", "unknown word `hlep`"),
        ("--verbose", "unknown option `--verbose`"),
        ("-f", "unknown option `-f`"),
        ("--force=yes", "`--force` takes no value"),
        ("--style", "`--style` takes google, numpy or sphinx, not nothing"),
        ("--style epytext", "`--style` takes google, numpy or sphinx, not `epytext`"),
        ("--style google --style numpy", "`--style` given twice"),
        ("help src/", "`help` takes nothing else (got `src/`)"),
        ("usage --dry-run", "`usage` takes nothing else (got `--dry-run`)"),
        ("all help", "`all` and `help` cannot be combined"),
        ("../x.py", "`../x.py` leaves the repository (`..`)"),
        ("src/../../x.py", "leaves the repository"),
        ("/etc/passwd", "is absolute"),
        ("~/x.py", "is absolute"),
        ("C:/x.py", "is absolute"),
        ("!x.py", "is a negation"),
        ("'a\x01.py'", "control characters"),
        ('"unclosed', "could not read the command (No closing quotation)"),
        ("`rm` x", "unknown word `'rm'`"),  # backticks never reach the reply's code span
        (" ".join(f"f{i}.py" for i in range(MAX_PATHS + 1)), f"at most {MAX_PATHS} paths"),
    ],
)
def test_refusals_carry_a_short_reason(text: str, reason: str) -> None:
    command = parse_command(text)
    assert command.action is Action.UNKNOWN
    assert reason in command.reason
    assert len(command.reason) < 160


@given(st.text(max_size=200))
def test_the_parser_never_raises(text: str) -> None:
    command = parse_command(text)
    assert isinstance(command, Command)
    assert (command.action is Action.UNKNOWN) == bool(command.reason)
    assert command.reason.count("`") % 2 == 0  # the user's words stay inside code spans


@given(st.lists(st.text(alphabet="ab/.*?[]!-_ ", min_size=1, max_size=12), max_size=4))
def test_accepted_paths_select_without_raising(paths: list[str]) -> None:
    command = parse_command(" ".join(f"'{p}'" for p in paths if "'" not in p))
    if command.action is Action.REVIEW:
        command.selects("src/app.py")


@pytest.mark.parametrize(
    ("pattern", "path", "selected"),
    [
        ("src/", "src/pkg/io.py", True),
        ("src/", "lib/src.py", False),
        ("app.py", "pkg/app.py", True),
        ("pkg/app.py", "other/pkg/app.py", False),
        ("*.py", "deep/down/x.py", True),
        ("pkg/**/io.py", "pkg/a/b/io.py", True),
        ("tests/test_*.py", "tests/test_io.py", True),
        ("tests/test_*.py", "src/io.py", False),
    ],
)
def test_paths_are_gitignore_style(pattern: str, path: str, selected: bool) -> None:
    command = parse_command(pattern)
    assert command.action is Action.REVIEW
    assert command.selects(path) is selected


def test_no_paths_select_every_file() -> None:
    assert parse_command("").selects("anything/at/all.py")


def test_a_fine_path_has_no_problem() -> None:
    assert path_problem("src/pkg/*.py") is None


def test_help_lists_every_form() -> None:
    text = help_text()
    for form, what in FORMS:
        assert f"`{form}`" in text and what in text


def _readme_commands() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## Commands\n(.*?)(?=^## )", text, re.S | re.M)
    assert match is not None, "README.md has no '## Commands' section"
    return match.group(1)


def test_the_readme_documents_every_form() -> None:
    section = _readme_commands()
    missing = [form for form, _ in FORMS if f"`{form}`" not in section]
    assert not missing, f"README's Commands section lacks {missing}"


def test_the_readme_documents_no_form_the_parser_refuses() -> None:
    forms = re.findall(r"^\| `(/docgen[^`]*)`", _readme_commands(), re.M)
    assert forms
    for form in forms:
        words = form.removeprefix("/docgen").replace("PATH...", "src/").replace("STYLE", "numpy")
        assert parse_command(words).action is not Action.UNKNOWN, form
