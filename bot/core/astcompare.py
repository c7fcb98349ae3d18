"""Tell whether an edited module differs from the original only where docstrings go.

The edits replace whole lines, so every other line of the result is the original's
text, moved down or up by what the edits above it added. :func:`find_problem` walks the
two trees side by side, one statement list at a time:

- a statement no edit touches (nor the line above it, which could continue into it)
  must sit at the original's position, shifted by the lines added above it (start,
  end and columns, decorators included). The same text between the same boundaries,
  starting a statement, is the same tokens and so the same subtree: nothing under it
  needs a look, docstrings included;
- a statement an edit touches is compared field by field (``ast.dump``, no positions),
  and its statement lists (bodies, branches, handlers, cases) the same way, recursively;
- the first statement of a module, class or function body is set aside when it is a
  docstring: it must keep its value, except in the function an edit is for, which must
  now have one, written by that edit.

So the work is one parse of the result and a walk over the statements on the paths to
the edits: no dump of whole modules, however many edits a file has. A problem names the
edits it suspects (the walk goes on past code that differs, to name them all), so that
:mod:`bot.core.safety` can single out the culprits.
"""

from __future__ import annotations

import ast
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.pysource import parse

__all__ = ["Change", "Problem", "find_problem", "is_docstring"]

CHANGES_CODE = "the result changes code, not only a docstring"
ELSEWHERE = "the edit is not in the function it is meant for"
NO_DOCSTRING = "the result has no docstring in the function"
NOT_WRITTEN = "the function's docstring is not the one the edit writes"
OTHER_DOCSTRING = "the result changes another docstring"
TOO_DEEP = "the result is nested too deeply to check"

_OWNERS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_BLOCKS = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})


@dataclass(frozen=True)
class Change:
    """Original lines ``start..end`` (1-based, inclusive) replaced by ``text``.

    ``def_lineno`` is the original line of the ``def`` whose docstring the change writes;
    ``label`` names the change in messages (the function's id).
    """

    start: int
    end: int
    text: str
    def_lineno: int
    label: str = ""

    @property
    def size(self) -> int:
        """Return how many lines the text has (a last line may lack its ending)."""
        return self.text.count("\n") + (not self.text.endswith("\n") and self.text != "")


@dataclass(frozen=True)
class Problem:
    """Why a result is unsafe, and the changes (indices) most likely to blame."""

    reason: str
    suspects: frozenset[int]


class _Layout:
    """Where the original's lines are in the result, given changes sorted and disjoint."""

    def __init__(self, changes: Sequence[Change]) -> None:
        self.starts = [c.start for c in changes]
        self.ends = [c.end for c in changes]
        self.shifts = [0]
        for c in changes:
            self.shifts.append(self.shifts[-1] + c.size - (c.end - c.start + 1))
        self.new_starts = [c.start + self.shifts[k] for k, c in enumerate(changes)]
        self.sizes = [c.size for c in changes]

    def shift(self, line: int) -> int:
        """Return how far the changes that end above ``line`` moved it."""
        return self.shifts[bisect_left(self.ends, line)]

    def touching(self, first: int, last: int) -> range:
        """Return the changes that replace any of the original lines ``first..last``."""
        return range(bisect_left(self.ends, first), bisect_right(self.starts, last))

    def above(self, line: int) -> range:
        """Return the last change that starts above ``line`` (the one that may spill)."""
        k = bisect_left(self.starts, line)
        return range(k - 1, k) if k else range(0)

    def written(self, k: int) -> tuple[int, int]:
        """Return the result lines that change ``k`` wrote."""
        return self.new_starts[k], self.new_starts[k] + self.sizes[k] - 1

    def at_result_line(self, line: int) -> range:
        """Return the change that wrote result line ``line``, or the last one above it."""
        k = bisect_right(self.new_starts, line)
        return range(k - 1, k) if k else range(0)


def find_problem(original: ast.Module, result: str, changes: Sequence[Change]) -> Problem | None:
    """Tell why ``result`` does more than write the changes' docstrings, or return None.

    ``result`` is the original text with ``changes`` (sorted by line, disjoint) applied;
    ``original`` is the original's tree, which is not modified.
    """
    layout = _Layout(changes)
    try:
        tree = parse(result)
    except SyntaxError as exc:
        suspects = frozenset(layout.at_result_line(exc.lineno or 0))
        return Problem(f"the result does not parse: {exc.msg} (line {exc.lineno})", suspects)
    except (ValueError, RecursionError):
        return Problem("the result does not parse", frozenset())
    walk = _Walk(layout, changes)
    try:
        walk.node(original, tree, (1, max(c.end for c in changes)))
    except RecursionError:
        return Problem(TOO_DEEP, frozenset())
    return walk.problem(len(changes))


