"""The CPM passes run for a block of iterations at once: one column per iteration.

The network is compiled once by the deterministic engine
(:mod:`podium.engine._compile`: slots, edges, bounds, calendars as working-day
points). An edge's weight depends on durations — a link from a finish adds the
predecessor's span, a link to a finish subtracts the successor's — so each edge
keeps the activity whose span it adds (``plus``) and the one it subtracts
(``minus``), pointing at an all-zero row when there is none, plus a constant.
Values are ``(slots, iterations)`` arrays: gathering the rows of an edge's
source is contiguous, and a level's edges, sorted by target, fold into their
targets with ``np.maximum.reduceat`` along the rows. The loop runs over
topological levels, never over iterations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from podium.engine._axis import TimeAxis
from podium.engine._compile import CT_FINISH, CT_OWN, KIND_MAX, KIND_MIN, Compiled, Edges
from podium.engine.calendar import IntArray

I32 = npt.NDArray[np.int32]
BIG32 = 1 << 29  # "no bound" in points, in 32 bits


@dataclass(slots=True)
class _Level:
    """The edges of one group visited at one level, sorted by the slot they fold into."""

    src: IntArray
    dst: IntArray
    plus: IntArray  # row of the span added (n: none)
    minus: IntArray  # row of the span subtracted (n: none)
    w_src: I32  # constant part of the weight in the source calendar
    w_dst: I32  # constant part in the target calendar
    ct: IntArray
    keep: I32  # mask on the source value: keep its type bit (milestones) or drop it
    bit: I32  # type bit added (start of a day or end of one)
    fold: IntArray  # rows (dst forward, src backward) to fold into, one per group of edges
    starts: IntArray  # reduceat offsets
    up: bool  # maximum (else minimum)
    cross: bool  # between two calendars
    driving_only: bool  # backward pass of a summary's start roll-up
    add: I32  # encoded constant weight: 2 (w_src + w_dst) + bit
    any_plus: bool  # some edge adds a span
    any_minus: bool  # some edge subtracts one


def _weights(c: Compiled, e: Edges) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """(plus, minus, w_src constant, w_dst constant) of each edge."""
    n = c.n
    span = c.bounds.span
    plus = np.where((e.ct == CT_FINISH) & (e.src < n), e.src, n)
    to_finish = np.zeros(len(e.src), np.bool_)
    logic = e.link >= 0
    if logic.any():
        kinds = np.array([link.type for link in c.net.links])
        to_finish[logic] = np.isin(kinds[e.link[logic]], ("FF", "SF"))
    minus = np.where(to_finish, e.dst, n)
    span_ext = np.concatenate([span, [0]])
    return plus, minus, e.w_src - span_ext[plus], e.w_dst + span_ext[minus]


class BlockPasses:
    """Forward and backward passes of a compiled network, many iterations at a time."""

    def __init__(self, c: Compiled, level: IntArray, axis: TimeAxis | None) -> None:
        self.c, self.axis = c, axis
        self.n_levels = int(level.max()) + 1 if level.size else 1
        e = c.edges
        plus, minus, w_src, w_dst = _weights(c, e)
        self._edge_data = (plus, minus, w_src, w_dst)
        maxed = np.flatnonzero(e.active & (e.kind == KIND_MAX))
        mined = np.flatnonzero(e.kind == KIND_MIN)
        started = np.zeros(len(c.slot_owner), np.bool_)
        started[: c.n] = c.bounds.started
        back = np.flatnonzero((e.kind == KIND_MAX) & ~started[e.dst])
        self.forward_levels = self._levels(
            level, [(maxed, True, False), (mined, False, False)], forward=True
        )
        self.backward_levels = self._levels(
            level, [(back, False, False), (mined, False, True)], forward=False
        )
        init = np.clip(c.bounds.init, -BIG32, BIG32).astype(np.int32)
        self.init = init

    def _levels(
        self, level: IntArray, parts: list[tuple[IntArray, bool, bool]], *, forward: bool
    ) -> list[list[_Level]]:
        c, e = self.c, self.c.edges
        plus, minus, w_src, w_dst = self._edge_data
        cal = c.slot_cal
        out: list[list[_Level]] = [[] for _ in range(self.n_levels)]
        for which, up, driving_only in parts:
            if not which.size:
                continue
            crossing = cal[e.src[which]] != cal[e.dst[which]]
            for cross in (False, True):
                k = which[crossing == cross]
                if not k.size:
                    continue
                lv = level[e.dst[k]] if forward else level[e.src[k]]
                fold_on = e.dst[k] if forward else e.src[k]
                order = np.lexsort((fold_on, lv))
                k, lv, fold_on = k[order], lv[order], fold_on[order]
                bounds = np.searchsorted(lv, np.arange(self.n_levels + 1))
                for lvl in range(self.n_levels):
                    a, b = int(bounds[lvl]), int(bounds[lvl + 1])
                    if a == b:
                        continue
                    kk, rows = k[a:b], fold_on[a:b]
                    first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
                    own = e.ct[kk] == CT_OWN
                    out[lvl].append(
                        _Level(
                            e.src[kk],
                            e.dst[kk],
                            plus[kk],
                            minus[kk],
                            w_src[kk].astype(np.int32),
                            w_dst[kk].astype(np.int32),
                            e.ct[kk],
                            np.where(own, -1, -2).astype(np.int32),
                            np.where(own, 0, e.ct[kk]).astype(np.int32),
                            rows[first],
                            first,
                            up,
                            cross,
                            driving_only,
                            (2 * (w_src[kk] + w_dst[kk]) + np.where(own, 0, e.ct[kk])).astype(
                                np.int32
                            ),
                            bool((plus[kk] < c.n).any()),
                            bool((minus[kk] < c.n).any()),
                        )
                    )
        if not forward:
            out.reverse()
        return out

    def _candidates(self, g: _Level, val: I32, span: I32) -> I32:
        """Encoded value each edge of ``g`` asks of its target, per iteration."""
        source = val[g.src]
        if not g.cross or self.axis is None:
            out: I32 = (source & g.keep[:, None]) + g.add[:, None]
            if g.any_plus:
                out += 2 * span[g.plus]
            if g.any_minus:
                out -= 2 * span[g.minus]
            return out
        w_src = g.w_src[:, None] + span[g.plus]
        w_dst = g.w_dst[:, None] - span[g.minus]
        own = g.ct == CT_OWN
        start_type = np.where(own[:, None], source & 1, g.ct[:, None])
        point = (source >> 1) + w_src
        cal = self.c.slot_cal
        shape = point.shape
        moved = self.axis.forward(
            point.ravel().astype(np.int64),
            start_type.ravel().astype(np.int64),
            np.repeat(cal[g.src], shape[1]),
            np.repeat(cal[g.dst], shape[1]),
        ).reshape(shape)
        return (2 * (moved + w_dst) + start_type).astype(np.int32)

    def forward(self, span: I32) -> I32:
        """Early encoded values of every slot; ``span`` is ``(n + 1, iterations)``."""
        iterations = span.shape[1]
        val = np.repeat(self.init[:, None], iterations, axis=1)
        for groups in self.forward_levels:
            for g in groups:
                cand = self._candidates(g, val, span)
                reduce = np.maximum if g.up else np.minimum
                folded = (
                    reduce.reduceat(cand, g.starts, axis=0) if len(g.starts) < len(cand) else cand
                )
                val[g.fold] = reduce(val[g.fold], folded)
        n = self.c.n
        tasks = ~self.c.is_milestone & ~self.c.is_summary
        val[:n][tasks] |= 1
        return val

    def backward(self, early: I32, late: I32, span: I32) -> I32:
        """Late points of every slot from the caps in ``late`` (changed in place)."""
        for groups in self.backward_levels:
            for g in groups:
                w_src = g.w_src[:, None] + span[g.plus]
                w_dst = g.w_dst[:, None] - span[g.minus]
                target = late[g.dst] - w_dst
                if g.cross and self.axis is not None:
                    own = g.ct == CT_OWN
                    start_type = np.where(own[:, None], early[g.src] & 1, g.ct[:, None])
                    cal = self.c.slot_cal
                    shape = target.shape
                    flat = target.ravel().astype(np.int64)
                    real = np.abs(flat) < BIG32 // 2
                    flat[real] = self.axis.backward(
                        flat[real],
                        start_type.ravel().astype(np.int64)[real],
                        np.repeat(cal[g.src], shape[1])[real],
                        np.repeat(cal[g.dst], shape[1])[real],
                    )
                    target = flat.reshape(shape).astype(np.int32)
                bound = target - w_src
                if g.driving_only:  # a summary's start binds its first child only
                    cand = self._candidates(g, early, span)
                    bound = np.where((cand >> 1) == (early[g.dst] >> 1), bound, BIG32)
                folded = (
                    np.minimum.reduceat(bound, g.starts, axis=0)
                    if len(g.starts) < len(bound)
                    else bound
                )
                late[g.fold] = np.minimum(late[g.fold], folded)
        return late
