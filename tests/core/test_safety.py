"""The batch safety check: all of a file's edits at once, culprits singled out, on real text."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.edit import (
    Edit,
    Placement,
    apply_edits,
    check_edit,
    check_edits,
    make_edit,
    place_docstring,
    strip_docstrings,
)
from bot.core.extract import FunctionInfo, extract
from bot.core.pysource import parse

DATA = Path(__file__).parent.parent / "data" / "extract"
SHAPES = (DATA / "shapes.py").read_text()
TABS = (DATA / "tabs.py").read_text()
DOC = ['"""Do the thing."""']
CODE = "the result changes code, not only a docstring"


def placeable(source: str) -> list[FunctionInfo]:
    """Return the functions without a docstring that a docstring can be placed in."""
    everywhere = frozenset(range(1, source.count("\n") + 2))
    found = []
    for fn in extract("m.py", source).functions:
        if fn.docstring_span is None:
            if isinstance(place_docstring(source, fn, everywhere), Placement):
                found.append(fn)
    return found


def edit_for(source: str, fn: FunctionInfo, doc: list[str] = DOC) -> Edit:
    placement = place_docstring(source, fn, frozenset(range(1, source.count("\n") + 2)))
    assert isinstance(placement, Placement)
    return make_edit(source, fn, placement, doc)


def all_edits(source: str) -> list[Edit]:
    return [edit_for(source, fn) for fn in placeable(source)]


def same_code(before: str, after: str) -> bool:
    """The reference: whole trees without docstrings, dumped (slow, obviously right)."""
    old = ast.dump(strip_docstrings(ast.parse(before.removeprefix("\ufeff"))))
    return old == ast.dump(strip_docstrings(ast.parse(after.removeprefix("\ufeff"))))


@pytest.mark.parametrize("source", [SHAPES, TABS, SHAPES.replace("\n", "\r\n")])
def test_all_edits_of_a_file_pass_together(source: str) -> None:
    edits = all_edits(source)
    assert len(edits) >= 4
    assert check_edits(source, edits) == [None] * len(edits)
    assert [check_edit(source, e) for e in edits] == [None] * len(edits)
    after = apply_edits(source, edits)
    assert same_code(source, after)
    documented = {fn.key: fn.docstring for fn in extract("m.py", after).functions}
    assert all(documented[fn.key] == "Do the thing." for fn in placeable(source))


def test_the_file_is_parsed_once_for_all_its_safe_edits(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []

    def counting(text: str) -> ast.Module:
        parsed.append(text)
        return parse(text)

    monkeypatch.setattr("bot.core.astcompare.parse", counting)
    edits = all_edits(SHAPES)
    assert check_edits(SHAPES, edits) == [None] * len(edits)
    assert len(parsed) == 1  # the result of all edits; the original is parsed apart, once


def broken(edit: Edit, line: str) -> Edit:
    """Return the edit with a line added after its docstring."""
    indent = edit.new_lines[-1][: len(edit.new_lines[-1]) - len(edit.new_lines[-1].lstrip())]
    doc = next(i for i, text in enumerate(edit.new_lines) if '"""' in text)
    lines = [*edit.new_lines[: doc + 1], indent + line, *edit.new_lines[doc + 1 :]]
    return replace(edit, new_lines=tuple(lines))


def test_each_unsafe_edit_among_many_is_the_only_one_refused() -> None:
    edits = all_edits(SHAPES)
    for bad in range(len(edits)):
        mixed = list(edits)
        mixed[bad] = broken(edits[bad], "import os")
        expected: list[str | None] = [None] * len(edits)
        expected[bad] = check_edit(SHAPES, mixed[bad])
        assert expected[bad] == CODE
        assert check_edits(SHAPES, mixed) == expected


