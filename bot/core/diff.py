"""Map a pull request file's diff to head-side line numbers: what was added, what may be commented.

GitHub's "list pull request files" gives each file's ``patch``: its hunks, without the
``---``/``+++`` header. A review comment may only target a head-side line inside a hunk
(added or context); anything else makes GitHub refuse the whole review. GitHub leaves
``patch`` out for binary files and for large diffs, so :func:`map_file` then computes the
hunks from the base and head contents with :func:`diff_texts`, which reproduces
``git diff -U3`` (see :mod:`bot.core.xdiff.diff`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from typing import Literal

from bot.core.xdiff.diff import CONTEXT, Change, diff_lines, split_lines
from bot.errors import DocgenError

Origin = Literal["patch", "computed", "unavailable"]

_HUNK_HEADER = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
# What `git diff` prints before a file's first hunk; accepted so local diffs map too.
_FILE_HEADER = ("diff --git ", "index ", "--- ", "+++ ", "new file mode", "deleted file mode",
                "old mode", "new mode", "similarity index", "dissimilarity index", "rename from",
                "rename to", "copy from", "copy to", "Binary files")  # fmt: skip
_NO_NEWLINE = "\\ No newline at end of file"
_FUNCNAME_BYTES = 80  # git's hunk-header function line is cut to 80 bytes


class MalformedPatch(DocgenError):
    """A patch does not follow the unified diff format; the message says where."""


@dataclass(frozen=True)
class Hunk:
    """One hunk: base lines ``base_start..`` (``base_len`` of them) and the head side's."""

    base_start: int
    base_len: int
    head_start: int
    head_len: int

    @property
    def head_lines(self) -> range:
        """Return the head-side line numbers the hunk covers (added and context)."""
        return range(self.head_start, self.head_start + self.head_len)


@dataclass(frozen=True)
class FileDiff:
    """What a pull request changed in one file, in head-side line numbers (1-based)."""

    path: str
    previous_path: str | None
    status: str
    added: frozenset[int]
    commentable: frozenset[int]
    hunks: tuple[Hunk, ...]
    origin: Origin = "patch"

    def hunk_at(self, line: int) -> Hunk | None:
        """Return the hunk whose head side holds ``line``, if any."""
        starts = [h.head_start for h in self.hunks]
        i = bisect_right(starts, line) - 1
        if i >= 0 and line in self.hunks[i].head_lines:
            return self.hunks[i]
        return None

    def same_hunk(self, first: int, last: int) -> bool:
        """Tell whether a multi-line comment over ``first..last`` stays in one hunk."""
        hunk = self.hunk_at(first)
        return hunk is not None and last in hunk.head_lines


def map_patch(
    path: str, patch: str, *, status: str = "modified", previous_path: str | None = None
) -> FileDiff:
    """Map a file's unified patch (GitHub's ``patch`` field) to added and commentable lines."""
    hunks: list[Hunk] = []
    added: list[int] = []
    base_left = head_left = 0
    line = 0
    for number, raw in enumerate(patch.split("\n"), start=1):
        if base_left == 0 and head_left == 0:
            match = _HUNK_HEADER.match(raw)
            if match:
                hunk = _hunk(match)
                hunks.append(hunk)
                base_left, head_left, line = hunk.base_len, hunk.head_len, hunk.head_start
            elif (
                raw
                and not raw.startswith(_NO_NEWLINE)
                and not (not hunks and raw.startswith(_FILE_HEADER))
            ):
                raise MalformedPatch(f"{path}: line {number} of the patch is outside every hunk")
            continue
        tag = raw[:1]
        if tag == "+":
            added.append(line)
            line += 1
            head_left -= 1
        elif tag == "-":
            base_left -= 1
        elif tag == " " or raw == "":
            # Some tools strip the space of an empty context line; it still counts.
            line += 1
            head_left -= 1
            base_left -= 1
        elif tag != "\\":
            raise MalformedPatch(f"{path}: line {number} of the patch is not a diff line")
        if base_left < 0 or head_left < 0:
            raise MalformedPatch(f"{path}: a hunk is longer than its header says (line {number})")
    if base_left or head_left:
        raise MalformedPatch(f"{path}: the patch ends inside a hunk")
    commentable = frozenset(n for h in hunks for n in h.head_lines)
    return FileDiff(path, previous_path, status, frozenset(added), commentable, tuple(hunks))


