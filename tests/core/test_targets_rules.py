"""Targets follow the repository's docstring rules, and agree with the linter itself.

The agreement tests run the real ruff on the same files with the same configuration
and compare: the functions ruff flags as missing a docstring are the functions docgen
picks, no more, no fewer.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.lintref import DEFAULT_RUFF, docgen_flags, ruff_flags
from bot.core.docrules import DocRules, InterrogateRules, PydocstyleRules
from bot.core.extract import extract
from bot.core.rulefiles import RULE_FILES, read_doc_rules
from bot.core.targets import (
    SkipReason,
    TargetRules,
    select_targets,
)

DATA = Path(__file__).parent.parent / "data"
VISIBILITY = DATA / "rules" / "visibility"
SHAPES = DATA / "extract" / "shapes.py"

CONFIGS = {
    "no rules": None,
    "all D, numpy": '[lint]\nselect = ["D"]\n[lint.pydocstyle]\nconvention = "numpy"\n',
    "all D, google": '[lint]\nselect = ["D"]\n[lint.pydocstyle]\nconvention = "google"\n',
    "D103 only": '[lint]\nselect = ["D103"]\n',
    "D1 without magic": '[lint]\nselect = ["D1"]\nignore = ["D105", "D107"]\n',
    "per-file": (
        '[lint]\nselect = ["D"]\n[lint.per-file-ignores]\n"pkg/mod.py" = ["D102"]\n'
        '"plain.py" = ["D1"]\n'
    ),
    "excluded": 'extend-exclude = ["pkg/decorated.py", "_priv"]\n[lint]\nselect = ["D1"]\n',
    "decorators": (
        '[lint]\nselect = ["D1"]\n[lint.pydocstyle]\n'
        'ignore-decorators = ["click.command", "functools.cache", "click.pass_context"]\n'
    ),
}


def _sources(root: Path) -> list[str]:
    """Write the fixture sources under ``root``; return their paths."""
    files = {p.relative_to(VISIBILITY).as_posix(): p.read_text() for p in VISIBILITY.rglob("*.py")}
    files["pkg/shapes.py"] = SHAPES.read_text()
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return sorted(files)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_targets_are_the_functions_ruff_flags(name: str, tmp_path: Path) -> None:
    config = CONFIGS[name]
    docrules = read_doc_rules({"ruff.toml": config}) if config is not None else DocRules()
    paths = _sources(tmp_path)
    ours = docgen_flags(tmp_path, paths, docrules)
    theirs = ruff_flags(tmp_path, paths, config or DEFAULT_RUFF)
    assert ours == theirs
    if name != "D103 only":
        assert ours, "the fixture must exercise something"


def _targets(source: str, rules: TargetRules, path: str = "pkg/m.py") -> dict[str, str]:
    result = extract(path, source)
    selection = select_targets(result, result.functions, rules)
    found = {t.function.qualname: "target" for t in selection.targets}
    found.update(
        {
            s.subject.qualname: s.reason.name
            for s in selection.skipped
            if not isinstance(s.subject, str)
        }
    )
    return found


SOURCE = """\
class Box:
    def __init__(self, size):
        self.size = size

    def __repr__(self):
        return "Box"

    def _grow(self):
        self.size += 1

    def __mangled(self):
        return 1

    @property
    def area(self):
        return self.size**2

    @area.setter
    def area(self, value):
        self.size = value

def outer():
    def inner():
        return 1
    return inner
