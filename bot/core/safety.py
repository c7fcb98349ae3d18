"""The check every edit passes before it is posted: it adds a docstring and changes nothing else.

:func:`bot.core.edit.check_edit` applies the edit and asks :func:`compare`: the result
must parse; its AST with every docstring removed must equal the original's with every
docstring removed; the other docstrings must be unchanged; and the target function
must now have one.

The comparison is done top-level statement by top-level statement. Lines outside the
edit are the same text, so a statement outside it that keeps its exact span (shifted by
the lines the edit added) has the same AST; only the statements that hold the edit are
compared node by node. A change of any span (an unclosed string swallowing the code
after it, a statement split in two) fails the check.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import lru_cache
from typing import TypeVar

from bot.core.pysource import parse, statement_blocks

_OWNERS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_Owner = ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef

Docstrings = tuple[tuple[int, str | None], ...]
_Tree = TypeVar("_Tree", bound=ast.AST)


class _Statements:
    """A module's top-level statements; docstrings and code dumps worked out on demand."""

    def __init__(self, body: list[ast.stmt]) -> None:
        self.body = body
        self.spans = [(stmt.lineno, stmt.end_lineno or stmt.lineno) for stmt in body]
        self._done: dict[int, tuple[Docstrings, str]] = {}

    def facts(self, i: int) -> tuple[Docstrings, str]:
        """Return statement ``i``'s (line, docstring) owners and its docstring-free dump."""
        done = self._done.get(i)
        if done is None:
            stmt = self.body[i]
            docs = tuple(
                (getattr(node, "lineno", 0), ast.get_docstring(node, clean=False))
                for node in _owners([stmt])
            )
            done = self._done[i] = (docs, ast.dump(strip_docstrings(stmt)))
        return done


def compare(
    source: str, result: str, start: int, end: int, added: int, def_lineno: int
) -> str | None:
    """Tell why ``result`` does more than put a docstring in one function, or return None.

    ``result`` is ``source`` with lines ``start..end`` replaced, ``added`` lines longer;
    the function is the one defined on line ``def_lineno``.
    """
    if result == source:
        return "the suggestion would change nothing"
    try:
        before = _statements(source)
    except (SyntaxError, ValueError, RecursionError):
        return "the original file does not parse"
    try:
        after = _parse_statements(result)
    except SyntaxError as exc:
        return f"the result does not parse: {exc.msg} (line {exc.lineno})"
    except (ValueError, RecursionError):
        return "the result does not parse"
    if len(after.spans) != len(before.spans):
        return "the result changes code, not only a docstring"
    touched = []
    for i, (first, last) in enumerate(before.spans):
        if last < start:
            expected = (first, last)
        elif first > end:
            expected = (first + added, last + added)
        else:
            expected = (first, last + added)
            touched.append(i)
        if after.spans[i] != expected:
            return "the result changes code, not only a docstring"
    return _compare_touched(before, after, touched, def_lineno)


def _compare_touched(
    before: _Statements, after: _Statements, touched: list[int], def_lineno: int
) -> str | None:
    if any(before.facts(i)[1] != after.facts(i)[1] for i in touched):
        return "the result changes code, not only a docstring"
    docs_before = [doc for i in touched for doc in before.facts(i)[0]]
    docs_after = [doc for i in touched for doc in after.facts(i)[0]]
    target = next((i for i, (line, _) in enumerate(docs_before) if line == def_lineno), None)
    if target is None or docs_after[target][0] != def_lineno:
        return "the edit is not in the function it is meant for"
    if docs_after[target][1] is None:
        return "the result has no docstring in the function"
    del docs_before[target], docs_after[target]
    if [doc for _, doc in docs_before] != [doc for _, doc in docs_after]:
        return "the result changes another docstring"
    return None


@lru_cache(maxsize=8)
def _statements(source: str) -> _Statements:
    """Parse the original once per file, however many of its edits are checked."""
    return _Statements(parse(source).body)


def _parse_statements(source: str) -> _Statements:
    return _Statements(parse(source).body)


def _owners(stmts: list[ast.stmt]) -> Iterator[_Owner]:
    """Yield the classes and functions among statements, depth first, in source order."""
    for stmt in stmts:
        if isinstance(stmt, _OWNERS):
            yield stmt
        for block in statement_blocks(stmt):
            yield from _owners(block)


def strip_docstrings(tree: _Tree) -> _Tree:
    """Remove every docstring from a tree (module, class, function...), in place; return it."""
    stmts: list[ast.stmt] = []
    if isinstance(tree, ast.Module):
        _strip(tree)
        stmts = tree.body
    elif isinstance(tree, ast.stmt):
        stmts = [tree]
    for owner in _owners(stmts):
        _strip(owner)
    return tree


def _strip(node: ast.Module | _Owner) -> None:
    if node.body and _is_docstring(node.body[0]):
        node.body = node.body[1:]


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )
