"""Properties over generated modules and pull requests (hypothesis).

1. Extraction finds every function with the qualname and span the generator wrote.
2. The changed-function set from ``diff_texts`` + ``map_patch`` + ``changed_functions``
   equals a brute-force reference: a longest common subsequence of the two versions,
   computed by dynamic programming. That reference is exact when no two lines are
   equal (see ``pygen``); with real blank lines, minimal diffs tie and git breaks the
   ties, so there every function with new code must still be found.
3. Every docstring edit for a changed function passes the safety check (valid literal)
   or is refused (broken literal), suggestions only touch lines inside one hunk, and a
   function refused as not commentable really has no commentable anchor. All of a
   file's edits checked at once (:func:`check_edits`) pass unless they overlap, and
   applied together document their functions and change no code.
"""

from __future__ import annotations

import ast
from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.diff import FileDiff, diff_texts, map_patch
from bot.core.edit import (
    Edit,
    NotCommentable,
    apply_edit,
    apply_edits,
    check_edit,
    check_edits,
    make_edit,
    place_docstring,
    strip_docstrings,
)
from bot.core.extract import FunctionInfo, changed_functions, extract
from bot.core.xdiff.diff import split_lines
from tests.core.pygen import Rendered, edited, modules, render

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def pull_requests(draw: st.DrawFn, unique_blanks: bool = False) -> tuple[Rendered, Rendered]:
    ids = count(1)
    base = draw(modules(ids, unique_blanks))
    head = draw(edited(base, ids))
    return render(base), render(head)


WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ,.:;()-'", min_size=1, max_size=30)


@st.composite
def docstrings(draw: st.DrawFn) -> tuple[str, list[str]]:
    summary = "R" + draw(WORDS).strip() + "."
    if draw(st.booleans()):
        return summary, [f'"""{summary}"""']
    detail = draw(WORDS)
    return summary, [f'"""{summary}', "", "Args:", f"    x: {detail}", '"""']


def lcs_added(base: list[str], head: list[str]) -> set[int]:
    """Return the head lines (1-based) outside a longest common subsequence (plain DP)."""
    n, m = len(base), len(head)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = table[i], table[i + 1]
        for j in range(m - 1, -1, -1):
            row[j] = below[j + 1] + 1 if base[i] == head[j] else max(below[j], row[j + 1])
    added, i, j = set(), 0, 0
    while j < m:
        if i < n and base[i] == head[j]:
            i, j = i + 1, j + 1
        elif i < n and table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            added.add(j + 1)
            j += 1
    return added


def _changed(base: Rendered, head: Rendered) -> set[str]:
    result = extract("m.py", head.text)
    assert result.error is None
    assert [(f.qualname, f.lineno, f.end_lineno) for f in result.functions] == sorted(
        head.spans, key=lambda span: span[1]
    )
    diff = map_patch("m.py", diff_texts(base.text, head.text))
    changed = changed_functions(result, diff.added)
    assert extract("m.py", head.text, lines=diff.added).functions == tuple(changed)
    return {f.qualname for f in changed}


def _touching(head: Rendered, lines: set[int]) -> set[str]:
    return {q for q, first, last in head.spans if lines & set(range(first, last + 1))}


@SETTINGS
@given(pull_requests(unique_blanks=True))
def test_changed_functions_match_a_brute_force_reference(pr: tuple[Rendered, Rendered]) -> None:
    base, head = pr
    added = lcs_added(split_lines(base.text), split_lines(head.text))
    assert _changed(base, head) == _touching(head, added)


@SETTINGS
@given(pull_requests(unique_blanks=False))
def test_functions_with_new_code_are_always_changed(pr: tuple[Rendered, Rendered]) -> None:
    base, head = pr
    old = set(split_lines(base.text))
    new_code = {
        n for n, line in enumerate(split_lines(head.text), 1) if line.strip() and line not in old
    }
    assert _changed(base, head) >= _touching(head, new_code)


def _needed_lines(function: FunctionInfo) -> list[list[int]]:
    """Return the line sets one of which a suggestion for the function must be able to use."""
    header = function.header_end_lineno
    if function.docstring_span is not None:
        start, end = function.docstring_span
        return [list(range(min(start, header), end + 1))]
    if function.body_lineno <= header:
        return [[header]]
    return [[header], [header + 1]]


def _check_function(
    source: str, diff: FileDiff, function: FunctionInfo, doc: tuple[str, list[str]]
) -> Edit | None:
    placement = place_docstring(source, function, diff.commentable)
    if isinstance(placement, NotCommentable):
        options = _needed_lines(function)
        assert not any(all(n in diff.commentable for n in lines) for lines in options)
        return None
    assert diff.same_hunk(placement.start_line, placement.end_line)
    summary, lines = doc
    edit = make_edit(source, function, placement, lines)
    assert check_edit(source, edit) is None
    again = extract("m.py", apply_edit(source, edit)).function(function.key)
    assert again is not None and (again.docstring or "").startswith(summary)
    assert again.fingerprint == function.fingerprint
    unterminated = make_edit(source, function, placement, ['"""' + summary, "oops()"])
    code = make_edit(source, function, placement, ['"""Doc."""', "oops()"])
    assert check_edit(source, unterminated) is not None
    assert check_edit(source, code) is not None
    assert None not in check_edits(source, [unterminated, code])
    return edit


@SETTINGS
@given(pull_requests(), st.data())
def test_every_edit_passes_the_safety_check_or_is_refused(
    pr: tuple[Rendered, Rendered], data: st.DataObject
) -> None:
    base, head = pr
    diff = map_patch("m.py", diff_texts(base.text, head.text))
    result = extract("m.py", head.text)
    functions = changed_functions(result, diff.added)
    edits: dict[str, Edit] = {}
    for function in functions:
        edit = _check_function(head.text, diff, function, data.draw(docstrings()))
        if edit is not None:
            edits[function.key] = edit
    # All of the file's edits at once: each one that overlaps no other passes, and
    # what passes, applied together, documents those functions and changes no code.
    reasons = dict(zip(edits, check_edits(head.text, list(edits.values())), strict=True))
    for key, edit in edits.items():
        alone = not any(_overlap(edit, other) for other in edits.values() if other is not edit)
        assert reasons[key] is None or not alone
    accepted = {key: edits[key] for key, reason in reasons.items() if reason is None}
    text = apply_edits(head.text, list(accepted.values()))
    assert _code(text) == _code(head.text)
    after = extract("m.py", text)
    for function in functions:
        again = after.function(function.key)
        documented = function.docstring_span is not None or function.key in accepted
        assert again is not None and (again.docstring is not None) == documented


def _code(text: str) -> str:
    return ast.dump(strip_docstrings(ast.parse(text)))


def _overlap(one: Edit, other: Edit) -> bool:
    return one.start_line <= other.end_line and other.start_line <= one.end_line
