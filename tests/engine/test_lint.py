"""New docstrings are checked with the repository's own rules, by the real ruff (and pydoclint)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from bot.core.docrules import (
    ALL_D_CODES,
    CONVENTION_OFF,
    Convention,
    DocRules,
    PydoclintRules,
    PydocstyleRules,
)
from bot.core.edit import Edit, Placement, make_edit, place_docstring
from bot.core.extract import extract
from bot.engine.lint import (
    DocstringSpan,
    EditedFile,
    LintReport,
    LintTools,
    edited_file,
    lint_docstrings,
)

GOOD = '''\
def area(width: int, height: int) -> int:
    """Return the area of a rectangle.

    Args:
        width: The rectangle's width.
        height: The rectangle's height.

    Returns:
        The area.
    """
    return width * height
'''
NO_PERIOD = GOOD.replace("area of a rectangle.", "area of a rectangle")
OLD_BAD = '''

def legacy():
    """returns something"""
    return 1
'''


def ruff_rules(
    convention: Convention | None = "google", extra: frozenset[str] = frozenset()
) -> DocRules:
    off = CONVENTION_OFF[convention] if convention else frozenset()
    return DocRules(ruff=PydocstyleRules("ruff", (ALL_D_CODES - off) | extra, convention))


def area(path: str, text: str) -> EditedFile:
    """The edited file, with ``area``'s docstring (lines 2-10 of GOOD) as the new one."""
    return EditedFile(path, text, (DocstringSpan(f"{path}::area", 2, 10, 1),))


def codes(report: LintReport, key: str) -> list[str]:
    return [f.code for f in report.of(key)]


async def test_a_missing_period_is_found_against_that_docstring_only() -> None:
    report = await lint_docstrings(ruff_rules(), [area("geo.py", NO_PERIOD + OLD_BAD)])
    assert list(report.findings) == ["geo.py::area"]
    assert codes(report, "geo.py::area") == ["D415"]
    finding = report.of("geo.py::area")[0]
    assert finding.line == 2
    assert finding.phrase == (
        "ruff D415: First line should end with a period, question mark, or exclamation point"
    )
    assert report.notes == ()


async def test_a_docstring_that_passes_every_rule_has_no_findings() -> None:
    report = await lint_docstrings(ruff_rules(), [area("geo.py", GOOD + OLD_BAD)])
    assert report == LintReport()


async def test_rules_about_missing_docstrings_are_never_reported() -> None:
    # D100 (no module docstring) sits on line 1, which is also area's def line.
    rules = ruff_rules(None)
    assert "D100" in rules.check_codes("geo.py")
    report = await lint_docstrings(rules, [area("geo.py", GOOD)])
    assert "D100" not in codes(report, "geo.py::area")


async def test_per_file_ignores_are_honoured() -> None:
    rules = ruff_rules()
    assert rules.ruff is not None
    ignoring = DocRules(ruff=PydocstyleRules(
        "ruff", rules.ruff.codes, "google", per_file_ignores=(("tests/*", ALL_D_CODES),)
    ))  # fmt: skip
    files = [area("tests/test_geo.py", NO_PERIOD), area("src/geo.py", NO_PERIOD)]
    report = await lint_docstrings(ignoring, files)
    assert list(report.findings) == ["src/geo.py::area"]


async def test_two_files_take_one_ruff_run(tmp_path: Path) -> None:
    log = tmp_path / "calls"
    wrapper = tmp_path / "ruff_logged.py"
    # The real ruff, behind a script that counts how often it is started.
    wrapper.write_text(
        "import subprocess, sys\n"
        "from ruff import find_ruff_bin\n"
        f"with open({str(log)!r}, 'a') as f: f.write('call\\n')\n"
        "sys.exit(subprocess.run([find_ruff_bin(), *sys.argv[1:]]).returncode)\n"
    )
    files = [area("a.py", NO_PERIOD), area("pkg/b.py", NO_PERIOD.replace("Return", "Returns"))]
    tools = LintTools(ruff=(sys.executable, str(wrapper)))
    report = await lint_docstrings(ruff_rules("pep257"), files, tools)
    assert log.read_text() == "call\n"
    assert codes(report, "a.py::area") == ["D400"]
    assert codes(report, "pkg/b.py::area") == ["D400", "D401"]
    assert report.of("pkg/b.py::area")[1].phrase == (
        "ruff D401: First line of docstring should be in imperative mood"
    )


