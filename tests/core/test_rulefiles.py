"""Reading a repository's docstring rules from its configuration files.

Each folder under tests/data/rules is one sample repository's root; the tests assert
what :func:`read_doc_rules` makes of it. tests/core/test_rulefiles_ruff.py checks the
ruff parts against ruff itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.docrules import (
    ALL_D_CODES,
    CONVENTION_OFF,
    PYDOCSTYLE_CONVENTION_OFF,
    DocRules,
    InterrogateRules,
    Origin,
    PydoclintRules,
)
from bot.core.ruffglob import glob_matches
from bot.core.rulefiles import RULE_FILES, read_doc_rules

DATA = Path(__file__).parent.parent / "data" / "rules"
D1 = frozenset(f"D10{i}" for i in range(8))
PRE_COMMIT = ".pre-commit-config.yaml"


def case_files(name: str) -> dict[str, str | None]:
    """Return the texts of a sample repository's rule files (None: no such file)."""
    folder = DATA / name
    return {p: (folder / p).read_text() if (folder / p).exists() else None for p in RULE_FILES}


def read_case(name: str) -> DocRules:
    return read_doc_rules(case_files(name))


def shown(rules: DocRules) -> list[str]:
    return [str(o) for o in rules.origins]


def test_every_fixture_folder_is_tested() -> None:
    tested = {
        "ruff-pyproject",
        "ruff-toml",
        "dot-ruff-toml",
        "interrogate",
        "interrogate-setup-cfg",
        "pydoclint",
        "setup-cfg-pydocstyle",
        "tox-pydocstyle",
        "pre-commit-args",
        "none",
        "broken",
    }
    # visibility/ (sources) and real/ (real projects' files) serve the targets tests.
    assert {p.name for p in DATA.iterdir() if p.is_dir()} - {"visibility", "real"} == tested


def test_ruff_in_pyproject() -> None:
    rules = read_case("ruff-pyproject")
    assert rules.ruff is not None
    assert rules.ruff.codes == ALL_D_CODES - CONVENTION_OFF["google"] - {"D105"}
    assert rules.ruff.convention == "google"
    # The __init__.py entry ignores F401 only: no D code, so it is left out.
    assert rules.ruff.per_file_ignores == (("tests/*", D1),)
    assert rules.ruff.ignore_decorators == ("typing.overload",)
    assert rules.ruff.codes_for("tests/test_app.py") == rules.ruff.codes - D1
    assert rules.pydocstyle is None and rules.interrogate is None and rules.pydoclint is None
    assert rules.sources == ("pyproject.toml",)
    assert shown(rules) == [
        "lint.select = ['E', 'F', 'D'] (pyproject.toml)",
        "lint.ignore = ['D105', 'E501'] (pyproject.toml)",
        "lint.pydocstyle.convention = google (pyproject.toml)",
        "lint.per-file-ignores = {'tests/*': ['D1', 'E501'], '__init__.py': ['F401']} "
        "(pyproject.toml)",
        "lint.pydocstyle.ignore-decorators = ['typing.overload'] (pyproject.toml)",
    ]
    assert rules.problems == ()
    assert rules.describe() == "ruff D, google convention, from pyproject.toml"


def test_ruff_toml_wins_over_pyproject_and_reads_top_level_spellings() -> None:
    rules = read_case("ruff-toml")
    assert rules.ruff is not None
    # numpy turns D107 and D417 off; D417 is back because it is selected by its code.
    assert rules.ruff.codes == (D1 - {"D107"}) | {"D417"}
    assert rules.ruff.convention == "numpy"
    assert rules.sources == ("ruff.toml",)
    assert rules.origins == (
        Origin("select", "['D1']", "ruff.toml"),
        Origin("extend-select", "['D417']", "ruff.toml"),
        Origin("pydocstyle.convention", "numpy", "ruff.toml"),
    )


