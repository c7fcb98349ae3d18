"""Git's change compaction: slide each group of changed lines to where git shows it.

A group of added lines that starts and ends with equal lines (a blank line, a ``)``)
can be shown at several places; git picks one with ``xdl_change_compact`` and its
indent heuristic (on by default since git 2.14). This port keeps xdiff's names and
order of steps so the two can be compared side by side. ``chg`` arrays have one spare
cell at the end that stays 0: it is the sentinel both after the last line and, through
Python's negative indexing, before the first.
"""

from __future__ import annotations

_MAX_INDENT = 200
_MAX_BLANKS = 20
_MAX_SLIDING = 100
_START_OF_FILE_PENALTY = 1
_END_OF_FILE_PENALTY = 21
_TOTAL_BLANK_WEIGHT = -30
_POST_BLANK_WEIGHT = 6
_RELATIVE_INDENT_PENALTY = -4
_RELATIVE_INDENT_WITH_BLANK_PENALTY = 10
_RELATIVE_OUTDENT_PENALTY = 24
_RELATIVE_OUTDENT_WITH_BLANK_PENALTY = 17
_RELATIVE_DEDENT_PENALTY = 23
_RELATIVE_DEDENT_WITH_BLANK_PENALTY = 17
_INDENT_WEIGHT = 60
_C_SPACE = frozenset(" \t\n\v\f\r")


class _Group:
    """A run of changed lines ``[start, end)``; empty groups sit between unchanged lines."""

    def __init__(self, chg: bytearray) -> None:
        self.chg = chg
        self.n = len(chg) - 1
        self.start = self.end = 0
        while chg[self.end]:
            self.end += 1

    def next(self) -> bool:
        if self.end == self.n:
            return False
        self.start = self.end = self.end + 1
        while self.chg[self.end]:
            self.end += 1
        return True

    def previous(self) -> bool:
        if self.start == 0:
            return False
        self.end = self.start = self.start - 1
        while self.chg[self.start - 1]:
            self.start -= 1
        return True

    def slide_down(self, recs: list[int]) -> bool:
        if self.end < self.n and recs[self.start] == recs[self.end]:
            self.chg[self.start] = 0
            self.chg[self.end] = 1
            self.start += 1
            self.end += 1
            while self.chg[self.end]:
                self.end += 1
            return True
        return False

    def slide_up(self, recs: list[int]) -> bool:
        if self.start > 0 and recs[self.start - 1] == recs[self.end - 1]:
            self.start -= 1
            self.end -= 1
            self.chg[self.start] = 1
            self.chg[self.end] = 0
            while self.chg[self.start - 1]:
                self.start -= 1
            return True
        return False


def compact(
    recs: list[int], chg: bytearray, recs_o: list[int], chg_o: bytearray, lines: list[str]
) -> None:
    """Slide the change groups of one file in place, keeping the other file's groups aligned."""
    g, go = _Group(chg), _Group(chg_o)
    indents = _Indents(lines)
    while True:
        if g.end != g.start:
            _compact_group(g, go, recs, indents)
        if not g.next():
            break
        go.next()


def _compact_group(g: _Group, go: _Group, recs: list[int], indents: _Indents) -> None:
    while True:
        groupsize = g.end - g.start
        end_matching_other = -1
        while g.slide_up(recs):
            go.previous()
        earliest_end = g.end
        if go.end > go.start:
            end_matching_other = g.end
        while g.slide_down(recs):
            go.next()
            if go.end > go.start:
                end_matching_other = g.end
        if groupsize == g.end - g.start:
            break
    if g.end == earliest_end:
        return
    if end_matching_other != -1:
        # Line the group up with the last group of changes in the other file it can meet.
        while go.end == go.start:
            g.slide_up(recs)
            go.previous()
        return
    best_shift = _best_shift(g.end, groupsize, earliest_end, indents)
    while g.end > best_shift:
        g.slide_up(recs)
        go.previous()


def _best_shift(end: int, groupsize: int, earliest_end: int, indents: _Indents) -> int:
    first = max(earliest_end, end - groupsize - 1, end - _MAX_SLIDING)
    best_shift = -1
    best = (0, 0)
    for shift in range(first, end + 1):
        score = _add(indents.score(shift), indents.score(shift - groupsize))
        if best_shift == -1 or _cmp(score, best) <= 0:
            best, best_shift = score, shift
    return best_shift


def _add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return a[0] + b[0], a[1] + b[1]


def _cmp(a: tuple[int, int], b: tuple[int, int]) -> int:
    indents = (a[0] > b[0]) - (a[0] < b[0])
    return _INDENT_WEIGHT * indents + (a[1] - b[1])


def _indent(line: str) -> int:
    """Return the width of a line's indentation (tabs to 8), or -1 for a blank line."""
    width = 0
    for c in line:
        if c not in _C_SPACE:
            return width
        if c == " ":
            width += 1
        elif c == "\t":
            width += 8 - width % 8
        if width >= _MAX_INDENT:
            return _MAX_INDENT
    return -1


class _Indents:
    """Scores of the splits between lines (xdiff's measure_split and score_add_split)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.cache: dict[int, int] = {}

    def of(self, i: int) -> int:
        width = self.cache.get(i)
        if width is None:
            width = self.cache[i] = _indent(self.lines[i])
        return width

    def score(self, split: int) -> tuple[int, int]:
        """Return (effective indent, penalty) of splitting just before line ``split``."""
        n = len(self.lines)
        end_of_file = split >= n
        indent = -1 if end_of_file else self.of(split)
        pre_blank, pre_indent = 0, -1
        for i in range(split - 1, -1, -1):
            pre_indent = self.of(i)
            if pre_indent != -1:
                break
            pre_blank += 1
            if pre_blank == _MAX_BLANKS:
                pre_indent = 0
                break
        post_blank, post_indent = 0, -1
        for i in range(split + 1, n):
            post_indent = self.of(i)
            if post_indent != -1:
                break
            post_blank += 1
            if post_blank == _MAX_BLANKS:
                post_indent = 0
                break
        return _score(end_of_file, indent, pre_blank, pre_indent, post_blank, post_indent)


def _score(
    end_of_file: bool, indent: int, pre_blank: int, pre_indent: int, post_blank: int,
    post_indent: int,
) -> tuple[int, int]:  # fmt: skip
    penalty = 0
    if pre_indent == -1 and pre_blank == 0:
        penalty += _START_OF_FILE_PENALTY
    if end_of_file:
        penalty += _END_OF_FILE_PENALTY
    post = 1 + post_blank if indent == -1 else 0
    total_blank = pre_blank + post
    penalty += _TOTAL_BLANK_WEIGHT * total_blank + _POST_BLANK_WEIGHT * post
    effective = indent if indent != -1 else post_indent
    blanks = total_blank != 0
    if effective == -1 or pre_indent == -1 or effective == pre_indent:
        pass
    elif effective > pre_indent:
        penalty += _RELATIVE_INDENT_WITH_BLANK_PENALTY if blanks else _RELATIVE_INDENT_PENALTY
    elif post_indent != -1 and post_indent > effective:
        penalty += _RELATIVE_OUTDENT_WITH_BLANK_PENALTY if blanks else _RELATIVE_OUTDENT_PENALTY
    else:
        penalty += _RELATIVE_DEDENT_WITH_BLANK_PENALTY if blanks else _RELATIVE_DEDENT_PENALTY
    return effective, penalty
