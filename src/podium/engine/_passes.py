"""The forward and backward passes of the critical path method (Kelley & Walker 1959).

Edges are visited in topological-level order. In a wide network each level is
a handful of NumPy calls: gather the source values, add the edge weights, and
fold them into the targets with ``np.maximum.at`` (early dates, and the finish
roll-up of summaries) or ``np.minimum.at`` (the start roll-up of summaries, and
every late date). In a deep network (few edges per level: long chains) NumPy's
per-call cost dominates, so one plain loop over the level-sorted edges does the
same folds; both give the same schedule. Edges between two calendars go through
:class:`~podium.engine._axis.TimeAxis`.

The forward pass works on encoded values ``2 * point + type`` (see
:mod:`podium.engine._compile`): a maximum over them picks the latest point and,
on a tie, the start of a day over the end of the previous one — a milestone
driven by a start and by a finish at the same working time sits on the later
calendar day, as in Microsoft Project. The backward pass works on plain points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from podium.engine._axis import TimeAxis
from podium.engine._compile import CT_OWN, KIND_MAX, KIND_MIN, Compiled, Edges
from podium.engine.calendar import IntArray

NARROW = 48  # fewer edges per level than this on average: one plain loop beats NumPy


@dataclass(slots=True)
class _Group:
    """Edges of one kind, sorted by the level a pass visits them at."""

    edges: Edges
    offsets: list[int]  # edges of level l: offsets[l]:offsets[l + 1]
    cross: bool  # between two calendars
    up: bool  # folded with maximum (else minimum)
    keep: IntArray  # bit mask on the source value: keep its type bit (milestones) or drop it
    add: IntArray  # encoded weight (same-calendar edges)
    weight: IntArray  # point weight (same-calendar edges)


class Passes:
    """Early values (encoded), then late points, of every slot of a compiled network."""

    def __init__(self, c: Compiled, level: IntArray, axis: TimeAxis | None) -> None:
        self.c, self.level, self.axis = c, level, axis
        self.n_levels = int(level.max()) + 1 if level.size else 1
        self.early = c.bounds.init.copy()
        started = np.zeros(len(c.slot_owner), np.bool_)
        started[: c.n] = c.bounds.started
        # links into pinned work still bind the late dates of its predecessors
        e = c.edges
        self.backward_edges = np.flatnonzero((e.kind == KIND_MAX) & ~started[e.dst])
        self.narrow = len(e.src) < NARROW * self.n_levels

    def _groups(self, parts: list[tuple[Edges, bool]], forward: bool) -> list[_Group]:
        """Edges split by calendar crossing (and kind), sorted by the level visited at."""
        cal = self.c.slot_cal
        groups = []
        for edges, up in parts:
            crossing = cal[edges.src] != cal[edges.dst]
            for cross in (False, True):
                part = edges.take(np.flatnonzero(crossing == cross))
                if not len(part.src):
                    continue
                # forward: by the target's level; backward: by the source's, deepest first
                key = self.level[part.dst] if forward else self.n_levels - 1 - self.level[part.src]
                order = np.argsort(key, kind="stable")
                part = part.take(order)
                offsets = np.searchsorted(key[order], np.arange(self.n_levels + 1)).tolist()
                own = part.ct == CT_OWN
                keep = np.where(own, -1, -2).astype(np.int64)
                add = 2 * (part.w_src + part.w_dst) + np.where(own, 0, part.ct)
                groups.append(_Group(part, offsets, cross, up, keep, add, part.w_src + part.w_dst))
        return groups

    def candidates(self, edges: Edges) -> IntArray:
        """Encoded value each edge asks of its target, from the current early values."""
        own = edges.ct == CT_OWN
        source = self.early[edges.src]
        start_type = np.where(own, source & 1, edges.ct)
        point = (source >> 1) + edges.w_src
        cal = self.c.slot_cal
        if self.axis is not None:
            crossing = cal[edges.src] != cal[edges.dst]
            if crossing.any():
                point = point.copy()
                point[crossing] = self.axis.forward(
                    point[crossing],
                    start_type[crossing],
                    cal[edges.src[crossing]],
                    cal[edges.dst[crossing]],
                )
        return 2 * (point + edges.w_dst) + start_type

    def bounds_back(self, edges: Edges, late: IntArray) -> IntArray:
        """Latest point each edge allows its source, from the current late points."""
        cal = self.c.slot_cal
        target = late[edges.dst] - edges.w_dst
        if self.axis is not None:
            crossing = cal[edges.src] != cal[edges.dst]
            if crossing.any():
                own = edges.ct[crossing] == CT_OWN
                start_type = np.where(own, self.early[edges.src[crossing]] & 1, edges.ct[crossing])
                target = target.copy()
                target[crossing] = self.axis.backward(
                    target[crossing],
                    start_type,
                    cal[edges.src[crossing]],
                    cal[edges.dst[crossing]],
                )
        return target - edges.w_src

    def driving(self, edges: Edges) -> IntArray:
        """Positions of ``edges`` whose candidate is the target's early point."""
        cand = self.candidates(edges)
        return np.flatnonzero((cand >> 1) == (self.early[edges.dst] >> 1))

    def forward(self) -> IntArray:
        """Early encoded values of every slot."""
        e = self.c.edges
        maxed = e.take(np.flatnonzero(e.active & (e.kind == KIND_MAX)))
        mined = e.take(np.flatnonzero(e.kind == KIND_MIN))
        groups = self._groups([(maxed, True), (mined, False)], forward=True)
        val = self.early
        if self.narrow and not any(g.cross for g in groups):
            self._loop(val, groups, forward=True)
        else:
            for lv in range(1, self.n_levels):
                for g in groups:
                    a, b = g.offsets[lv], g.offsets[lv + 1]
                    if a == b:
                        continue
                    ge = g.edges
                    if g.cross:
                        cand = self.candidates(ge.take(np.arange(a, b)))
                    else:
                        cand = (val[ge.src[a:b]] & g.keep[a:b]) + g.add[a:b]
                    (np.maximum if g.up else np.minimum).at(val, ge.dst[a:b], cand)
        tasks = ~self.c.is_milestone & ~self.c.is_summary
        val[: self.c.n][tasks] |= 1
        return val

    def backward(self, late: IntArray) -> IntArray:
        """Late points of every slot, from the caps in ``late`` (modified in place)."""
        e = self.c.edges
        maxed = e.take(self.backward_edges)
        mined = e.take(np.flatnonzero(e.kind == KIND_MIN))
        mined = mined.take(self.driving(mined))  # a summary's start binds its first child only
        groups = self._groups([(maxed, False), (mined, False)], forward=False)
        if self.narrow and not any(g.cross for g in groups):
            self._loop(late, groups, forward=False)
            return late
        for lv in range(self.n_levels):
            for g in groups:
                a, b = g.offsets[lv], g.offsets[lv + 1]
                if a == b:
                    continue
                ge = g.edges
                if g.cross:
                    bound = self.bounds_back(ge.take(np.arange(a, b)), late)
                else:
                    bound = late[ge.dst[a:b]] - g.weight[a:b]
                np.minimum.at(late, ge.src[a:b], bound)
        return late

    def _loop(self, values: IntArray, groups: list[_Group], *, forward: bool) -> None:
        """The same folds as the level loop, edge by edge in level order, in plain Python."""
        if not groups:
            return
        level = np.concatenate(
            [self.level[g.edges.dst] if forward else -self.level[g.edges.src] for g in groups]
        )
        order = np.argsort(level, kind="stable")

        def column(parts: list[IntArray]) -> list[int]:
            joined: list[int] = np.concatenate(parts)[order].tolist()
            return joined

        src = column([g.edges.src for g in groups])
        dst = column([g.edges.dst for g in groups])
        val = values.tolist()
        if forward:
            keeps, adds = column([g.keep for g in groups]), column([g.add for g in groups])
            ups = column([np.full(len(g.keep), g.up, np.int64) for g in groups])
            for s, d, keep, add, up in zip(src, dst, keeps, adds, ups, strict=True):
                cand = (val[s] & keep) + add
                if (cand > val[d]) if up else (cand < val[d]):
                    val[d] = cand
        else:
            for s, d, weight in zip(src, dst, column([g.weight for g in groups]), strict=True):
                bound = val[d] - weight
                if bound < val[s]:
                    val[s] = bound
        values[:] = val