class _Walk:
    """One side-by-side walk of the original's tree and the result's."""

    def __init__(self, layout: _Layout, changes: Sequence[Change]) -> None:
        self.layout = layout
        self.targets: dict[int, list[int]] = {}
        for k, change in enumerate(changes):
            self.targets.setdefault(change.def_lineno, []).append(k)
        self.found: set[int] = set()
        self.wrong: dict[int, str] = {}  # change -> what is wrong with its function
        self.docs_changed: set[int] = set()
        # Code that differs: the walk goes on past it, to blame all the culprits at once.
        self.code_changed: set[int] = set()
        self.code_differs = False

    def differs(self, suspects: range) -> None:
        """Note that code differs, and which changes are likely to blame."""
        self.code_differs = True
        self.code_changed.update(suspects)

    def problem(self, count: int) -> Problem | None:
        """Return the problem the walk saw, code first, then docstrings."""
        if self.code_differs:
            return Problem(CHANGES_CODE, frozenset(self.code_changed))
        for k in range(count):
            if k not in self.found:
                self.wrong.setdefault(k, ELSEWHERE)
        if self.wrong:
            first = min(self.wrong)
            return Problem(self.wrong[first], frozenset(self.wrong))
        if self.docs_changed:
            return Problem(OTHER_DOCSTRING, frozenset(self.docs_changed))
        return None

    def owner(self, before: ast.AST, after: ast.AST, span: tuple[int, int]) -> None:
        """Compare a module's, class's or function's body, its docstring set aside."""
        doc_before, body_before = _peel(getattr(before, "body", []))
        doc_after, body_after = _peel(getattr(after, "body", []))
        line = getattr(before, "lineno", 0)
        mine = self.targets.get(line, []) if isinstance(before, _OWNERS) else []
        for k in mine:
            self.found.add(k)
            wrong = self._target(k, doc_after)
            if wrong is not None:
                self.wrong.setdefault(k, wrong)
        if not mine and _value(doc_before) != _value(doc_after):
            # Blame the edits around where the docstring is, or would be.
            if doc_before is not None:
                near = (span[0], doc_before.end_lineno or doc_before.lineno)
            else:
                near = (span[0], _first_line(body_before[0])) if body_before else span
            self.docs_changed.update(self.layout.touching(*near))
        self.block(body_before, body_after, span)

    def _target(self, k: int, doc: ast.Expr | None) -> str | None:
        # The walk pairs functions by structure, so ``after`` is the target's new self,
        # wherever an edit above (even one that rewrote its ``def`` line) moved it.
        if doc is None:
            return NO_DOCSTRING
        first, last = self.layout.written(k)
        if not first <= doc.lineno <= (doc.end_lineno or doc.lineno) <= last:
            return NOT_WRITTEN
        return None

    def block(
        self, before: Sequence[ast.AST], after: Sequence[ast.AST], span: tuple[int, int]
    ) -> None:
        """Compare two statement lists (or handlers, or match cases) item by item."""
        if len(before) != len(after):
            self.differs(self.layout.touching(*span))
            return
        for old, new in zip(before, after, strict=True):
            lines = _lines(old)
            if lines is None:  # a match case: no position of its own
                self.node(old, new, span)
                continue
            first, last = lines
            # The line above counts too: ending in a backslash, it would start the
            # statement's logical line, and so set the indentation its block is read with.
            if not self.layout.touching(first - 1, last):
                shift = self.layout.shift(first)
                if _position(old, shift) != _position(new, 0):
                    self.differs(self.layout.above(first) or self.layout.touching(*span))
                continue
            self.node(old, new, (first, last))

    def node(self, before: ast.AST, after: ast.AST, span: tuple[int, int]) -> None:
        """Compare a statement an edit touches: its fields, then its statement lists."""
        if type(before) is not type(after):
            self.differs(self.layout.touching(*span))
            return
        for name in before._fields:
            old, new = getattr(before, name, None), getattr(after, name, None)
            if name not in _BLOCKS:
                if _dump(old) != _dump(new):
                    self.differs(self.layout.touching(*span))
                    return
            elif name == "body" and isinstance(before, (ast.Module, *_OWNERS)):
                self.owner(before, after, span)
            else:
                self.block(old or [], new or [], span)


def is_docstring(stmt: ast.AST) -> bool:
    """Tell whether a statement is a string literal standing alone (a docstring, first)."""
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _peel(body: list[ast.stmt]) -> tuple[ast.Expr | None, list[ast.stmt]]:
    if body and is_docstring(body[0]):
        first = body[0]
        assert isinstance(first, ast.Expr)
        return first, body[1:]
    return None, body


def _value(doc: ast.Expr | None) -> object:
    return None if doc is None else getattr(doc.value, "value", None)


def _lines(node: ast.AST) -> tuple[int, int] | None:
    """Return the lines a statement spans, decorators included (None: no position)."""
    end = getattr(node, "end_lineno", None)
    if end is None:
        return None
    return _first_line(node), end


def _first_line(node: ast.AST) -> int:
    """Return a statement's first line: its first decorator's, if it has any."""
    decorators: list[ast.expr] = getattr(node, "decorator_list", None) or []
    return decorators[0].lineno if decorators else int(getattr(node, "lineno", 0))


def _position(node: ast.AST, shift: int) -> tuple[int, ...]:
    """Return where a statement starts and ends (decorators included), moved by ``shift``."""
    at = [
        getattr(node, "lineno", 0) + shift,
        getattr(node, "col_offset", 0),
        (getattr(node, "end_lineno", None) or 0) + shift,
        getattr(node, "end_col_offset", None) or 0,
    ]
    decorators: list[ast.expr] = getattr(node, "decorator_list", None) or []
    for decorator in decorators:
        at += [decorator.lineno + shift, decorator.col_offset]
    return tuple(at)


def _dump(value: object) -> object:
    """Return a comparable form of a field: ``ast.dump`` for nodes, lists item by item."""
    if isinstance(value, ast.AST):
        return ast.dump(value)
    if isinstance(value, list):
        return [_dump(item) for item in value]
    return (type(value), value)
