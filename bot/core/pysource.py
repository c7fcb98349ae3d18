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
    "char_col", "describe_syntax_error", "find_colon", "parse", "segment", "split_lines",
    "statement_blocks",
]  # fmt: skip

RUNNING = sys.version_info[:2]

# Syntax a newer Python accepts and this one refuses, to tell "upgrade docgen" apart from
# "the file is broken". Only consulted on a SyntaxError, and only near its line.
_NEWER_SYNTAX: tuple[tuple[tuple[int, int], str, re.Pattern[str]], ...] = (
    ((3, 12), "type parameters (PEP 695)", re.compile(r"^\s*(?:async\s+def|def|class)\s+\w+\s*\[")),
    ((3, 12), "a type alias (PEP 695)", re.compile(r"^\s*type\s+\w+\s*(?:\[[^=]*\])?\s*=")),
    ((3, 12), "quotes reused in an f-string (PEP 701)",
     re.compile(r"[fF][rR]?(['\"])[^\n]*\{[^}\n]*\1")),
    ((3, 13), "type parameter defaults (PEP 696)",
     re.compile(r"^\s*(?:(?:async\s+)?def|class|type)\s+\w+\s*\[[^\]]*=")),
    ((3, 14), "template strings (PEP 750)", re.compile(r"(?<![\w'\"])(?:[tT][rR]?|[rR][tT])['\"]")),
    ((3, 14), "except without parentheses (PEP 758)", re.compile(r"^\s*except\s*\*?\s*[\w.]+\s*,")),
)  # fmt: skip


def parse(source: str) -> ast.Module:
    """Parse source without letting compile-time warnings (invalid escapes...) escape."""
    if source.startswith("\ufeff"):
        source = source[1:]  # a byte order mark is not Python, and moves no line
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)


def describe_syntax_error(exc: SyntaxError, lines: list[str]) -> tuple[str, bool]:
    """Return a one-line reason for a parse failure, and whether it is newer syntax."""
    line = exc.lineno or 0
    nearby = lines[max(line - 3, 0) : line]
    for version, feature, pattern in _NEWER_SYNTAX:
        if version > RUNNING and any(pattern.search(text) for text in nearby):
            want = f"{version[0]}.{version[1]}"
            return (
                f"uses syntax newer than this docgen's Python ({RUNNING[0]}.{RUNNING[1]}): "
                f"{feature}, Python {want}, at line {line}",
                True,
            )
    return f"syntax error at line {line}: {exc.msg}", False


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
