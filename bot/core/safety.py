"""The check every edit passes before it is posted: it adds a docstring and changes nothing else.

:func:`check_changes` vets all of a file's edits at once (:func:`bot.core.edit.check_edits`
hands them over): applied together, the result must parse; its AST with every docstring
removed must equal the original's; the other docstrings must be unchanged; and each
target function's docstring must be the one its edit writes. The edits that pass are
safe together, not only one by one.

The file is parsed once and the edits' result once, and compared along the paths to the
edits only (:mod:`bot.core.astcompare`), so the cost grows with the file, not with
edits × file. Only when that comparison fails are the culprits singled out: the edits
the problem points at are set apart and the rest checked again, then each of them on its
own, halving a group whose culprit the problem does not show, each group on top of the
edits already accepted.
Edits that do not fit the file or change nothing are refused before any parsing. Of
overlapping edits, which cannot be applied together, the first (by line) goes in; the
others are checked in a later round only if it is refused.
"""

from __future__ import annotations

import ast
import gc
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TypeVar

from bot.core.astcompare import Change, Problem, find_problem, is_docstring
from bot.core.pysource import parse, split_lines, statement_blocks

__all__ = ["Change", "check_changes", "strip_docstrings"]

NOTHING = "the suggestion would change nothing"
ORIGINAL_BROKEN = "the original file does not parse"
# Python's parser breaks a line at a lone carriage return, git and docgen do not: the
# line numbers the check relies on would no longer agree.
LONE_CR_FILE = "the file has a carriage return without a line feed; docgen does not edit it"
LONE_CR = "the edit has a carriage return without a line feed"

_LONE_CR = re.compile(r"\r(?!\n)")

_OWNERS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_Owner = ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
_Tree = TypeVar("_Tree", bound=ast.AST)


def check_changes(
    source: str, changes: Sequence[Change], kept: Sequence[Change] = ()
) -> list[str | None]:
    """Return, for each change to ``source``, None when it is safe, else why it is not.

    The changes that get None are safe applied together, and together with ``kept``:
    changes accepted before (by an earlier call), which stay and take precedence; a
    change that overlaps one of them is refused.
    """
    if _has_lone_cr(source):
        return [LONE_CR_FILE] * len(changes)
    lines = split_lines(source)
    if any(_misfit(lines, change) for change in kept):
        raise ValueError("a kept change does not fit the file")
    everything = [*kept, *changes]
    reasons: list[str | None] = [None] * len(kept)
    reasons += [_misfit(lines, change) for change in changes]
    ready = [i for i in range(len(kept), len(everything)) if reasons[i] is None]
    if ready:
        with _collector_paused():
            try:
                original = _parse_original(source)
            except (SyntaxError, ValueError, RecursionError):
                return [reason or ORIGINAL_BROKEN for reason in reasons[len(kept) :]]
            check = _Check(original, lines, everything)
            _settle_all(check, list(range(len(kept))), ready, reasons)
    return reasons[len(kept) :]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while trees are built and compared.

    A parse allocates a node per token or so, none of them in a cycle; with the
    collector on, those allocations set off full passes over the whole heap, a quarter
    of the check's time here (and more in a process that holds more).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _settle_all(
    check: _Check, accepted: list[int], ready: list[int], reasons: list[str | None]
) -> None:
    """Fill in the reasons of the changes that fit, round by round, on top of ``accepted``."""
    changes = check.changes
    waiting = sorted(ready, key=lambda i: (changes[i].start, changes[i].end, i))
    while waiting:
        # Overlapping edits cannot be applied together: the first goes in this round,
        # the others wait for the next, in case the first is refused.
        batch, waiting = _disjoint(changes, waiting, accepted)
        if not batch:
            break
        for i, reason in check.settle(accepted, batch).items():
            reasons[i] = reason
            if reason is None:
                accepted.append(i)
    for i in waiting:
        reasons[i] = _overlap(changes, i, accepted)