def test_dot_ruff_toml_wins_and_negated_per_file_ignores() -> None:
    rules = read_case("dot-ruff-toml")
    assert rules.ruff is not None
    # D212 ignored leaves D213 without its rival; D203 ignored leaves D211.
    assert rules.ruff.codes == ALL_D_CODES - {"D203", "D212"}
    assert rules.ruff.convention is None
    (pattern, off), *more = rules.ruff.per_file_ignores
    assert pattern == "!src/**" and ALL_D_CODES <= off and not more
    assert rules.ruff.codes_for("src/pkg/mod.py") == rules.ruff.codes
    assert rules.ruff.codes_for("scripts/tool.py") == frozenset()
    assert rules.sources == (".ruff.toml",)
    assert Origin("lint.select", "['ALL']", ".ruff.toml") in rules.origins


def test_interrogate_in_pyproject() -> None:
    rules = read_case("interrogate")
    assert rules.interrogate == InterrogateRules(
        ignore_init_method=True,
        ignore_private=True,
        ignore_regex=("^get_", "^test_"),
        exclude=("setup.py", "docs"),
        fail_under=95.0,
    )
    assert rules.ruff is None and rules.pydocstyle is None
    assert rules.sources == ("pyproject.toml",)
    assert "interrogate ignore-private = true (pyproject.toml)" in shown(rules)
    assert "interrogate fail-under = 95 (pyproject.toml)" in shown(rules)
    # interrogate reads pyproject.toml when it exists: setup.cfg's section is not used.
    assert rules.problems == (
        "setup.cfg: interrogate reads pyproject.toml, not [tool:interrogate]; ignored",
    )
    assert rules.describe() == "interrogate, from pyproject.toml"


def test_interrogate_in_setup_cfg() -> None:
    rules = read_case("interrogate-setup-cfg")
    assert rules.interrogate == InterrogateRules(
        ignore_magic=True,
        ignore_module=True,
        ignore_regex=("^_", "^mock"),
        exclude=("build", "dist"),
        fail_under=80.5,
    )
    assert rules.sources == ("setup.cfg",)
    assert "interrogate ignore-module = true (setup.cfg)" in shown(rules)
    assert rules.problems == ()


def test_pydoclint() -> None:
    rules = read_case("pydoclint")
    assert rules.pydoclint == PydoclintRules(
        style="google",
        arg_type_hints_in_docstring=False,
        skip_checking_short_docstrings=False,
        exclude=r"\.git|tests/",
    )
    assert rules.style == "google" and rules.require_complete
    assert rules.sources == ("pyproject.toml",)
    assert "pydoclint style = google (pyproject.toml)" in shown(rules)
    assert rules.describe() == "pydoclint (google), from pyproject.toml"


def pydocstyle_convention(name: str) -> frozenset[str]:
    return ALL_D_CODES - PYDOCSTYLE_CONVENTION_OFF[name]  # type: ignore[index]


def test_pydocstyle_in_setup_cfg() -> None:
    rules = read_case("setup-cfg-pydocstyle")
    linter = rules.pydocstyle
    assert linter is not None and rules.ruff is None
    d2 = {c for c in ALL_D_CODES if c.startswith("D2")}
    assert linter.codes == (pydocstyle_convention("numpy") | {"D417"}) - {"D105"} - d2
    assert linter.convention == "numpy"
    assert linter.match == r"(?!test_|conftest).*\.py"
    assert linter.ignore_decorators == ("overload|override",)
    assert linter.codes_for("pkg/conftest.py") == frozenset()
    assert linter.codes_for("pkg/mod.py") == linter.codes
    # setup.cfg comes first in pydocstyle's search: tox.ini's section is not read.
    assert rules.sources == ("setup.cfg",)
    assert shown(rules)[:3] == [
        "pydocstyle convention = numpy (setup.cfg)",
        "pydocstyle add-select = D417 (setup.cfg)",
        "pydocstyle add-ignore = D105,D2 (setup.cfg)",
    ]


def test_pydocstyle_in_tox_ini() -> None:
    rules = read_case("tox-pydocstyle")
    linter = rules.pydocstyle
    assert linter is not None
    assert linter.codes == D1 | {"D417"}
    assert linter.convention is None
    assert linter.match == r"(?!test_).*\.py"
    assert linter.codes_for("tests/test_app.py") == frozenset()
    assert linter.property_decorators == ("property", "cached_property", "my.lazy")
    assert rules.sources == ("tox.ini",)
    assert shown(rules)[0] == "pydocstyle select = D1, D417 (tox.ini)"