def _hunk(match: re.Match[str]) -> Hunk:
    base_start, base_len, head_start, head_len = match.groups()
    return Hunk(
        int(base_start),
        1 if base_len is None else int(base_len),
        int(head_start),
        1 if head_len is None else int(head_len),
    )


def map_file(
    path: str,
    status: str,
    patch: str | None,
    base_text: str | None,
    head_text: str | None,
    previous_path: str | None = None,
) -> FileDiff:
    """Map a file from its patch, or from its two versions when GitHub omitted the patch.

    ``patch=None`` means GitHub left it out (large or binary diff); ``""`` means no textual
    change. The base text of an added file is empty; of a renamed file, the old path's.
    """
    if patch is not None:
        try:
            return map_patch(path, patch, status=status, previous_path=previous_path)
        except MalformedPatch:
            if head_text is None:
                raise
    if status == "added":
        base_text = ""
    if status == "removed" or head_text is None or base_text is None:
        empty: frozenset[int] = frozenset()
        return FileDiff(path, previous_path, status, empty, empty, (), "unavailable")
    computed = diff_texts(base_text, head_text)
    mapped = map_patch(path, computed, status=status, previous_path=previous_path)
    return replace(mapped, origin="computed")


def diff_texts(base_text: str, head_text: str) -> str:
    """Return the hunks ``git diff -U3`` prints for two texts, as GitHub's ``patch`` field."""
    base, head = split_lines(base_text), split_lines(head_text)
    changes = diff_lines(base, head)
    out: list[str] = []
    func = ""
    func_from = -1
    for group in _hunk_groups(changes):
        first, last = group[0], group[-1]
        s1, s2 = max(first.i1 - CONTEXT, 0), max(first.i2 - CONTEXT, 0)
        e1 = min(last.i1 + last.chg1 + CONTEXT, len(base))
        e2 = min(last.i2 + last.chg2 + CONTEXT, len(head))
        func = _funcname(base, s1 - 1, func_from) or func
        func_from = s1 - 1
        out.append(_header(s1, e1 - s1, s2, e2 - s2, func))
        at = s2
        for change in group:
            out.extend(_record(" ", head[i]) for i in range(at, change.i2))
            out.extend(_record("-", base[i]) for i in range(change.i1, change.i1 + change.chg1))
            out.extend(_record("+", head[i]) for i in range(change.i2, change.i2 + change.chg2))
            at = change.i2 + change.chg2
        out.extend(_record(" ", head[i]) for i in range(at, e2))
    return "\n".join(out)


def _hunk_groups(changes: list[Change]) -> list[list[Change]]:
    """Group changes into hunks: git merges changes at most two contexts (6 lines) apart."""
    groups: list[list[Change]] = []
    for change in changes:
        if groups:
            previous = groups[-1][-1]
            if change.i1 - (previous.i1 + previous.chg1) <= 2 * CONTEXT:
                groups[-1].append(change)
                continue
        groups.append([change])
    return groups


def _header(s1: int, c1: int, s2: int, c2: int, func: str) -> str:
    def side(start: int, count: int) -> str:
        # An empty side is numbered by the line before it; a count of 1 is left out.
        first = start + 1 if count else start
        return str(first) if count == 1 else f"{first},{count}"

    header = f"@@ -{side(s1, c1)} +{side(s2, c2)} @@"
    return f"{header} {func}" if func else header


def _record(tag: str, line: str) -> str:
    if line.endswith("\n"):
        return tag + line[:-1]
    return f"{tag}{line}\n{_NO_NEWLINE}"


def _funcname(base: list[str], start: int, stop: int) -> str:
    """Find git's default hunk-header function line: the nearest line starting a name."""
    for i in range(start, stop, -1):
        line = base[i]
        first = line[:1]
        if first and ((first.isascii() and first.isalpha()) or first in "_$"):
            raw = line.encode()[:_FUNCNAME_BYTES].rstrip(b" \t\n\v\f\r")
            return raw.decode(errors="ignore")
    return ""
