"""Unified-diff hunks as the fake GitHub needs them: which lines a review comment may target.

GitHub's `patch` field is a file's unified diff without the `---`/`+++` header. A review
comment may land on a line of one of its hunks: on the RIGHT side an added or context
line (numbered in the new file), on the LEFT side a removed or context line (numbered
in the old file).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class DiffLine:
    """One line of a hunk, with its numbers in the old and new file."""

    kind: str  # " " context, "+" added, "-" removed
    old: int | None
    new: int | None
    patch_index: int  # index of this line among the patch's lines


@dataclass(frozen=True)
class Hunk:
    """One `@@` hunk of a patch."""

    header_index: int
    lines: tuple[DiffLine, ...]

    def has_line(self, side: str, number: int) -> bool:
        """Tell whether a comment on `side` may target line `number` of this hunk."""
        if side == "LEFT":
            return any(x.old == number and x.kind in " -" for x in self.lines)
        return any(x.new == number and x.kind in " +" for x in self.lines)


def parse_hunks(patch: str) -> tuple[Hunk, ...]:
    """Split a GitHub `patch` into hunks with line numbers on both sides."""
    hunks: list[Hunk] = []
    current: list[DiffLine] = []
    header_index = -1
    old = new = 0
    for index, text in enumerate(patch.split("\n")):
        match = _HUNK_HEADER.match(text)
        if match:
            if header_index >= 0:
                hunks.append(Hunk(header_index, tuple(current)))
            header_index, current = index, []
            old, new = int(match.group(1)), int(match.group(3))
        elif header_index < 0 or not text or text.startswith("\\"):
            continue  # preamble, trailing newline, or "\ No newline at end of file"
        elif text[0] == "+":
            current.append(DiffLine("+", None, new, index))
            new += 1
        elif text[0] == "-":
            current.append(DiffLine("-", old, None, index))
            old += 1
        else:
            current.append(DiffLine(" ", old, new, index))
            old, new = old + 1, new + 1
    if header_index >= 0:
        hunks.append(Hunk(header_index, tuple(current)))
    return tuple(hunks)


def find_hunk(hunks: tuple[Hunk, ...], side: str, number: int) -> int | None:
    """Return the index of the hunk holding line `number` on `side`, or None."""
    for index, hunk in enumerate(hunks):
        if hunk.has_line(side, number):
            return index
    return None


def diff_hunk_text(patch: str, hunk: Hunk, side: str, number: int) -> str:
    """Return the hunk's text from its header down to the commented line, as GitHub shows it."""
    end = hunk.header_index
    for line in hunk.lines:
        if (line.old if side == "LEFT" else line.new) == number:
            end = line.patch_index
            break
    return "\n".join(patch.split("\n")[hunk.header_index : end + 1])


def count_changes(patch: str) -> tuple[int, int]:
    """Count added and removed lines of a patch."""
    added = removed = 0
    for hunk in parse_hunks(patch):
        added += sum(1 for x in hunk.lines if x.kind == "+")
        removed += sum(1 for x in hunk.lines if x.kind == "-")
    return added, removed


def make_patch(base: str, head: str) -> str:
    """Diff two texts the way `git diff -U3` would, without the file header."""
    lines = difflib.unified_diff(base.splitlines(), head.splitlines(), n=3, lineterm="")
    body = [line for index, line in enumerate(lines) if index >= 2]
    return "\n".join(body)
