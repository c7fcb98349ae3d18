"""Low-level helpers over Python source text: parsing quietly, positions, syntax errors.

``ast`` gives columns as UTF-8 byte offsets; everything docgen hands on uses character
offsets into lines that keep their endings (split on ``\\n`` only, like git), so the
line numbers of the diff, of ``ast`` and of the edits agree.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings

from bot.core.xdiff.diff import split_lines

__all__ = [
    "char_col", "describe_syntax_error", "find_colon", "newer_syntax_reason", "parse",
    "python_for", "segment", "split_lines", "statement_blocks",
]  # fmt: skip

Version = tuple[int, int]
RUNNING: Version = (sys.version_info[0], sys.version_info[1])

# Syntax a newer Python accepts and an older one refuses, to tell "upgrade docgen's Python"
# apart from "the file is broken": (the oldest Python that parses it, the feature, where
# it shows). Only consulted on a SyntaxError, and only near its line.
_NEWER_SYNTAX: tuple[tuple[Version, str, re.Pattern[str]], ...] = (
    ((3, 10), "PEP 634 match statements", re.compile(r"^\s*(?:match|case)\b[^=\n]*:\s*(?:#.*)?$")),
    ((3, 11), "PEP 654 except* clauses", re.compile(r"^\s*except\s*\*")),
    ((3, 12), "PEP 695 generics", re.compile(r"^\s*(?:async\s+def|def|class)\s+\w+\s*\[")),
    ((3, 12), "PEP 695 type aliases", re.compile(r"^\s*type\s+\w+\s*(?:\[[^=]*\])?\s*=")),
    ((3, 12), "PEP 701 f-strings (quotes reused inside)",
     re.compile(r"[fF][rR]?(['\"])[^\n]*\{[^}\n]*\1")),
    ((3, 13), "PEP 696 type parameter defaults",
     re.compile(r"^\s*(?:(?:async\s+)?def|class|type)\s+\w+\s*\[[^\]]*=")),
    ((3, 14), "PEP 750 template strings", re.compile(r"(?<![\w'\"])(?:[tT][rR]?|[rR][tT])['\"]")),
    ((3, 14), "PEP 758 except clauses without parentheses",
     re.compile(r"^\s*except\s*\*?\s*[\w.]+\s*,")),
)  # fmt: skip


def parse(source: str) -> ast.Module:
    """Parse source without letting compile-time warnings (invalid escapes...) escape."""
    if source.startswith("\ufeff"):
        source = source[1:]  # a byte order mark is not Python, and moves no line
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)


def describe_syntax_error(
    exc: SyntaxError, lines: list[str], running: Version = RUNNING
) -> tuple[str, bool]:
    """Return a one-line reason for a parse failure, and whether it is newer syntax.

    ``running`` is the Python that failed to parse it (docgen's own, by default).
    """
    line = exc.lineno or 0
    nearby = lines[max(line - 3, 0) : line]
    needed = [found for text in nearby if (found := python_for(text, running)) is not None]
    if needed:
        return newer_syntax_reason(max(needed), line, running), True
    return f"syntax error at line {line}: {exc.msg}", False


def python_for(text: str, running: Version = RUNNING) -> tuple[Version, str] | None:
    """Return the oldest Python that parses the syntax on a line, and the feature it needs.

    None when the line shows no syntax newer than ``running``. A line that needs
    several features needs the newest of them (a type parameter default is PEP 695
    syntax too, but only 3.13 reads it).
    """
    found = [(v, feature) for v, feature, p in _NEWER_SYNTAX if v > running and p.search(text)]
    return max(found) if found else None


def newer_syntax_reason(
    needed: tuple[Version, str] | None, line: int | None, running: Version = RUNNING
) -> str:
    """Say which Python would parse a file that ``running`` cannot, e.g. "Python 3.12+".

    ``needed`` is :func:`python_for`'s answer; None when the feature is not known.
    """
    mine = f"{running[0]}.{running[1]}"
    where = f"; line {line}" if line else ""
    if needed is None:
        return f"syntax newer than docgen's Python {mine} (needs a newer Python than {mine}{where})"
    (major, minor), feature = needed
    return (
        f"syntax newer than docgen's Python {mine} ({feature} need Python {major}.{minor}+{where})"
    )


def char_col(line: str, byte_col: int) -> int:
    """Convert an ``ast`` column (UTF-8 bytes) into a character offset in ``line``."""
    if line.isascii():
        return byte_col
    return len(line.encode()[:byte_col].decode(errors="ignore"))


def segment(lines: list[str], node: ast.expr | ast.arg | ast.stmt) -> str:
    """Return the exact source text of a node."""
    end_lineno = node.end_lineno if node.end_lineno is not None else node.lineno
    end_col = node.end_col_offset if node.end_col_offset is not None else 0
    first = lines[node.lineno - 1]
    start = char_col(first, node.col_offset)
    if end_lineno == node.lineno:
        return first[start : char_col(first, end_col)]
    last = lines[end_lineno - 1]
    middle = "".join(lines[node.lineno : end_lineno - 1])
    return first[start:] + middle + last[: char_col(last, end_col)]


_HEADER_GAP = frozenset(" \t\f\r\n\\()[],/")


def find_colon(lines: list[str], line_no: int, col: int) -> tuple[int, int] | None:
    """Find the colon ending a ``def``/``class`` header, scanning from its last element.

    Between a header's last element and its colon there can only be brackets, commas,
    ``/``, whitespace, line continuations and comments; anything else means the guess of
    where to start was wrong, and None is returned rather than a wrong line.
    """
    for index in range(line_no - 1, len(lines)):
        text = lines[index]
        for i in range(col if index == line_no - 1 else 0, len(text)):
            c = text[i]
            if c == ":":
                return index + 1, i
            if c == "#":
                break
            if c not in _HEADER_GAP:
                return None
    return None


def statement_blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    """Return the statement lists nested in a statement (if, try, match...), in source order."""
    blocks: list[list[ast.stmt]] = [stmt.body] if hasattr(stmt, "body") else []
    blocks += [handler.body for handler in getattr(stmt, "handlers", ())]
    blocks += [case.body for case in getattr(stmt, "cases", ())]
    blocks += [getattr(stmt, n) for n in ("orelse", "finalbody") if hasattr(stmt, n)]
    return blocks
