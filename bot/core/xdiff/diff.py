"""Git's default line diff, ported from xdiff, so computed hunks match what GitHub shows.

GitHub omits a file's ``patch`` when the diff is large; docgen then diffs the base and
head contents itself. Review comments may only target lines inside GitHub's hunks, so
the hunks must be the ones ``git diff -U3`` prints, not merely *a* minimal diff: two
minimal diffs can disagree on which of several identical lines (blank lines, ``)``,
``return None``) was added, and then on where a hunk starts and ends. difflib's
SequenceMatcher is not even minimal. So this module follows git's xdiff step by step
(``xprepare.c``, ``xdiffi.c``, ``xemit.c``; default flags, indent heuristic on):

1. classify lines, trim the common head and tail, and set aside lines that cannot
   match (and runs of very common lines between them), as ``xdl_cleanup_records`` does;
2. Myers' divide-and-conquer search with xdiff's tie-breaking and its cost cut-offs
   (:mod:`bot.core.xdiff.split`);
3. slide each group of changes as ``xdl_change_compact`` does, indent heuristic
   included (:mod:`bot.core.xdiff.slide`);
4. emit hunks with 3 lines of context, merging changes at most 6 lines apart
   (:func:`bot.core.diff.diff_texts`).

It is checked against the real ``git diff --no-index`` in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.xdiff.slide import compact as _compact
from bot.core.xdiff.split import MAX_COST_MIN, Box

CONTEXT = 3
_MAX_EQLIMIT = 1024
_SIMSCAN_WINDOW = 100
_KPDIS_RUN = 4


@dataclass(frozen=True)
class Change:
    """One group of changes: base lines ``i1..i1+chg1`` became head lines ``i2..i2+chg2``."""

    i1: int
    i2: int
    chg1: int
    chg2: int


def split_lines(text: str) -> list[str]:
    """Split text into lines that keep their endings, breaking on ``\\n`` only, as git does."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _bogosqrt(n: int) -> int:
    root = 1
    while n > 0:
        n >>= 2
        root <<= 1
    return root


def diff_lines(base: list[str], head: list[str]) -> list[Change]:
    """Return git's edit script between two lists of lines (endings included)."""
    classes: dict[str, int] = {}
    ha1 = [classes.setdefault(line, len(classes)) for line in base]
    ha2 = [classes.setdefault(line, len(classes)) for line in head]
    # One spare cell: index n is the sentinel, and so is index -1 in Python.
    chg1 = bytearray(len(ha1) + 1)
    chg2 = bytearray(len(ha2) + 1)
    _myers(ha1, ha2, chg1, chg2, len(classes))
    _compact(ha1, chg1, ha2, chg2, base)
    _compact(ha2, chg2, ha1, chg1, head)
    return _script(chg1, chg2, len(ha1), len(ha2))


def _myers(ha1: list[int], ha2: list[int], chg1: bytearray, chg2: bytearray, n: int) -> None:
    count1, count2 = [0] * n, [0] * n
    for c in ha1:
        count1[c] += 1
    for c in ha2:
        count2[c] += 1
    start = 0
    limit = min(len(ha1), len(ha2))
    while start < limit and ha1[start] == ha2[start]:
        start += 1
    tail = 0
    while tail < limit - start and ha1[-1 - tail] == ha2[-1 - tail]:
        tail += 1
    keep1 = _cleanup(ha1, count2, start, len(ha1) - tail, chg1)
    keep2 = _cleanup(ha2, count1, start, len(ha2) - tail, chg2)
    _compare([ha1[i] for i in keep1], keep1, chg1, [ha2[i] for i in keep2], keep2, chg2)


def _cleanup(ha: list[int], other: list[int], start: int, end: int, chg: bytearray) -> list[int]:
    """Mark lines that cannot match as changed; return the indices left for Myers."""
    mlim = min(_bogosqrt(len(ha)), _MAX_EQLIMIT)
    dis = bytearray(len(ha))
    for i in range(start, end):
        matches = other[ha[i]]
        dis[i] = 0 if matches == 0 else (2 if matches >= mlim else 1)
    keep = []
    for i in range(start, end):
        if dis[i] == 1 or (dis[i] == 2 and not _multimatch_in_run(dis, i, start, end - 1)):
            keep.append(i)
        else:
            chg[i] = 1
    return keep


def _multimatch_in_run(dis: bytearray, i: int, s: int, e: int) -> bool:
    """Tell whether a very common line sits in a run of lines that match nothing."""
    s = max(s, i - _SIMSCAN_WINDOW)
    e = min(e, i + _SIMSCAN_WINDOW)
    runs = []
    for step in (-1, 1):
        none, multi, j = 0, 1, i + step
        while s <= j <= e and dis[j] != 1:
            none += dis[j] == 0
            multi += dis[j] == 2
            j += step
        if none == 0:
            return False
        runs.append((none, multi))
    none = runs[0][0] + runs[1][0]
    multi = runs[0][1] + runs[1][1]
    return multi * _KPDIS_RUN < multi + none


def _compare(
    ha1: list[int], index1: list[int], chg1: bytearray,
    ha2: list[int], index2: list[int], chg2: bytearray,
) -> None:  # fmt: skip
    k = len(ha2) + 1
    kvdf = [0] * (len(ha1) + len(ha2) + 3)
    kvdb = [0] * (len(ha1) + len(ha2) + 3)
    mxcost = max(_bogosqrt(len(ha1) + len(ha2) + 3), MAX_COST_MIN)
    # Depth-first, low half first, like xdl_recs_cmp's recursion (without its stack depth).
    stack = [(0, len(ha1), 0, len(ha2), False)]
    while stack:
        off1, lim1, off2, lim2, need_min = stack.pop()
        while off1 < lim1 and off2 < lim2 and ha1[off1] == ha2[off2]:
            off1 += 1
            off2 += 1
        while off1 < lim1 and off2 < lim2 and ha1[lim1 - 1] == ha2[lim2 - 1]:
            lim1 -= 1
            lim2 -= 1
        if off1 == lim1:
            for i in range(off2, lim2):
                chg2[index2[i]] = 1
        elif off2 == lim2:
            for i in range(off1, lim1):
                chg1[index1[i]] = 1
        else:
            box = Box(ha1, off1, lim1, ha2, off2, lim2, kvdf, kvdb, k)
            i1, i2, min_lo, min_hi = box.split(need_min, mxcost)
            stack.append((i1, lim1, i2, lim2, min_hi))
            stack.append((off1, i1, off2, i2, min_lo))


def _script(chg1: bytearray, chg2: bytearray, n1: int, n2: int) -> list[Change]:
    changes = []
    i1 = i2 = 0
    while i1 < n1 or i2 < n2:
        if chg1[i1] or chg2[i2]:
            s1, s2 = i1, i2
            while chg1[i1]:
                i1 += 1
            while chg2[i2]:
                i2 += 1
            changes.append(Change(s1, s2, i1 - s1, i2 - s2))
        else:
            i1 += 1
            i2 += 1
    return changes
