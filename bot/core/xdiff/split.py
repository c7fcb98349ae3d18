"""The Myers middle-snake search of git's xdiff (``xdl_split``), with its cost cut-offs.

One :class:`Box` is a sub-problem ``[off1, lim1) x [off2, lim2)`` of the edit graph;
:meth:`Box.split` finds where to cut it in two, searching forward and backward along
diagonals at once. Past an edit cost of 256 xdiff stops insisting on a minimal diff:
it takes a long diagonal reached early, or else the furthest-reaching path. Those
choices are kept exactly, because they decide which lines git reports as changed.
"""

from __future__ import annotations

SNAKE_CNT = 20
HEUR_MIN_COST = 256
MAX_COST_MIN = 256
K_HEUR = 4
_FAR = 1 << 62


class Box:
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
            if (snake_f or snake_b) and ec > HEUR_MIN_COST:
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
            if i1 - prev1 > SNAKE_CNT:
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
            kvdb[self.bmin - 1 + k] = _FAR
        else:
            self.bmin += 1
        if self.bmax < self.dmax:
            self.bmax += 1
            kvdb[self.bmax + 1 + k] = _FAR
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
            if prev1 - i1 > SNAKE_CNT:
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
                v > K_HEUR * ec and v > best
                and off1 + SNAKE_CNT <= i1 < lim1 and off2 + SNAKE_CNT <= i2 < lim2
                and all(ha1[i1 - j] == ha2[i2 - j] for j in range(1, SNAKE_CNT + 1))
            ):  # fmt: skip
                best, split = v, (i1, i2)
        if best > 0:
            return split[0], split[1], True, False
        for d in range(self.bmax, self.bmin - 1, -2):
            i1 = self.kvdb[d + k]
            i2 = i1 - d
            v = (lim1 - i1) + (lim2 - i2) - abs(d - bmid)
            if (
                v > K_HEUR * ec and v > best
                and off1 < i1 <= lim1 - SNAKE_CNT and off2 < i2 <= lim2 - SNAKE_CNT
                and all(ha1[i1 + j] == ha2[i2 + j] for j in range(SNAKE_CNT))
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
        bbest = bbest1 = _FAR
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