async def test_numpy_convention_with_summary_on_the_second_line() -> None:
    rules = ruff_rules("numpy", frozenset({"D213"}))
    numpy_doc = '''\
def area(width: int, height: int) -> int:
    """
    Return the area of a rectangle.

    Parameters
    ----------
    width : int
        The rectangle's width.
    """
    return width * height
'''
    first_line = numpy_doc.replace('"""\n    Return', '"""Return')
    passing = EditedFile("n.py", numpy_doc, (DocstringSpan("n.py::area", 2, 9, 1),))
    failing = EditedFile("m.py", first_line, (DocstringSpan("m.py::area", 2, 8, 1),))
    report = await lint_docstrings(rules, [passing, failing])
    assert report.of("n.py::area") == ()
    assert codes(report, "m.py::area") == ["D213"]


async def test_nothing_runs_without_d_rules_in_force() -> None:
    tools = LintTools(ruff=("/nonexistent/ruff",))
    assert await lint_docstrings(DocRules(), [area("geo.py", NO_PERIOD)], tools) == LintReport()
    only_d1 = DocRules(ruff=PydocstyleRules("ruff", frozenset({"D103"})))
    assert await lint_docstrings(only_d1, [area("geo.py", NO_PERIOD)], tools) == LintReport()


async def test_a_missing_ruff_is_a_note_not_an_error() -> None:
    tools = LintTools(ruff=("/nonexistent/ruff",))
    report = await lint_docstrings(ruff_rules(), [area("geo.py", NO_PERIOD)], tools)
    assert report.findings == {}
    assert len(report.notes) == 1
    assert report.notes[0].startswith("the docstring rules could not be checked: ruff could not")


@pytest.mark.parametrize(
    ("script", "why"),
    [
        ("import time; time.sleep(30)", "took longer than 0.5 s"),
        ("print('not json')", "ruff printed what docgen cannot read"),
        ("import sys; sys.exit('ruff: no such option')", "exit status 1: ruff: no such option"),
    ],
)
async def test_a_broken_ruff_is_a_note_not_an_error(script: str, why: str) -> None:
    tools = LintTools(ruff=(sys.executable, "-c", script), timeout=0.5)
    report = await lint_docstrings(ruff_rules(), [area("geo.py", NO_PERIOD)], tools)
    assert report.findings == {}
    assert len(report.notes) == 1
    assert why in report.notes[0]


async def test_a_path_leaving_the_folder_is_not_written() -> None:
    report = await lint_docstrings(ruff_rules(), [area("../geo.py", NO_PERIOD)])
    assert report.findings == {}
    assert report.notes == ("the docstring rules could not be checked: unusual path '../geo.py'",)


HEAD = '''\
class Shape:
    def area(self) -> int:
        return 0

    def name(self) -> str:
        return "shape"


def scale(x: int) -> int:
    """doubles"""
    return 2 * x
'''


def edits_for(source: str, docs: dict[str, list[str]]) -> list[Edit]:
    result = extract("shapes.py", source)
    everywhere = frozenset(range(1, source.count("\n") + 2))
    edits = []
    for key, doc in docs.items():
        function = result.function(key)
        assert function is not None
        placement = place_docstring(source, function, everywhere)
        assert isinstance(placement, Placement), placement
        edits.append(make_edit(source, function, placement, doc))
    return edits