def test_several_culprits_each_get_their_own_reason() -> None:
    edits = all_edits(SHAPES)
    mixed = list(edits)
    mixed[1] = broken(edits[1], "pass")
    mixed[3] = edit_for(SHAPES, placeable(SHAPES)[3], ['"""Never closed.'])
    mixed[-1] = Edit("m.py", 2, 2, ("", '"""Floating."""'), def_lineno=mixed[-1].def_lineno)
    reasons = check_edits(SHAPES, mixed)
    assert reasons[1] == CODE
    assert (reasons[3] or "").startswith("the result does not parse")
    assert reasons[-1] == CODE
    rest = [r for i, r in enumerate(reasons) if i not in (1, 3, len(mixed) - 1)]
    assert rest == [None] * (len(mixed) - 3)
    accepted = [e for e, r in zip(mixed, reasons, strict=True) if r is None]
    assert check_edits(SHAPES, accepted) == [None] * len(accepted)
    assert same_code(SHAPES, apply_edits(SHAPES, accepted))


NESTED = "def outer():\n    def inner():\n        return 1\n    return inner\n"


def test_overlapping_edits_the_first_is_kept_the_other_refused() -> None:
    outer = Edit("m.py", 2, 2, ('    """Outer."""', "    def inner():"), def_lineno=1)
    inner = Edit(
        "m.py", 2, 2, ("    def inner():", '        """Inner."""'), def_lineno=2, function_id="x"
    )
    assert check_edit(NESTED, outer) is None and check_edit(NESTED, inner) is None
    assert check_edits(NESTED, [inner, outer]) == [None, "the edit overlaps the one for x"]
    # When the first is refused, the one it overlapped gets its own check.
    bad_inner = Edit("m.py", 2, 2, ("    def inner(x):", '        """Inner."""'), def_lineno=2)
    assert check_edits(NESTED, [bad_inner, outer]) == [CODE, None]


def test_two_edits_safe_alone_are_not_both_accepted_when_unsafe_together() -> None:
    header = Edit("m.py", 1, 1, ("def outer():", '    """One."""'), def_lineno=1)
    body = Edit("m.py", 2, 2, ('    """Two."""', "    def inner():"), def_lineno=1)
    assert check_edit(NESTED, header) is None and check_edit(NESTED, body) is None
    assert check_edits(NESTED, [header, body]) == [None, CODE]


def test_a_changed_decorator_is_code() -> None:
    normalise = next(fn for fn in extract("m.py", SHAPES).functions if fn.name == "normalise")
    decorator = Edit("m.py", 24, 24, ("    maxsize=256,",), def_lineno=normalise.def_lineno)
    edits = [*all_edits(SHAPES), decorator]
    assert check_edits(SHAPES, edits) == [None] * (len(edits) - 1) + [CODE]


def test_a_backslash_that_pulls_the_next_statement_into_a_block_is_refused() -> None:
    source = "def f():\n    if a:\n        b = 1\n\n    c = 2\n"
    doc = Edit("m.py", 1, 1, ("def f():", '    """Doc."""'), def_lineno=1)
    pull = Edit("m.py", 4, 4, ('    """Doc."""  \\',), def_lineno=1)
    continuation = Edit("m.py", 4, 4, ("        \\",), def_lineno=1)
    assert check_edits(source, [doc, continuation]) == [None, CODE]
    assert check_edit(source, continuation) == CODE
    assert check_edit(source, pull) is not None


def test_nested_functions_and_methods_all_at_once() -> None:
    source = (
        "class A:\n"
        "    def m(self):\n"
        "        def helper(x):\n"
        "            def deep():\n"
        "                return x\n"
        "            return deep\n"
        "        return helper\n"
    )
    edits = all_edits(source)
    assert [e.function_id for e in edits] == [
        "m.py::A.m",
        "m.py::A.m.<locals>.helper",
        "m.py::A.m.<locals>.helper.<locals>.deep",
    ]
    assert check_edits(source, edits) == [None, None, None]
    swapped = [edits[0], replace(edits[1], def_lineno=edits[2].def_lineno), edits[2]]
    reasons = check_edits(source, swapped)
    assert reasons[0] is None and reasons[2] is None
    assert reasons[1] == "the function's docstring is not the one the edit writes"
    assert check_edit(source, swapped[1]) == "the result has no docstring in the function"


