"""Properties of the batch safety check over generated modules (hypothesis).

The reference is slow and obviously right: both whole trees, every docstring removed,
dumped and compared; then the docstrings owner by owner.

1. All of a file's docstring edits checked together (several per file, nested
   functions, decorators, one-liners, tabs, CRLF, a missing final newline): the unsafe
   ones (an unterminated literal, code after the docstring) are refused, the safe ones
   accepted unless they overlap one accepted before them, and the accepted ones applied
   together pass the reference, each function getting its own docstring.
2. Arbitrary line edits (code, stray literals, backslashes, brackets, decorators, wrong
   indentation, lines dropped or repeated, wrong target): whatever the check accepts,
   together, passes the reference. Nothing that changes code gets through.
3. Near misses: the file's valid docstring edits, some stretched over the lines around
   them (decorators, the next function's header, blank lines) with one of those lines
   changed a little (a name, a digit, indentation, a backslash, a bracket, a comment,
   dropped or repeated): what is accepted passes the reference.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.edit import Edit, Placement, apply_edits, check_edit, check_edits, make_edit
from bot.core.edit import place_docstring as place
from bot.core.extract import extract
from bot.core.safety import strip_docstrings
from bot.core.xdiff.diff import split_lines
from tests.core.pygen import Module, modules, render

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_OWNERS = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _owners(tree: ast.Module) -> list[tuple[int, str | None]]:
    """Return (def line, docstring) of the module and every class and function."""
    found: list[tuple[int, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, _OWNERS):
            found.append((getattr(node, "lineno", 0), ast.get_docstring(node, clean=False)))
    return found


def reference(source: str, edits: list[Edit]) -> None:
    """Assert that the edits, applied together, only write their functions' docstrings."""
    result = apply_edits(source, edits)
    before, after = ast.parse(source), ast.parse(result)
    old_owners, new_owners = _owners(before), _owners(after)
    assert ast.dump(strip_docstrings(before)) == ast.dump(strip_docstrings(after))
    targets = {e.def_lineno for e in edits}
    for (line, old), (_, new) in zip(old_owners, new_owners, strict=True):
        if line in targets:
            assert new is not None
        else:
            assert new == old


@st.composite
def docs(draw: st.DrawFn, ids: count[int]) -> tuple[bool, list[str]]:
    """Draw a docstring literal: (safe, lines)."""
    n = next(ids)
    kind = draw(st.sampled_from(["one", "multi", "open", "code"]))
    if kind == "one":
        return True, [f'"""Summary {n}."""']
    if kind == "multi":
        return True, [f'"""Summary {n}.', "", "Args:", "    x: The x.", '"""']
    if kind == "open":
        return False, [f'"""Summary {n}.']
    return False, [f'"""Summary {n}."""', f"leaked_{n}()"]


@SETTINGS
@given(modules(count(1)), st.data())
def test_all_edits_of_a_file_checked_together(module: Module, data: st.DataObject) -> None:
    source = render(module).text
    ids = count(1)
    every = frozenset(range(1, source.count("\n") + 2))
    edits: list[Edit] = []
    safe: list[bool] = []
    for fn in extract("m.py", source).functions:
        # Now and then the header line is not commentable: the docstring goes in before
        # the next line, which may be a nested function's header (overlapping edits).
        lines = every - {fn.header_end_lineno} if data.draw(st.integers(0, 3)) == 0 else every
        placement = place(source, fn, lines)
        if isinstance(placement, Placement):
            ok, doc = data.draw(docs(ids))
            edits.append(make_edit(source, fn, placement, doc))
            safe.append(ok)
    reasons = check_edits(source, edits)
    accepted = [e for e, reason in zip(edits, reasons, strict=True) if reason is None]
    for edit, ok, reason in zip(edits, safe, reasons, strict=True):
        if not ok:
            assert reason is not None
        elif reason is not None:
            assert reason.startswith("the edit overlaps"), reason
            assert any(_overlap(edit, other) for other in accepted)
        if ok and not any(_overlap(edit, other) for other in edits if other is not edit):
            assert check_edit(source, edit) is None
    reference(source, accepted)
    after = extract("m.py", apply_edits(source, accepted))
    for edit in accepted:
        fn = next(f for f in after.functions if f.id == edit.function_id)
        assert (fn.docstring or "").startswith("Summary")


def _overlap(one: Edit, other: Edit) -> bool:
    return one.start_line <= other.end_line and other.start_line <= one.end_line


