"""Rewrap docstring prose to a width without touching what must stay as written.

Only paragraphs holding a line longer than the width are refilled; doctests,
fenced and reST literal blocks, tables, section headers and underlines are kept
line for line. Entries (Google ``name: text``, Sphinx ``:param x:``, list items)
continue under a hanging indent. Words are never broken, so long URLs stay whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Lines kept exactly as written: fences, doctests, underlines, tables, headers, directives.
_FENCE = re.compile(r"^\s*(```|~~~)")
_DOCTEST = re.compile(r"^\s*>>>")
_UNDERLINE = re.compile(r"^\s*([-=~^*+#])\1{2,}\s*$")
_VERBATIM = re.compile(
    r"""^\s*(?:
        \||\+[-=]          # table rows and borders
      | \.\.\s            # reST directives and comments
      | [A-Z][A-Za-z\ ]*:$  # Google section headers ("Args:", "Keyword Args:")
    )""",
    re.VERBOSE,
)
# Lines that begin an entry, whose wrapped continuation hangs under the entry's text.
_ITEM = re.compile(
    r"""^\s*(?:
        (?P<bullet>[-*+]\s|\d{1,3}[.)]\s)   # list items
      | :[^:\n]+:(?:\s|$)                   # Sphinx fields
    )""",
    re.VERBOSE,
)
_ENTRY = re.compile(r"^\s+[*\\]*\w+(?:\s*\([^)]*\))?:(?:\s|$)")  # indented Google entries


def wrap_lines(lines: Sequence[str], *, width: int, first_offset: int = 0) -> list[str]:
    """Rewrap prose paragraphs with a line longer than ``width``; keep the rest as is.

    ``first_offset`` columns of the first line are taken by the opening quotes.
    """
    out: list[str] = []
    for segment in _segments(lines):
        if isinstance(segment, str):
            out.append(segment)
            continue
        offset = first_offset if not out else 0
        if len(segment[0]) + offset > width or any(len(ln) > width for ln in segment[1:]):
            out.extend(_fill(segment, width, offset, first=not out))
        else:
            out.extend(segment)
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_item(line: str) -> bool:
    return _ITEM.match(line) is not None or _ENTRY.match(line) is not None


def _segments(lines: Sequence[str]) -> list[str | list[str]]:
    """Split lines into paragraphs (lists) and verbatim lines (strings)."""
    segments: list[str | list[str]] = []
    para: list[str] = []
    fence, doctest, literal = False, False, -1
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if literal >= 0 and (not line or _indent(line) > literal):
            keep = True
        elif fence or (doctest and line):
            keep = True
            fence = fence and _FENCE.match(line) is None
        else:
            literal, doctest = -1, False
            keep = not line or _UNDERLINE.match(following) is not None
            keep = keep or any(p.match(line) for p in (_FENCE, _DOCTEST, _UNDERLINE, _VERBATIM))
            fence = _FENCE.match(line) is not None
            doctest = _DOCTEST.match(line) is not None
        if keep:
            para = []
            segments.append(line)
        elif para and _continues(para, line):
            para.append(line)
        else:
            para = [line]
            segments.append(para)
        if line.endswith("::") and literal < 0:
            # What follows, indented deeper, is a reST literal block.
            literal, para = _indent(para[0] if para else line), []
    return segments


def _continues(para: Sequence[str], line: str) -> bool:
    if _is_item(line):
        return False
    if not _is_item(para[0]):
        return _indent(line) == _indent(para[0])
    hang = _indent(para[1]) if len(para) > 1 else None
    return _indent(line) > _indent(para[0]) and hang in (None, _indent(line))


def _fill(para: Sequence[str], width: int, offset: int, *, first: bool) -> list[str]:
    """Fill words greedily; never break a word, so long URLs stay whole."""
    head = para[0]
    if first:
        rest = 0  # a hanging first line would give cleandoc a margin to strip
    elif len(para) > 1:
        rest = _indent(para[1])
    elif (bullet := _ITEM.match(head)) is not None and bullet.group("bullet"):
        rest = _indent(head) + len(bullet.group("bullet"))
    else:
        rest = _indent(head) + (4 if _is_item(head) else 0)
    words = [w for ln in para for w in ln.strip().split(" ") if w]
    lines: list[str] = []
    current, limit = " " * _indent(head) + words[0], width - offset
    for word in words[1:]:
        if len(current) + 1 + len(word) <= limit:
            current += " " + word
        else:
            lines.append(current.rstrip())
            current, limit = " " * rest + word, width
    lines.append(current.rstrip())
    return lines
