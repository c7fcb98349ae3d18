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
2. Myers' divide-and-conquer search with xdiff's tie-breaking and its cost cut-offs;
3. slide each group of changes as ``xdl_change_compact`` does (indent heuristic);
4. emit hunks with 3 lines of context, merging changes at most 6 lines apart.

It is checked against the real ``git diff --no-index`` in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.gitslide import compact as _compact

CONTEXT = 3
_SNAKE_CNT = 20
_HEUR_MIN_COST = 256
_MAX_COST_MIN = 256
_K_HEUR = 4
_MAX_EQLIMIT = 1024
_SIMSCAN_WINDOW = 100
_KPDIS_RUN = 4
_MAX_SLIDING = 100
_FUNCNAME_BYTES = 80


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
    mxcost = max(_bogosqrt(len(ha1) + len(ha2) + 3), _MAX_COST_MIN)
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
            box = _Box(ha1, off1, lim1, ha2, off2, lim2, kvdf, kvdb, k)
            i1, i2, min_lo, min_hi = box.split(need_min, mxcost)
            stack.append((i1, lim1, i2, lim2, min_hi))
            stack.append((off1, i1, off2, i2, min_lo))


class _Box:
    """One sub-problem of the Myers search: xdl_split over ``[off1, lim1) x [off2, lim2)``."""

    def __init__(
        self, ha1: list[int], off1: int, lim1: int, ha2: list[int], off2: int, lim2: int,
        kvdf: list[int], kvdb: list[int], k: int,
    ) -> None:  # fmt: skip
        self.ha1, self.off1, self.lim1 = ha1, off1, lim1
        self.ha2, self.off2, self.lim2 = ha2, off2, lim2
        self.kvdf, self.kvdb, self.k = kvdf, kvdb, k

    def split(self, need_min: bool, mxcost: int) -> tuple[int, int, bool, bool]:
        """Find where to split the box: ``(i1, i2, minimal_low, minimal_high)``."""
        off1, lim1, off2, lim2 = self.off1, self.lim1, self.off2, self.lim2
        kvdf, kvdb, k = self.kvdf, self.kvdb, self.k
        self.dmin, self.dmax = off1 - lim2, lim1 - off2
        fmid, bmid = off1 - off2, lim1 - lim2
        odd = (fmid - bmid) & 1
        self.fmin = self.fmax = fmid
        self.bmin = self.bmax = bmid
        kvdf[fmid + k] = off1
        kvdb[bmid + k] = lim1
        ec = 0
        while True:
            ec += 1
            found, snake_f = self._forward(odd)
            if found is not None:
                return found
            found, snake_b = self._backward(odd)
            if found is not None:
                return found
            if need_min:
                continue
            if (snake_f or snake_b) and ec > _HEUR_MIN_COST:
                found = self._interesting(ec, fmid, bmid)
                if found is not None:
                    return found
            if ec >= mxcost:
                return self._furthest()

    def _forward(self, odd: int) -> tuple[tuple[int, int, bool, bool] | None, bool]:
        ha1, ha2, kvdf, kvdb, k = self.ha1, self.ha2, self.kvdf, self.kvdb, self.k
        lim1, lim2 = self.lim1, self.lim2
        if self.fmin > self.dmin:
            self.fmin -= 1
            kvdf[self.fmin - 1 + k] = -1
        else:
            self.fmin += 1
        if self.fmax < self.dmax:
            self.fmax += 1
            kvdf[self.fmax + 1 + k] = -1
        else:
            self.fmax -= 1
        got_snake = False
        for d in range(self.fmax, self.fmin - 1, -2):
            if kvdf[d - 1 + k] >= kvdf[d + 1 + k]:
                i1 = kvdf[d - 1 + k] + 1
            else:
                i1 = kvdf[d + 1 + k]
            prev1 = i1
            i2 = i1 - d
            while i1 < lim1 and i2 < lim2 and ha1[i1] == ha2[i2]:
                i1 += 1
                i2 += 1
            if i1 - prev1 > _SNAKE_CNT:
                got_snake = True
            kvdf[d + k] = i1
            if odd and self.bmin <= d <= self.bmax and kvdb[d + k] <= i1:
                return (i1, i2, True, True), got_snake
        return None, got_snake

    def _backward(self, odd: int) -> tuple[tuple[int, int, bool, bool] | None, bool]:
        ha1, ha2, kvdf, kvdb, k = self.ha1, self.ha2, self.kvdf, self.kvdb, self.k
        off1, off2 = self.off1, self.off2
        if self.bmin > self.dmin:
            self.bmin -= 1
            kvdb[self.bmin - 1 + k] = 1 << 62
        else:
            self.bmin += 1
        if self.bmax < self.dmax:
            self.bmax += 1
            kvdb[self.bmax + 1 + k] = 1 << 62
        else:
            self.bmax -= 1
        got_snake = False
        for d in range(self.bmax, self.bmin - 1, -2):
            if kvdb[d - 1 + k] < kvdb[d + 1 + k]:
                i1 = kvdb[d - 1 + k]
            else:
                i1 = kvdb[d + 1 + k] - 1
            prev1 = i1
            i2 = i1 - d
            while i1 > off1 and i2 > off2 and ha1[i1 - 1] == ha2[i2 - 1]:
                i1 -= 1
                i2 -= 1
            if prev1 - i1 > _SNAKE_CNT:
                got_snake = True
            kvdb[d + k] = i1
            if not odd and self.fmin <= d <= self.fmax and i1 <= kvdf[d + k]:
                return (i1, i2, True, True), got_snake
        return None, got_snake

    def _interesting(self, ec: int, fmid: int, bmid: int) -> tuple[int, int, bool, bool] | None:
        """Take a long diagonal reached early, as xdiff does once the cost passes 256."""
        ha1, ha2, k = self.ha1, self.ha2, self.k
        off1, lim1, off2, lim2 = self.off1, self.lim1, self.off2, self.lim2
        best, split = 0, (0, 0)
        for d in range(self.fmax, self.fmin - 1, -2):
            i1 = self.kvdf[d + k]
            i2 = i1 - d
            v = (i1 - off1) + (i2 - off2) - abs(d - fmid)
            if (
                v > _K_HEUR * ec and v > best
                and off1 + _SNAKE_CNT <= i1 < lim1 and off2 + _SNAKE_CNT <= i2 < lim2
                and all(ha1[i1 - j] == ha2[i2 - j] for j in range(1, _SNAKE_CNT + 1))
            ):  # fmt: skip
                best, split = v, (i1, i2)
        if best > 0:
            return split[0], split[1], True, False
        for d in range(self.bmax, self.bmin - 1, -2):
            i1 = self.kvdb[d + k]
            i2 = i1 - d
            v = (lim1 - i1) + (lim2 - i2) - abs(d - bmid)
            if (
                v > _K_HEUR * ec and v > best
                and off1 < i1 <= lim1 - _SNAKE_CNT and off2 < i2 <= lim2 - _SNAKE_CNT
                and all(ha1[i1 + j] == ha2[i2 + j] for j in range(_SNAKE_CNT))
            ):  # fmt: skip
                best, split = v, (i1, i2)
        if best > 0:
            return split[0], split[1], False, True
        return None

    def _furthest(self) -> tuple[int, int, bool, bool]:
        """Give up on minimality: split at the furthest-reaching path (xdiff's mxcost cut)."""
        k, off1, lim1, off2, lim2 = self.k, self.off1, self.lim1, self.off2, self.lim2
        fbest = fbest1 = -1
        for d in range(self.fmax, self.fmin - 1, -2):
            i1 = min(self.kvdf[d + k], lim1)
            i2 = i1 - d
            if lim2 < i2:
                i1, i2 = lim2 + d, lim2
            if fbest < i1 + i2:
                fbest, fbest1 = i1 + i2, i1
        bbest = bbest1 = 1 << 62
        for d in range(self.bmax, self.bmin - 1, -2):
            i1 = max(off1, self.kvdb[d + k])
            i2 = i1 - d
            if i2 < off2:
                i1, i2 = off2 + d, off2
            if i1 + i2 < bbest:
                bbest, bbest1 = i1 + i2, i1
        if (lim1 + lim2) - bbest < fbest - (off1 + off2):
            return fbest1, fbest - fbest1, True, False
        return bbest1, bbest - bbest1, False, True


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
