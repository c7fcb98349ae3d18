"""Target selection: which changed functions get a suggestion, and a reason for the rest."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.extract import ExtractResult, changed_functions, extract
from bot.core.skips import SkipKind
from bot.core.targets import (
    Selection,
    SkipReason,
    TargetRules,
    documented_params,
    is_stale,
    select_targets,
)

DATA = Path(__file__).parent.parent / "data" / "extract"
SHAPES = (DATA / "shapes.py").read_text()
R = SkipReason


def select(
    result: ExtractResult,
    rules: TargetRules | None = None,
    *,
    base_result: ExtractResult | None = None,
) -> Selection:
    every_line = set(range(1, result.line_count + 1))
    changed = changed_functions(result, every_line)
    return select_targets(result, changed, rules or TargetRules(), base_result=base_result)


def outcome(selection: Selection) -> dict[str, str]:
    found: dict[str, str] = {t.function.key: t.mode for t in selection.targets}
    found.update({s.id.split("::", 1)[-1]: s.reason.name for s in selection.skipped})
    return found


def test_default_rules_on_every_kind_of_function() -> None:
    # With no docstring rules in the repository, what ruff's D1 rules flag: every public
    # function and method whatever its length, special methods and __init__ included.
    result = extract("pkg/shapes.py", SHAPES)
    assert outcome(select(result)) == {
        "parse_header": "insert",
        "normalise": "HAS_DOCSTRING",
        "fetch": "insert",
        "first": "insert",
        "stub": "insert",
        "Cache.__init__": "insert",
        "Cache.size": "insert",
        "Cache.size#2": "ACCESSOR",
        "Cache.get": "insert",
        "Cache.pop": "OVERLOAD",
        "Cache.pop#2": "OVERLOAD",
        "Cache.pop#3": "insert",
        "Cache.__len__": "insert",
        "Cache._evict": "PRIVATE",
        "Cache.keys": "insert",
        "Cache.keys.<locals>.visible": "NESTED",
        "Cache.Stats.__init__": "insert",
        "Cache.Stats.ratio": "insert",
        "LoggingCache.get": "OVERRIDE",
        "LoggingCache.clear": "insert",
        "LoggingCache.describe": "HAS_DOCSTRING",
        "dumps": "insert",
        "dumps#2": "insert",
        "_get": "PRIVATE",
        "last_one": "insert",
    }


def test_targets_keep_source_order_and_only_changed_functions_count() -> None:
    result = extract("pkg/shapes.py", SHAPES)
    changed = changed_functions(result, {19, 66, 99})
    selection = select_targets(result, changed, TargetRules())
    assert [t.function.key for t in selection.targets] == [
        "parse_header",
        "Cache.get",
        "Cache.Stats.ratio",
    ]
    assert selection.skipped == ()


def test_docgen_yml_overrides_win_over_the_rules() -> None:
    found = outcome(select(extract("pkg/shapes.py", SHAPES), TargetRules(skip_private=False)))
    assert found["Cache._evict"] == found["_get"] == "insert"
    assert found["Cache.keys.<locals>.visible"] == "NESTED"  # nested is not about privacy
    shorter = outcome(select(extract("pkg/shapes.py", SHAPES), TargetRules(min_lines=3)))
    assert shorter["first"] == shorter["stub"] == shorter["LoggingCache.clear"] == "TOO_SHORT"
    assert shorter["Cache.pop"] == "OVERLOAD" and shorter["Cache.size#2"] == "ACCESSOR"


def test_private_classes_make_their_methods_private() -> None:
    source = "class _Helper:\n    def run(self):\n        x = 1\n        return x\n"
    assert outcome(select(extract("h.py", source))) == {"_Helper.run": "PRIVATE"}


@pytest.mark.parametrize(
    ("path", "patterns", "excluded"),
    [
        ("pkg/generated/api.py", ("generated/",), True),
        ("pkg/generated/api.py", ("/generated/",), False),
        ("migrations/0001_init.py", ("migrations/*.py",), True),
        ("src/app.py", ("*.py", "!src/app.py"), False),
        ("src/app.py", (), False),
    ],
)
def test_excluded_paths_follow_gitignore_rules(
    path: str, patterns: tuple[str, ...], excluded: bool
) -> None:
    source = "def run(x):\n    y = x\n    return y\n"
    found = outcome(select(extract(path, source), TargetRules(exclude=patterns)))
    assert found == {"run": "EXCLUDED" if excluded else "insert"}


@pytest.mark.parametrize(
    ("path", "is_test"),
    [
        ("tests/test_api.py", True),
        ("src/pkg/tests/helpers.py", True),
        ("pkg/api_test.py", True),
        ("conftest.py", True),
        ("src/testing.py", False),
        ("src/contest.py", False),
    ],
)
def test_test_files_are_skipped(path: str, is_test: bool) -> None:
    source = "def test_run(x):\n    y = x\n    assert y\n"
    found = outcome(select(extract(path, source)))
    assert found == {"test_run": "TEST" if is_test else "insert"}
    assert outcome(select(extract(path, source), TargetRules(skip_tests=False))) == {
        "test_run": "insert"
    }


def test_files_that_do_not_parse_are_reported_once_by_path() -> None:
    broken = extract("pkg/broken.py", (DATA / "broken.py").read_text())
    selection = select_targets(broken, [], TargetRules())
    assert selection.targets == ()
    assert [(s.id, s.reason) for s in selection.skipped] == [("pkg/broken.py", R.SYNTAX_ERROR)]
    newer = replace(broken, error_kind="newer_syntax")
    assert select_targets(newer, [], TargetRules()).skipped[0].reason is R.NEWER_SYNTAX


def test_large_files_are_skipped_function_by_function() -> None:
    result = extract("pkg/shapes.py", SHAPES)
    changed = changed_functions(result, {19, 66})
    selection = select_targets(result, changed, TargetRules(max_file_lines=100))
    assert [(s.id, s.reason) for s in selection.skipped] == [
        ("pkg/shapes.py::parse_header", R.FILE_TOO_LARGE),
        ("pkg/shapes.py::Cache.get", R.FILE_TOO_LARGE),
    ]


def test_stale_docstrings_are_replaced_when_the_signature_changed() -> None:
    base = extract("db.py", (DATA / "stale_base.py").read_text())
    head = extract("db.py", (DATA / "stale_head.py").read_text())
    assert outcome(select(head, base_result=base)) == {
        "connect": "replace",  # documents `host`, the parameter is now `hostname`
        "send": "HAS_DOCSTRING",  # *args and **kwargs need not be documented
        "close": "HAS_DOCSTRING",  # documents no parameters at all
        "Pool.acquire": "HAS_DOCSTRING",  # only the annotation changed
        "Pool.release": "replace",  # new in this pull request and already wrong
    }
    quiet = TargetRules(include_stale=False)
    assert set(outcome(select(head, quiet, base_result=base)).values()) == {"HAS_DOCSTRING"}


def test_self_and_cls_are_neither_required_nor_stale() -> None:
    source = (
        "class A:\n"
        "    def m(self, x, y):\n"
        '        """Do.\n\n        Args:\n            self: Me.\n            x: X.\n        """\n'
    )
    method = extract("a.py", source).functions[0]
    assert is_stale(method, None)  # y is missing
    fixed = extract("a.py", source.replace("x, y", "x"))
    assert not is_stale(fixed.functions[0], None)


def test_unchanged_signature_is_never_stale() -> None:
    source = 'def f(a, b):\n    """Do.\n\n    Args:\n        x: Gone.\n    """\n    return a\n'
    function = extract("f.py", source).functions[0]
    assert not is_stale(function, function)
    assert is_stale(function, None)


def test_documented_params_in_every_style() -> None:
    google = "Do.\n\nArgs:\n    x (int): The x.\n    *args: More.\n    **kwargs: Extra.\n"
    rest = "Do.\n\n:param x: The x.\n:param int y: The y.\n"
    numpy = "Do.\n\nParameters\n----------\nx : int\n    The x.\ny, z : str\n    Both.\n"
    assert documented_params(google) == {"x", "args", "kwargs"}
    assert documented_params(rest) == {"x", "y"}
    assert documented_params(numpy) == {"x", "y", "z"}
    assert documented_params("Do.\n\nParameters:\n    x: The x.\n") == {"x"}
    assert documented_params("Do.\n\n@param x: The x.\n@param y: The y.\n") == {"x", "y"}
    assert documented_params("Just a summary line.") == frozenset()
    assert documented_params("Args are checked elsewhere.") == frozenset()
    assert documented_params(":param: broken\n:raises\n") == frozenset()


def test_skip_reasons_read_well_in_a_summary() -> None:
    assert R.TOO_SHORT.value == "too short"
    assert all(0 < len(reason.value) <= 40 for reason in R)


def test_a_skip_reason_is_a_rule_at_work_unless_the_file_could_not_be_read() -> None:
    unreadable = {R.FILE_TOO_LARGE, R.SYNTAX_ERROR, R.NEWER_SYNTAX, R.UNREADABLE}
    assert {r for r in R if r.kind is SkipKind.FILE} == unreadable
    assert all(r.kind is SkipKind.POLICY for r in R if r not in unreadable)
    assert all(r.kind.is_failure == (r in unreadable) for r in R)