def test_pre_commit_args_win_over_the_files() -> None:
    rules = read_case("pre-commit-args")
    assert rules.ruff is not None and rules.pydocstyle is not None
    # pyproject selects E and F; the hook adds D1 and sets the google convention.
    assert rules.ruff.codes == D1 and rules.ruff.convention == "google"
    # The hook's --convention replaces pyproject's numpy convention and its add-select.
    assert rules.pydocstyle.codes == pydocstyle_convention("google") - {"D107"}
    assert rules.pydocstyle.convention == "google"
    assert rules.interrogate == InterrogateRules(
        ignore_init_method=True,
        ignore_init_module=True,
        ignore_module=True,
        ignore_regex=("^_",),
        exclude=("tests",),
        fail_under=90.0,
    )
    assert rules.pydoclint == PydoclintRules(style="sphinx", check_return_types=False)
    assert rules.sources == ("pyproject.toml", PRE_COMMIT)
    assert shown(rules)[:3] == [
        "pre-commit ruff args = --fix --extend-select D1 --config "
        "lint.pydocstyle.convention='google' (.pre-commit-config.yaml)",
        "lint.select = ['E', 'F'] (pyproject.toml)",
        "lint.pydocstyle.convention = google (.pre-commit-config.yaml)",
    ]
    assert "pre-commit interrogate args = -vv -iIM --fail-under=90 -e tests -r ^_ " in (
        " ".join(shown(rules))
    )
    assert rules.problems == ()


def test_no_docstring_rules() -> None:
    rules = read_case("none")
    assert rules == DocRules()
    assert rules.problems == ()
    assert rules.describe().startswith("docgen defaults")


def test_broken_files_are_reported_and_the_rest_applies() -> None:
    rules = read_case("broken")
    assert rules.problems == (
        ".pre-commit-config.yaml: not valid YAML (while parsing a flow node); ignored",
        "ruff.toml: ruff's lint.select should be a list of strings; ignored",
        "ruff.toml: ruff rule selector 'D99' names no rule; ignored",
        "ruff.toml: ruff's lint.pydocstyle.convention should be google or numpy or pep257; ignored",
        "setup.cfg: not valid INI (File contains no section headers.); ignored",
        "pyproject.toml: not valid TOML (Expected ']' at the end of a table declaration "
        "(at line 1, column 16)); ignored",
    )
    # ruff.toml's readable settings still apply: ruff's defaults plus D1.
    assert rules.ruff is not None and rules.ruff.codes == D1 | {"D419"}
    assert rules.ruff.convention is None
    # tox.ini's pydocstyle section is read though setup.cfg, earlier in the search, is broken.
    assert rules.pydocstyle is not None and rules.pydocstyle.convention == "google"
    assert rules.sources == ("ruff.toml", "tox.ini")


def test_absent_and_none_are_the_same() -> None:
    assert read_doc_rules({}) == read_doc_rules(dict.fromkeys(RULE_FILES))
    assert read_doc_rules({}) == DocRules()


# Semantics, file by file ----------------------------------------------------------------


def ruff_codes_of(toml: str) -> frozenset[str]:
    rules = read_doc_rules({"ruff.toml": toml})
    assert rules.ruff is not None
    return rules.ruff.codes


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        # No select: ruff's default set, whose only D rule is D419 (ruff 0.16+).
        ("line-length = 88", {"D419"}),
        ('lint.select = ["E", "F"]', set()),
        ('lint.select = ["D1"]\nlint.ignore = ["D10"]\nlint.extend-select = ["D102"]', {"D102"}),
        # At one specificity ignore wins; the more specific selector wins over the other.
        ('lint.select = ["D102"]\nlint.ignore = ["D102"]', set()),
        ('lint.select = ["D10"]\nlint.ignore = ["D1"]', D1),
        # An exact code re-enables a rule the convention turns off; a prefix does not.
        ('lint.select = ["D40"]\nlint.pydocstyle.convention = "google"', {"D402", "D403", "D405"}),
        ('lint.select = ["D400"]\nlint.pydocstyle.convention = "google"', {"D400"}),
        # Two incompatible rules: ruff keeps D211 and D212.
        ('lint.select = ["D203", "D211", "D212", "D213"]', {"D211", "D212"}),
        # Preview rules need preview, and then an exact code if explicit-preview-rules.
        ('lint.select = ["D42"]', set()),
        ('lint.select = ["D42"]\nlint.preview = true', {"D420", "D421"}),
        ('lint.select = ["D42"]\npreview = true\nlint.explicit-preview-rules = true', set()),
        # With preview, a rule may be selected by its name.
        ('lint.select = ["empty-docstring"]\nlint.preview = true', {"D419"}),
    ],
)
def test_ruff_selection(toml: str, expected: set[str]) -> None:
    assert ruff_codes_of(toml) & (ALL_D_CODES | {"D420", "D421"}) == expected