def test_edited_file_finds_each_new_docstring_in_the_edited_text() -> None:
    edits = edits_for(
        HEAD,
        {
            "Shape.area": ['"""Return the area.', "", "Returns:", "    The area.", '"""'],
            "Shape.name": ['"""Return the name."""'],
        },
    )
    edited = edited_file("shapes.py", HEAD, edits)
    assert edited.docstrings == (
        DocstringSpan("shapes.py::Shape.area", 3, 7, 2),
        DocstringSpan("shapes.py::Shape.name", 11, 11, 10),
    )
    lines = edited.text.splitlines()
    assert lines[2].strip() == '"""Return the area.'
    assert lines[10].strip() == '"""Return the name."""'


async def test_edited_files_are_checked_by_their_edits_spans() -> None:
    edits = edits_for(
        HEAD, {"Shape.area": ['"""Returns the area"""'], "Shape.name": ['"""Name."""']}
    )
    report = await lint_docstrings(ruff_rules(None), [edited_file("shapes.py", HEAD, edits)])
    # scale's old docstring breaks the same rules, and is not docgen's to mend.
    assert list(report.findings) == ["shapes.py::Shape.area"]
    assert codes(report, "shapes.py::Shape.area") == ["D400", "D401", "D415"]


def pydoclint_command() -> tuple[str, ...] | None:
    found = os.environ.get("DOCGEN_TEST_PYDOCLINT") or shutil.which("pydoclint")
    return (found,) if found else None


needs_pydoclint = pytest.mark.skipif(
    pydoclint_command() is None,
    reason="pydoclint is not installed (its own environment; set DOCGEN_TEST_PYDOCLINT)",
)
MISSING_ARG = '''\
def area(width: int, height: int) -> int:
    """Return the area of a rectangle.

    Args:
        width: The rectangle's width.

    Returns:
        The area.
    """
    return width * height
'''


def doclint_rules(exclude: str | None = None) -> DocRules:
    return DocRules(pydoclint=PydoclintRules("google", False, False, exclude=exclude))


@needs_pydoclint
async def test_pydoclint_findings_go_to_their_docstring() -> None:
    tools = LintTools(pydoclint=pydoclint_command())
    span = DocstringSpan("geo.py::area", 2, 9, 1)
    files = [EditedFile("geo.py", MISSING_ARG + OLD_BAD.replace("()", "(x: int)"), (span,))]
    report = await lint_docstrings(doclint_rules(), files, tools)
    assert report.notes == ()
    assert list(report.findings) == ["geo.py::area"]
    assert "DOC101" in codes(report, "geo.py::area")
    assert all(f.tool == "pydoclint" for f in report.of("geo.py::area"))


@needs_pydoclint
async def test_pydoclint_passes_a_complete_docstring_and_honours_exclude() -> None:
    tools = LintTools(pydoclint=pydoclint_command())
    files = [area("geo.py", GOOD), area("vendor/geo.py", MISSING_ARG)]
    report = await lint_docstrings(doclint_rules(exclude="^vendor/"), files, tools)
    assert report == LintReport()


@needs_pydoclint
async def test_pydoclint_and_ruff_together() -> None:
    rules = DocRules(ruff=ruff_rules().ruff, pydoclint=PydoclintRules("google", False, False))
    tools = LintTools(pydoclint=pydoclint_command())
    text = MISSING_ARG.replace("area of a rectangle.", "area of a rectangle")
    report = await lint_docstrings(rules, [area("geo.py", text)], tools)
    found = {(f.tool, f.code) for f in report.of("geo.py::area")}
    assert {("ruff", "D415"), ("ruff", "D417"), ("pydoclint", "DOC101")} <= found


async def test_a_missing_pydoclint_is_a_note_and_ruff_still_runs() -> None:
    rules = DocRules(ruff=ruff_rules().ruff, pydoclint=PydoclintRules("google"))
    tools = LintTools(pydoclint=("/nonexistent/pydoclint",))
    report = await lint_docstrings(rules, [area("geo.py", NO_PERIOD)], tools)
    assert codes(report, "geo.py::area") == ["D415"]
    assert len(report.notes) == 1
    assert "pydoclint could not be started" in report.notes[0]