"""


def test_interrogate_counts_everything_unless_told_to_ignore_it() -> None:
    counted = _targets(SOURCE, TargetRules(docrules=DocRules(interrogate=InterrogateRules())))
    assert set(counted.values()) == {"target"}
    ignoring = InterrogateRules(
        ignore_init_method=True,
        ignore_magic=True,
        ignore_semiprivate=True,
        ignore_setters=True,
        ignore_nested_functions=True,
    )
    found = _targets(SOURCE, TargetRules(docrules=DocRules(interrogate=ignoring)))
    assert found == {
        "Box.__init__": "NOT_REQUIRED",
        "Box.__repr__": "DUNDER",
        "Box._grow": "PRIVATE",
        "Box.__mangled": "target",  # private (two underscores) is a separate flag
        "Box.area": "ACCESSOR",  # the setter; the getter is counted
        "outer": "target",
        "outer.<locals>.inner": "NESTED",
    }


def test_interrogate_regex_and_exclude() -> None:
    rules = DocRules(interrogate=InterrogateRules(ignore_regex=("^out",), exclude=("gen/",)))
    found = _targets(SOURCE, TargetRules(docrules=rules))
    assert found["outer"] == "IGNORED_NAME" and found["Box.__init__"] == "target"
    excluded = _targets(SOURCE, TargetRules(docrules=rules), path="gen/m.py")
    assert set(excluded.values()) == {"EXCLUDED"}


def test_one_tool_asking_is_enough() -> None:
    # ruff leaves private helpers alone; interrogate (no ignore flags) wants them.
    ruff = PydocstyleRules(tool="ruff", codes=frozenset({"D102", "D103"}))
    only_ruff = _targets(SOURCE, TargetRules(docrules=DocRules(ruff=ruff)))
    assert only_ruff["Box._grow"] == "PRIVATE" and only_ruff["Box.__repr__"] == "DUNDER"
    both = DocRules(ruff=ruff, interrogate=InterrogateRules())
    assert _targets(SOURCE, TargetRules(docrules=both))["Box._grow"] == "target"


def test_d_rules_without_missing_docstring_codes_require_nothing() -> None:
    # A repository that lints docstrings (D2, D4) but ignores D1 requires none: docgen
    # agrees with its linter. Only a stale docstring is still brought up to date.
    ruff = PydocstyleRules(tool="ruff", codes=frozenset({"D205", "D400"}))
    found = _targets(SOURCE, TargetRules(docrules=DocRules(ruff=ruff)))
    assert found["outer"] == found["Box.__init__"] == "NOT_REQUIRED"
    # ruff configured without any D rule says nothing about docstrings: the defaults.
    silent = DocRules(ruff=PydocstyleRules(tool="ruff", codes=frozenset()))
    assert _targets(SOURCE, TargetRules(docrules=silent))["outer"] == "target"


def test_pydocstyle_decorators_are_regexes() -> None:
    source = "@app.route('/')\ndef index():\n    return 1\n"
    linter = PydocstyleRules(
        tool="pydocstyle", codes=frozenset({"D103"}), ignore_decorators=("route",)
    )
    found = _targets(source, TargetRules(docrules=DocRules(pydocstyle=linter)))
    assert found == {"index": "IGNORED_DECORATOR"}


def test_two_line_function_is_a_target_by_default() -> None:
    source = "import os\n\n\ndef is_empty(path):\n    return not os.listdir(path)\n"
    assert _targets(source, TargetRules()) == {"is_empty": "target"}
    assert _targets(source, TargetRules(min_lines=3)) == {"is_empty": "TOO_SHORT"}


def test_every_reason_has_a_kind() -> None:
    assert all(reason.kind for reason in SkipReason)


def test_ruff_is_installed_for_these_tests() -> None:
    assert (
        shutil.which("ruff")
        or subprocess.run(
            [sys.executable, "-m", "ruff", "--version"], capture_output=True, check=False
        ).returncode
        == 0
    )


def test_noqa_on_the_def_line_silences_the_linter_not_interrogate() -> None:
    source = "def a():  # noqa: D103\n    pass\ndef b():  # noqa: E501\n    pass\n"
    found = _targets(source, TargetRules())
    assert found == {"a": "NOQA", "b": "target"}
    counted = _targets(source, TargetRules(docrules=DocRules(interrogate=InterrogateRules())))
    assert counted == {"a": "target", "b": "target"}


def test_a_leading_underscore_is_private_unless_a_method_is_magic() -> None:
    source = "def __getattr__(n):\n    pass\nclass __M__:\n    def f(self):\n        pass\n"
    assert set(_targets(source, TargetRules()).values()) == {"PRIVATE"}


def test_interrogate_whitelist_counts_matching_names_only() -> None:
    rules = DocRules(interrogate=InterrogateRules(whitelist_regex=("test_",)))
    found = _targets("def test_a():\n    pass\ndef b():\n    pass\n", TargetRules(docrules=rules))
    assert found == {"test_a": "target", "b": "NOT_WHITELISTED"}


# Each config source of tests/data/rules, and the functions of SOURCE it makes targets.
BY_SOURCE = {
    "none": {"Box.__init__", "Box.__repr__", "outer"},  # ruff's D1, docgen's default
    "ruff-pyproject": {"Box.__init__", "outer"},  # D105 ignored
    "ruff-toml": {"Box.__repr__", "outer"},  # numpy: no D107
    "dot-ruff-toml": set(),  # D rules without a D1 code: nothing required
    "setup-cfg-pydocstyle": {"outer"},
    "tox-pydocstyle": {"Box.__init__", "Box.__repr__", "outer"},
    "interrogate": {"Box.__repr__", "Box._grow", "Box.area", "outer", "outer.<locals>.inner"},
    "interrogate-setup-cfg": {"Box.area", "outer", "outer.<locals>.inner"},
    "pydoclint": {"Box.__init__", "Box.__repr__", "outer"},  # pydoclint requires none
    "pre-commit-args": {
        "Box.__init__",
        "Box.__repr__",
        "Box.area",
        "outer",
        "outer.<locals>.inner",
    },
    "broken": {"Box.__init__", "Box.__repr__", "outer"},
}


@pytest.mark.parametrize("case", sorted(BY_SOURCE))
def test_each_config_source_decides_the_targets(case: str) -> None:
    folder = DATA / "rules" / case
    files = {p: (folder / p).read_text() if (folder / p).is_file() else None for p in RULE_FILES}
    found = _targets(SOURCE, TargetRules(docrules=read_doc_rules(files)))
    assert {name for name, state in found.items() if state == "target"} == BY_SOURCE[case]