@st.composite
def junk_edits(draw: st.DrawFn, source: str) -> list[Edit]:
    """Draw edits that replace random lines with random, mostly harmful, lines."""
    lines = split_lines(source)
    newline = "\r\n" if source.endswith("\r\n") or "\r\n" in source else "\n"
    defs = [line for line, _ in _owners(ast.parse(source)) if line] or [0]
    edits = []
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(1, len(lines)))
        end = min(len(lines), start + draw(st.integers(0, 2)))
        old = [text.rstrip("\r\n") for text in lines[start - 1 : end]]
        indents = ["", "  ", "    ", "\t", "        ", _indent(old[0])]
        pick = draw(st.lists(st.sampled_from(_JUNK), min_size=1, max_size=3))
        new = []
        for template in pick:
            at = draw(st.sampled_from(indents))
            new.append(template.format(i=at, old=old[0], last=old[-1], n=draw(st.integers(0, 9))))
        if draw(st.booleans()):
            new.insert(0, old[0])  # keep the line, as a docstring after a header does
        at_end = end == len(lines) and not lines[-1].endswith("\n")
        target = draw(st.sampled_from(defs))
        edits.append(Edit("m.py", start, end, tuple(new), newline, not at_end, target))
    return edits


_JUNK = (
    '{i}"""Doc {n}."""',
    '{i}"""Doc {n}.',
    '{i}Doc {n}."""',
    "{i}x{n} = {n}",
    "{i}pass",
    "{i}\\",
    '{i}"""Doc {n}.""" \\',
    "{i}(",
    "{i})",
    "{i}@deco_{n}",
    "{i}# comment {n}",
    "",
    "{old}",
    "{last}",
    "{i}{old}",
    "{old} \\",
    "{old}  # note",
    "{i}'''Doc {n}.'''",
    "{i}r'''raw {n}'''",
    "{i}b'''bytes {n}'''",
    "{i}f'''fmt {n}'''",
    "{i}u'Doc {n}.'",
    "{i}return {n}",
    "{i}yield {n}",
)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


@SETTINGS
@given(modules(count(1)), st.data())
def test_nothing_that_changes_code_is_accepted(module: Module, data: st.DataObject) -> None:
    source = render(module).text
    edits = data.draw(junk_edits(source))
    reasons = check_edits(source, edits)
    reference(source, [e for e, reason in zip(edits, reasons, strict=True) if reason is None])
    for edit in edits:
        if check_edit(source, edit) is None:
            reference(source, [edit])


@st.composite
def near_misses(draw: st.DrawFn, source: str) -> list[Edit]:
    """Draw some of the file's valid docstring edits, some stretched and changed a little."""
    lines = split_lines(source)
    every = frozenset(range(1, len(lines) + 2))
    edits = []
    for fn in extract("m.py", source).functions:
        placement = place(source, fn, every)
        if isinstance(placement, Placement) and draw(st.integers(0, 3)) > 0:
            edit = make_edit(source, fn, placement, [f'"""Summary {fn.def_lineno}."""'])
            edits.append(draw(_stretched(edit, lines)) if draw(st.booleans()) else edit)
    return edits


@st.composite
def _stretched(draw: st.DrawFn, edit: Edit, lines: list[str]) -> Edit:
    start = max(1, edit.start_line - draw(st.integers(0, 3)))
    end = min(len(lines), edit.end_line + draw(st.integers(0, 3)))
    above = [text.rstrip("\r\n") for text in lines[start - 1 : edit.start_line - 1]]
    below = [text.rstrip("\r\n") for text in lines[edit.end_line : end]]
    new = [*above, *edit.new_lines, *below]
    others = [i for i, text in enumerate(new) if '"""Summary' not in text]
    if others:
        i = draw(st.sampled_from(others))
        change = draw(st.sampled_from(_NUDGES))
        new[i : i + 1] = change(new[i])
    final_newline = end < len(lines) or lines[-1].endswith("\n")
    return Edit("m.py", start, end, tuple(new), edit.newline, final_newline, edit.def_lineno)


_NUDGES: tuple[Callable[[str], list[str]], ...] = (
    lambda s: [re.sub(r"\d", "7", s, count=1)],
    lambda s: [s.replace("v", "w", 1)],
    lambda s: [s.replace("deco_", "deco_9", 1)],
    lambda s: [s.replace("async def", "def", 1)],
    lambda s: [s + " \\"],
    lambda s: [s + "("],
    lambda s: [s + "  # harmless"],
    lambda s: ["    " + s],
    lambda s: [s[1:]],
    lambda s: [""],
    lambda s: [],
    lambda s: [s, s],
)


@SETTINGS
@given(modules(count(1)), st.data())
def test_near_misses_are_refused(module: Module, data: st.DataObject) -> None:
    source = render(module).text
    edits = data.draw(near_misses(source))
    reasons = check_edits(source, edits)
    reference(source, [e for e, reason in zip(edits, reasons, strict=True) if reason is None])
    for edit in edits:
        if check_edit(source, edit) is None:
            reference(source, [edit])