def test_ruff_lint_table_wins_over_the_deprecated_top_level() -> None:
    toml = 'select = ["D1"]\nlint.select = ["D2"]\n[pydocstyle]\nconvention = "google"\n'
    toml += '[lint.pydocstyle]\nignore-decorators = ["x"]\n'
    rules = read_doc_rules({"ruff.toml": toml})
    assert rules.ruff is not None
    # lint.pydocstyle replaces the top-level table whole: no convention.
    assert rules.ruff.convention is None
    assert rules.ruff.codes == {c for c in ALL_D_CODES if c.startswith("D2")} - {"D203", "D213"}


def test_pyproject_without_tool_ruff_is_not_a_ruff_config() -> None:
    assert read_doc_rules({"pyproject.toml": "[tool.black]\n"}).ruff is None
    assert read_doc_rules({"pyproject.toml": "[tool.ruff]\n"}).ruff is not None


@pytest.mark.parametrize(
    ("ini", "expected"),
    [
        ("", ALL_D_CODES - PYDOCSTYLE_CONVENTION_OFF["pep257"]),
        ("select = D1,D2", {c for c in ALL_D_CODES if c[1] in "12"}),
        ("ignore = D1, D4", {c for c in ALL_D_CODES if c[1] in "23"}),
        (
            "convention = google\nadd-select = D213\nadd-ignore = D1",
            (ALL_D_CODES - PYDOCSTYLE_CONVENTION_OFF["google"] | {"D213"}) - D1,
        ),
    ],
)
def test_pydocstyle_bases(ini: str, expected: frozenset[str]) -> None:
    rules = read_doc_rules({".pydocstyle": f"[pydocstyle]\n{ini}\n"})
    assert rules.pydocstyle is not None
    assert rules.pydocstyle.codes == expected


def test_pydocstyle_exclusive_options_are_reported() -> None:
    rules = read_doc_rules({"tox.ini": "[pydocstyle]\nselect = D1\nignore = D2\n"})
    assert rules.pydocstyle is not None
    # pydocstyle honours ignore first.
    assert rules.pydocstyle.codes == ALL_D_CODES - {c for c in ALL_D_CODES if c[1] == "2"}
    assert rules.problems == (
        "tox.ini: pydocstyle's ignore, select exclude each other; only ignore applies",
    )


def test_pydocstyle_in_pyproject_is_last_in_its_search() -> None:
    files = {
        "pyproject.toml": '[tool.pydocstyle]\nconvention = "numpy"\n',
        ".pydocstylerc.ini": "[pep257]\nselect = D417\n",
    }
    rules = read_doc_rules(files)
    assert rules.pydocstyle is not None and rules.pydocstyle.codes == {"D417"}
    assert rules.sources == (".pydocstylerc.ini",)
    del files[".pydocstylerc.ini"]
    assert read_doc_rules(files).pydocstyle.convention == "numpy"  # type: ignore[union-attr]


def hooks(*hooks: str) -> dict[str, str | None]:
    text = "repos:\n  - repo: local\n    hooks:\n" + "".join(f"      - {h}\n" for h in hooks)
    return {PRE_COMMIT: text}


