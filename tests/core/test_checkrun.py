"""The Check Run's conclusion and output, from plain data."""

from __future__ import annotations

import pytest

from bot.core.checkrun import (
    MAX_OUTPUT_CHARS,
    CheckFacts,
    CheckPolicy,
    Exclusion,
    Row,
    State,
    check_output,
    conclusion,
    excluded_files,
    failed_output,
    one_line,
    rows_for,
)
from bot.core.generated import generated_rules
from bot.core.skips import Skip, SkipKind
from bot.core.summary import Coverage, Incomplete, RunReport
from bot.core.targets import TargetRules


def test_every_changed_function_gets_its_state() -> None:
    report = RunReport(
        model="m",
        suggested=("a.py::new", "a.py::stale"),
        incomplete=(Incomplete("a.py::new", ("Returns section",)),),
        unchanged=("a.py::earlier",),
        done=("a.py::done",),
        not_commentable=("a.py::far",),
        skipped=(
            Skip("a.py::has", "already has a docstring", kind=SkipKind.POLICY),
            Skip("a.py::done", "already has a docstring", kind=SkipKind.POLICY),
            Skip("a.py::_private", "private", kind=SkipKind.POLICY),
            Skip("a.py::refused", "made-up parameter 'x'", kind=SkipKind.CHECK),
            Skip("a.py::old", "the model gave no answer", kind=SkipKind.MODEL),
            Skip("b.py", "syntax error in file", kind=SkipKind.FILE),
        ),
    )
    rows = rows_for(
        report, documented=("a.py::has", "a.py::done"), stale=("a.py::stale", "a.py::old")
    )
    by_id = {r.function_id: (r.state, r.detail) for r in rows}
    assert by_id == {
        "a.py::new": (State.SUGGESTED, "in this run; lacks Returns section"),
        "a.py::stale": (State.SUGGESTED, "update of a stale docstring"),
        "a.py::earlier": (State.SUGGESTED, "suggested earlier; code unchanged"),
        "a.py::has": (State.DOCUMENTED, ""),
        "a.py::done": (State.DOCUMENTED, "since docgen's suggestion"),
        "a.py::far": (State.MISSING, "no line of the diff to comment on"),
        "a.py::_private": (State.SKIPPED, "private"),
        "a.py::refused": (State.MISSING, "made-up parameter 'x'"),
        "a.py::old": (State.STALE, "the model gave no answer"),
        "b.py": (State.SKIPPED, "syntax error in file"),
    }
    assert [r.function_id for r in rows] == sorted(by_id)


@pytest.mark.parametrize(
    ("coverage", "policy", "expected"),
    [
        (Coverage(3, 4), CheckPolicy("neutral", 100), "neutral"),
        (Coverage(3, 4), CheckPolicy("failure", 100), "failure"),
        (Coverage(3, 4), CheckPolicy("failure", 75), "success"),
        (Coverage(3, 4), CheckPolicy("failure", 76), "failure"),
        (Coverage(4, 4), CheckPolicy("failure", 100), "success"),
        (Coverage(0, 4), CheckPolicy("neutral", 0), "success"),
        (Coverage(0, 0, skipped=3), CheckPolicy("failure", 100), "success"),
    ],
)
def test_conclusion_follows_the_heads_coverage(
    coverage: Coverage, policy: CheckPolicy, expected: str
) -> None:
    assert conclusion(coverage, policy) == expected


def _facts(rows: tuple[Row, ...] = (), **extra: object) -> CheckFacts:
    return CheckFacts(
        rows=rows,
        coverage_before=Coverage(1, 3, skipped=1),
        coverage_after=Coverage(3, 3, skipped=1),
        rules="ruff D, google convention, from pyproject.toml",
        **extra,  # type: ignore[arg-type]
    )


