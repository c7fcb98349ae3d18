"""Real projects' docstring rules: docgen's targets are the functions their linters flag.

Each project's configuration files (tests/data/rules/real, copied from its release)
are read as the bot reads a repository's; the real linter (ruff or interrogate) runs
with the same settings on the same fixture sources. Whole files count as changed;
only functions missing a docstring are compared, by path and ``def`` line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.lintref import docgen_flags, linter_flags, read_fixtures
from bot.core.rulefiles import read_doc_rules

DATA = Path(__file__).parent.parent / "data"
REAL = DATA / "rules" / "real"
VISIBILITY = DATA / "rules" / "visibility"
SHAPES = DATA / "extract" / "shapes.py"
PROJECTS = sorted(p.name for p in REAL.iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Copy the fixture sources into one tree: the visibility package and shapes.py."""
    root = tmp_path_factory.mktemp("sources")
    shutil.copytree(VISIBILITY, root, dirs_exist_ok=True)
    shutil.copy(SHAPES, root / "pkg" / "shapes.py")
    paths = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))
    return root, paths


def test_every_project_is_here() -> None:
    assert {"pydantic", "polars", "litestar", "attrs", "structlog", "interrogate"} <= set(PROJECTS)


@pytest.mark.parametrize("project", PROJECTS)
def test_targets_are_what_the_projects_linter_flags(
    project: str, sources: tuple[Path, list[str]]
) -> None:
    root, paths = sources
    files = read_fixtures(REAL / project)
    docrules = read_doc_rules(files)
    assert not docrules.problems
    reference = linter_flags(root, paths, files)
    ours = docgen_flags(root, paths, docrules)
    assert sorted(ours - reference.flags) == []
    assert sorted(reference.flags - ours) == []


def test_the_fixtures_exercise_every_outcome(sources: tuple[Path, list[str]]) -> None:
    # Every project flags something on these sources but litestar, which ignores every
    # D1 code; attrs' interrogate counts the test_* functions only.
    root, paths = sources
    flags = {p: linter_flags(root, paths, read_fixtures(REAL / p)).flags for p in PROJECTS}
    assert flags["litestar"] == set()
    assert flags["attrs"] == {("pkg/silenced.py", 30)}
    assert flags["pydantic"] and flags["interrogate"] and flags["polars"]


def test_interrogates_whitelist_is_read() -> None:
    rules = read_doc_rules(read_fixtures(REAL / "attrs")).interrogate
    assert rules is not None and rules.whitelist_regex == ("test_.*",)