def _misfit(lines: list[str], change: Change) -> str | None:
    if not 1 <= change.start <= change.end <= len(lines):
        return (
            f"the edit does not fit the file: lines {change.start}-{change.end} "
            "are outside the file"
        )
    if "".join(lines[change.start - 1 : change.end]) == change.text:
        return NOTHING
    if change.end < len(lines) and not change.text.endswith("\n"):
        return "the edit does not fit the file: its last line would run into the next one"
    if _has_lone_cr(change.text):
        return LONE_CR
    return None


def _has_lone_cr(text: str) -> bool:
    return "\r" in text and _LONE_CR.search(text) is not None


@lru_cache(maxsize=8)
def _parse_original(source: str) -> ast.Module:
    """Parse the original once per file, however many of its edits are checked (read only)."""
    return parse(source)


def _disjoint(
    changes: Sequence[Change], waiting: list[int], accepted: list[int]
) -> tuple[list[int], list[int]]:
    """Split the waiting changes (sorted by line) into a disjoint batch and the rest."""
    batch: list[int] = []
    rest: list[int] = []
    taken = [changes[i] for i in accepted]
    for i in waiting:
        change = changes[i]
        clash = any(_overlaps(change, other) for other in taken)
        if clash or (batch and _overlaps(change, changes[batch[-1]])):
            rest.append(i)
        else:
            batch.append(i)
    return batch, rest


def _overlaps(one: Change, other: Change) -> bool:
    return one.start <= other.end and other.start <= one.end


def _overlap(changes: Sequence[Change], i: int, accepted: list[int]) -> str:
    change = changes[i]
    other = next(changes[j] for j in accepted if _overlaps(change, changes[j]))
    name = other.label or f"lines {other.start}-{other.end}"
    return f"the edit overlaps the one for {name}"


class _Check:
    """Checks of groups of one file's changes, against one parse of the original."""

    def __init__(self, original: ast.Module, lines: list[str], changes: Sequence[Change]) -> None:
        self.original = original
        self.lines = lines
        self.changes = changes

    def settle(self, base: list[int], batch: list[int]) -> dict[int, str | None]:
        """Refuse the culprits in ``batch``: what passes is safe together with ``base``.

        ``base`` (changes already accepted) must pass together.
        """
        reasons: dict[int, str | None] = {}
        accepted = list(base)
        groups = [batch]
        while groups:
            group = groups.pop(0)
            problem = self.problem(accepted + group)
            if problem is None:
                accepted += group
                reasons.update(dict.fromkeys(group, None))
            elif len(group) == 1:
                reasons[group[0]] = problem.reason
            else:
                groups[:0] = _split(group, problem.suspects)
        return reasons

    def problem(self, picked: list[int]) -> Problem | None:
        """Apply the picked changes together and compare; suspects come back as indices."""
        order = sorted(picked, key=lambda i: self.changes[i].start)
        chosen = [self.changes[i] for i in order]
        found = find_problem(self.original, _apply(self.lines, chosen), chosen)
        if found is None:
            return None
        return Problem(found.reason, frozenset(order[k] for k in found.suspects))


def _split(group: list[int], suspects: frozenset[int]) -> list[list[int]]:
    """Set the suspects apart, each to be checked on its own after the rest; halve the
    group when the problem points at none of it, or at all of it."""
    blamed = [i for i in group if i in suspects]
    if blamed and len(blamed) < len(group):
        return [[i for i in group if i not in suspects], *([i] for i in blamed)]
    half = len(group) // 2
    return [group[:half], group[half:]]


def _apply(lines: list[str], changes: Sequence[Change]) -> str:
    """Return the text with the changes (sorted by line, disjoint) applied together."""
    parts: list[str] = []
    done = 0
    for change in changes:
        parts += lines[done : change.start - 1]
        parts.append(change.text)
        done = change.end
    parts += lines[done:]
    return "".join(parts)


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
    if node.body and is_docstring(node.body[0]):
        node.body = node.body[1:]