def test_a_docstring_the_edit_did_not_write_does_not_count() -> None:
    source = 'def f():\n    """Old."""\n    return 1\n'
    comment = Edit("m.py", 1, 1, ("def f():", "    # a comment, no docstring"), def_lineno=1)
    assert check_edit(source, comment) == "the function's docstring is not the one the edit writes"
    partial = Edit("m.py", 2, 2, ('    """New', '    and more."""'), def_lineno=1)
    assert check_edit(source, partial) is None


def test_lines_python_and_git_count_differently_are_refused() -> None:
    source = "def f():\n    return 1\n"
    lone_cr = Edit("m.py", 1, 1, ("def f():", '    """Doc."""\r    import os'), def_lineno=1)
    assert check_edit(source, lone_cr) == "the edit has a carriage return without a line feed"
    good = Edit("m.py", 1, 1, ("def f():", '    """Doc."""'), def_lineno=1)
    cr_file = "def f(): # old Mac\r    return 1\n"
    assert (check_edit(cr_file, good) or "").startswith("the file has a carriage return")


def test_edits_that_do_not_fit_are_refused_before_parsing() -> None:
    source = "def f():\n    return 1\n\n\ndef g():\n    return 2\n"
    runs_on = Edit("m.py", 1, 1, ("def f():", '    """Doc."""'), final_newline=False, def_lineno=1)
    assert (check_edit(source, runs_on) or "").endswith("would run into the next one")
    at_end = Edit("m.py", 6, 6, ('    """Doc."""', "    return 2"), final_newline=False)
    assert check_edit(source, replace(at_end, def_lineno=5)) is None
    assert check_edits("def f(:\n", [runs_on]) == ["the original file does not parse"]
    assert check_edits(source, []) == []


def test_the_reasons_of_check_edit_are_unchanged() -> None:
    target = next(fn for fn in placeable(SHAPES) if fn.name == "parse_header")
    escape = edit_for(SHAPES, target, ['"""Doc."""', "import os"])
    assert check_edit(SHAPES, escape) == CODE
    unterminated = edit_for(SHAPES, target, ['"""Doc.'])
    assert (check_edit(SHAPES, unterminated) or "").startswith("the result does not parse")
    # The same lines twice: the second waits for the first, and is checked once it fails.
    both = check_edits(SHAPES, [escape, unterminated])
    assert both[0] == CODE and (both[1] or "").startswith("the result does not parse")
    good = edit_for(SHAPES, target)
    assert check_edits(SHAPES, [escape, good]) == [CODE, None]
    overlap = "the edit overlaps the one for m.py::parse_header"
    assert check_edits(SHAPES, [good, escape]) == [None, overlap]


def test_apply_edits_refuses_overlaps() -> None:
    with pytest.raises(ValueError, match="overlap"):
        apply_edits(NESTED, [Edit("m.py", 1, 2, ("x",)), Edit("m.py", 2, 2, ("y",))])


def test_new_edits_are_checked_on_top_of_the_ones_kept_before() -> None:
    edits = all_edits(SHAPES)
    kept, new = edits[::2], edits[1::2]
    assert check_edits(SHAPES, kept) == [None] * len(kept)
    assert check_edits(SHAPES, new, kept=kept) == [None] * len(new)
    bad = broken(new[0], "x = 1")
    again = kept[0]  # the same lines again
    reasons = check_edits(SHAPES, [bad, again, *new[1:]], kept=kept)
    assert reasons[0] == CODE
    assert reasons[1] == f"the edit overlaps the one for {kept[0].function_id}"
    assert reasons[2:] == [None] * (len(new) - 1)
    with pytest.raises(ValueError, match="kept change does not fit"):
        check_edits(SHAPES, new, kept=[Edit("m.py", 900, 900, ("x",))])
