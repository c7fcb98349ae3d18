"""What docgen reads of a class it documents: a compact view, its ``__init__``, its spans.

A class's docstring describes the class and its constructor, so the view the prompt
shows and the fingerprint hashes holds the header, the class-level statements and
``__init__`` in full, and the other methods and nested classes as their headers over
``...``: a change deep inside a method is not a change of the class. The view keeps
the file's lines as they are (comments and blank lines between statements included),
so it parses as the class would, with shorter bodies.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

_Def = ast.FunctionDef | ast.AsyncFunctionDef
# Where a definition's header ends: (line, column of the colon), column -1 if unknown.
ColonOf = Callable[[_Def | ast.ClassDef], tuple[int, int]]
# The indentation of a definition's body, given the line of its header's colon.
IndentOf = Callable[[_Def | ast.ClassDef, int], str]


def init_method(node: ast.ClassDef) -> _Def | None:
    """Return the ``__init__`` the class body defines (the last, as Python keeps), if any."""
    found = None
    for stmt in node.body:
        if isinstance(stmt, _Def) and stmt.name == "__init__":
            found = stmt
    return found


def first_line(node: ast.stmt) -> int:
    """Return a statement's first line: its first decorator's, if it has any."""
    decorators: list[ast.expr] = getattr(node, "decorator_list", None) or []
    return min([node.lineno, *(d.lineno for d in decorators)])


def change_spans(node: ast.ClassDef, header_end: int) -> tuple[tuple[int, int], ...]:
    """Return the lines whose change changes the class (1-based, inclusive).

    They are the header (decorators through the colon), every class-level statement
    that is not a nested def or class, and ``__init__`` whole.
    """
    init = init_method(node)
    spans = [(first_line(node), header_end)]
    for stmt in node.body:
        if isinstance(stmt, _Def | ast.ClassDef) and stmt is not init:
            continue
        spans.append((first_line(stmt), stmt.end_lineno or stmt.lineno))
    return tuple(spans)


def class_view(
    lines: list[str], node: ast.ClassDef, header_end: int, colon: ColonOf, indent: IndentOf
) -> str:
    """Return the compact view of a class whose header ends on line ``header_end``."""
    end = node.end_lineno or node.lineno
    if node.body[0].lineno <= header_end:  # `class A: x = 1` holds no method to shorten
        return "".join(lines[first_line(node) - 1 : end])
    init = init_method(node)
    out = lines[first_line(node) - 1 : header_end]
    done = header_end
    for stmt in node.body:
        start, last = first_line(stmt), stmt.end_lineno or stmt.lineno
        if last <= done:
            continue
        out += lines[done : start - 1]  # comments and blank lines between statements
        if isinstance(stmt, _Def | ast.ClassDef) and stmt is not init:
            out += _header_only(lines, stmt, colon(stmt), indent)
        else:
            out += lines[max(start, done + 1) - 1 : last]
        done = last
    return "".join(out)


def _header_only(
    lines: list[str], node: _Def | ast.ClassDef, colon_at: tuple[int, int], indent: IndentOf
) -> list[str]:
    """Return a definition's header lines with ``...`` as its body."""
    line, col = colon_at
    if col < 0:  # the colon was not found: no safe place to cut, keep it whole
        return lines[first_line(node) - 1 : node.end_lineno or node.lineno]
    head = lines[first_line(node) - 1 : line]
    last = head[-1]
    ending = "\r\n" if last.endswith("\r\n") else "\n"
    if node.body[0].lineno <= line:  # `def f(): return x`: cut the line after the colon
        head[-1] = last[: col + 1] + ending
    elif not last.endswith("\n"):
        head[-1] = last + ending
    return [*head, indent(node, line) + "..." + ending]