def test_a_hook_alone_means_the_tool_with_its_defaults() -> None:
    rules = read_doc_rules(hooks("id: pydocstyle", "id: interrogate", "id: pydoclint"))
    assert rules.pydocstyle is not None
    assert rules.pydocstyle.codes == ALL_D_CODES - PYDOCSTYLE_CONVENTION_OFF["pep257"]
    assert rules.pydocstyle.convention == "pep257"
    assert rules.interrogate == InterrogateRules()
    assert rules.pydoclint == PydoclintRules()
    assert rules.sources == (PRE_COMMIT,)
    assert rules.origins[0] == Origin("pre-commit hook", "pydocstyle", PRE_COMMIT)


def test_ruff_hook_args() -> None:
    rules = read_doc_rules(
        {
            "ruff.toml": 'lint.select = ["D"]\n',
            **hooks('{id: ruff, args: ["--select=D1,E", "--ignore", "D107", "--preview"]}'),
        }
    )
    assert rules.ruff is not None and rules.ruff.codes == D1 - {"D107"}
    assert rules.origins[0] == Origin(
        "pre-commit ruff args", "--select=D1,E --ignore D107 --preview", PRE_COMMIT
    )


def test_bad_hook_args_are_reported() -> None:
    rules = read_doc_rules(hooks("{id: ruff, args: {select: D}}", "{id: interrogate, args: [-f]}"))
    assert rules.problems == (
        ".pre-commit-config.yaml: args of hook 'ruff' are not a list of strings; ignored",
        ".pre-commit-config.yaml: cannot read the args of hook 'interrogate' "
        "(argument -f/--fail-under: expected one argument); ignored",
    )
    assert rules.ruff is not None and rules.interrogate == InterrogateRules()


def test_other_hooks_are_not_linters() -> None:
    rules = read_doc_rules(hooks("id: black", "id: ruff-format", "{id: flake8, args: [--x]}"))
    assert rules == DocRules() and rules.problems == ()


# Globs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("tests/*", "tests/test_x.py", True),
        # ruff's * crosses /.
        ("tests/*", "tests/unit/test_x.py", True),
        ("tests/*", "src/tests/test_x.py", False),
        ("__init__.py", "pkg/__init__.py", True),
        ("__init__.py", "pkg/sub/__init__.py", True),
        ("*.py", "a/b/c.py", True),
        ("src/*_test.py", "src/a/b_test.py", True),
        ("**/conftest.py", "conftest.py", True),
        ("**/conftest.py", "a/b/conftest.py", True),
        ("./tests/*", "tests/x.py", True),
        ("{docs,tests}/*", "docs/conf.py", True),
        ("[st]*/*.py", "src/mod.py", True),
        ("[!s]*.py", "src/sub.py", False),
        ("[!s]*.py", "src/mod.py", True),
        ("!tests/*", "tests/x.py", False),
        ("!tests/*", "src/x.py", True),
        ("tests", "tests/x.py", False),
    ],
)
def test_per_file_ignore_globs_match_like_ruff(pattern: str, path: str, hit: bool) -> None:
    assert glob_matches(pattern, path) is hit


# Never raises -------------------------------------------------------------------------

_LINES = [
    "[tool.ruff.lint]",
    "[lint]",
    "[tool.pydocstyle]",
    "[pydocstyle]",
    "[tool:interrogate]",
    "[tool.interrogate]",
    "[tool.pydoclint]",
    'select = ["D"]',
    "select = 3",
    'ignore = ["D1", "ALL"]',
    'convention = "google"',
    "convention = numpy",
    'per-file-ignores = {"a/*" = ["D"]}',
    "per-file-ignores = 1",
    "fail-under = x",
    "ignore-private = maybe",
    "exclude = [1, 2]",
    "style = 1",
    "repos:",
    "- hooks: [{id: ruff, args: [--select, D]}]",
    "  - id: interrogate",
    "    args: [-x, --fail-under]",
    "{",
    "]",
]


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(RULE_FILES),
        st.one_of(
            st.text(max_size=60), st.lists(st.sampled_from(_LINES), max_size=8).map("\n".join)
        ),
        max_size=4,
    )
)
def test_read_doc_rules_never_raises(files: dict[str, str]) -> None:
    rules = read_doc_rules(files)
    assert isinstance(rules.describe(), str)
    assert set(rules.sources) <= set(files)
    assert all(p.split(":", 1)[0] in RULE_FILES for p in rules.problems)
