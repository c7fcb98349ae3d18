"""Generated and vendored code: docgen's defaults and the .gitattributes marks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.extract import extract
from bot.core.generated import NO_GENERATED, GeneratedRules, generated_rules, parse_gitattributes
from bot.core.targets import SkipReason, TargetRules, select_targets


@pytest.mark.parametrize(
    "path",
    [
        "api_pb2.py",
        "proto/api_pb2_grpc.py",
        "shop/migrations/0001_initial.py",
        "vendor/six.py",
        "pkg/_vendor/attr/__init__.py",
    ],
)
def test_default_patterns_exclude_generated_and_vendored_code(path: str) -> None:
    why = GeneratedRules().explain(path)
    assert why is not None and "docgen's default" in why


@pytest.mark.parametrize("path", ["api.py", "pb2.py", "vendors.py", "pkg/migration.py"])
def test_ordinary_code_is_not_generated(path: str) -> None:
    assert GeneratedRules().explain(path) is None


def test_linguist_marks_set_and_unset() -> None:
    text = (
        "# generated clients\n"
        "\n"
        "gen/** linguist-generated\n"
        "*.py text eol=lf\n"
        "gen/handwritten.py -linguist-generated\n"
        "models.py linguist-generated=true\n"
        "third_party/** linguist-vendored\n"
        "legacy/*_pb2.py linguist-generated=false\n"
    )
    rules = generated_rules(text)
    assert rules.explain("gen/client/api.py") == (
        "linguist-generated in .gitattributes (line 3: `gen/**`)"
    )
    assert rules.explain("gen/handwritten.py") is None
    # A name without a slash matches at any depth.
    assert rules.explain("src/shop/models.py") is not None
    assert "linguist-vendored" in (rules.explain("third_party/lib/x.py") or "")
    # The repository unsets the mark: its own word wins over docgen's default pattern.
    assert rules.explain("legacy/old_pb2.py") is None
    assert rules.explain("new/old_pb2.py") is not None


def test_later_lines_win_and_bang_forgets() -> None:
    text = "*.py linguist-generated\nkeep.py -linguist-generated\nkeep.py !linguist-generated\n"
    rules = generated_rules(text)
    assert rules.matches("a.py")
    # `!attr` leaves keep.py unspecified: neither marked nor kept against the defaults.
    assert not rules.matches("keep.py")
    assert (
        generated_rules("*.py linguist-generated\nx.py -linguist-generated\n").explain("x.py")
        is None
    )


def test_what_git_ignores_is_ignored() -> None:
    text = (
        "!gen/** linguist-generated\n"  # negative patterns are refused by git
        "gen/ linguist-generated\n"  # a directory pattern marks no file
        '"with space.py" linguist-generated\n'
        '"unterminated.py linguist-generated\n'
        "[attr]gen linguist-generated\n"
        "out/*.py gen\n"
        "any.py binary linguist-language=Python\n"
    )
    marks = parse_gitattributes(text)
    assert [(m.pattern, m.value) for m in marks] == [("with space.py", True), ("out/*.py", True)]
    rules = generated_rules(text)
    assert rules.matches("with space.py") and rules.matches("out/a.py")
    assert not rules.matches("out/deep/a.py")  # `*` does not cross a slash
    assert not rules.matches("gen/a.py")


@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("/top.py", "top.py", True),
        ("/top.py", "sub/top.py", False),
        ("**/gen/*.py", "a/b/gen/x.py", True),
        ("**/gen/*.py", "gen/x.py", True),
        ("a/**/b.py", "a/b.py", True),
        ("a/**/b.py", "a/x/y/b.py", True),
        ("m?.py", "m1.py", True),
        ("m[0-9].py", "m7.py", True),
        ("m[!0-9].py", "m7.py", False),
        ("m[!0-9].py", "mx.py", True),
        ("[.py", "[.py", True),
    ],
)
def test_wildmatch_patterns(pattern: str, path: str, hit: bool) -> None:
    assert generated_rules(f"{pattern} linguist-generated\n").matches(path) is hit


@given(st.text(max_size=300))
def test_any_text_parses_without_raising(text: str) -> None:
    rules = generated_rules(text)
    rules.explain("pkg/mod.py")


def test_targets_skip_generated_files_with_the_reason() -> None:
    source = "def handler(event):\n    return event\n"
    result = extract("proto/api_pb2.py", source)
    selection = select_targets(result, result.functions, TargetRules())
    assert [(s.id, s.reason) for s in selection.skipped] == [
        ("proto/api_pb2.py::handler", SkipReason.GENERATED)
    ]
    kept = select_targets(result, result.functions, TargetRules(generated=NO_GENERATED))
    assert [t.function.name for t in kept.targets] == ["handler"]