def test_output_says_coverage_rules_functions_and_exclusions() -> None:
    rows = (
        Row("pkg/a.py::f", State.SUGGESTED, "in this run"),
        Row("pkg/a.py::g", State.SUGGESTED, "in this run"),
        Row("pkg/a.py::h", State.DOCUMENTED),
        Row("pkg/a.py::_p", State.SKIPPED, "private"),
    )
    exclusions = (Exclusion("api_pb2.py", "generated or vendored code: matches `*_pb2.py`"),)
    out = check_output(
        _facts(rows, exclusions=exclusions, filters=("files matching `exclude`: `docs/**`",)),
        CheckPolicy("failure", 80),
    )
    assert out.conclusion == "failure"
    assert out.title == "1 of 3 changed functions documented (33%), 2 docstrings suggested"
    assert "1 of 3 (33%) before, 3 of 3 (100%) with these suggestions" in out.summary
    assert "33% documented at the head, below the threshold of 80% (`check.mode: failure`)" in (
        out.summary
    )
    assert "**Rules:** ruff D, google convention, from pyproject.toml." in out.summary
    assert "| suggested | 2 |" in out.summary and "| skipped | 1 |" in out.summary
    assert "| `api_pb2.py` | generated or vendored code: matches `*_pb2.py` |" in out.summary
    assert "`docs/**`" in out.summary
    assert out.text is not None
    assert "| `pkg/a.py::f` | suggested | in this run |" in out.text
    assert "| `pkg/a.py::_p` | skipped | private |" in out.text


def test_nothing_to_count_succeeds_without_a_table() -> None:
    out = check_output(CheckFacts(), CheckPolicy("failure", 100))
    assert out.conclusion == "success"
    assert out.title == "No changed function needs a docstring"
    assert out.text is None


def test_output_is_cut_to_githubs_limit_with_and_more() -> None:
    rows = tuple(
        Row(f"pkg/module_{n:05d}.py::function_with_a_long_name_{n}", State.MISSING, "x" * 100)
        for n in range(3000)
    )
    exclusions = tuple(
        Exclusion(f"gen/file_{n:05d}_pb2.py", "generated " * 10) for n in range(3000)
    )
    out = check_output(_facts(rows, exclusions=exclusions), CheckPolicy())
    assert out.text is not None
    assert len(out.summary) <= MAX_OUTPUT_CHARS and len(out.text) <= MAX_OUTPUT_CHARS
    assert "more | | |" in out.text and "more | |" in out.summary
    assert out.text.rstrip().endswith("|")  # cut between rows, never inside one


def test_cells_cannot_break_the_table() -> None:
    out = check_output(_facts((Row("a.py::f", State.SKIPPED, "a | b <script>"),)), CheckPolicy())
    assert out.text is not None and "a \\| b &lt;script>" in out.text


def test_excluded_files_name_the_pattern() -> None:
    rules = TargetRules(
        exclude=("legacy/",),
        generated=generated_rules("models/*.py linguist-generated\n"),
    )
    paths = ["pkg/api_pb2.py", "models/user.py", "tests/test_x.py", "legacy/a.py", "pkg/ok.py"]
    assert excluded_files(paths, rules) == (
        Exclusion("legacy/a.py", "excluded by configuration: `legacy/`"),
        Exclusion(
            "models/user.py",
            "generated or vendored code: linguist-generated in .gitattributes"
            " (line 1: `models/*.py`)",
        ),
        Exclusion(
            "pkg/api_pb2.py", "generated or vendored code: matches `*_pb2.py` (docgen's default)"
        ),
        Exclusion("tests/test_x.py", "test code: matches `tests/`"),
    )


def test_a_failed_run_is_neutral_with_one_safe_line() -> None:
    out = failed_output(
        "RuntimeError: token ghs_abcdefghijklmnop1234 refused at\n"
        "https://x-access-token:secret@example.com/a?api-key=k&sig=s, Bearer abc.def.ghi123"
    )
    assert out.conclusion == "neutral"
    assert out.title == "docgen could not finish this review"
    first = out.summary.split("\n")[0]
    assert "ghs_" not in out.summary and "secret" not in out.summary
    assert "api-key" not in out.summary and "abc.def" not in out.summary
    assert first.startswith("The review failed: RuntimeError:") and "example.com/a" in first
    assert "?" not in first


def test_one_line_is_short() -> None:
    assert len(one_line("word " * 500)) <= 200
    assert one_line("two\nlines.") == "two lines"
