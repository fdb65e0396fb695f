"""The serial schedule generation scheme and forward-backward improvement.

Serial SGS (Kelley 1963; Kolisch 1996, "Serial and parallel resource-constrained
project scheduling methods revisited", *EJOR* 90): take the eligible activity
(all its predecessors scheduled) with the best priority, put it at the earliest
point its predecessors allow where its resources have room on each of its
working days, book it, repeat. Here "predecessors allow" is the critical path
forward fold of :mod:`podium.engine._compile` (links of the four types with
lags, calendars, constraints, progress, summary roll-ups), so activities without
resources, milestones and summaries simply follow their predecessors.

Forward-backward improvement (Li & Willis 1992; Tormos & Lova 2001; Valls,
Ballestín & Quintanilla 2005, "Justification and RCPSP"): schedule the
activities again *backward*, as late as possible before the current finish, in
order of decreasing finish; then forward again, as early as possible, in order
of increasing backward start. Each activity can always stay where it was, so
the finish never gets later and often gets earlier.

The resource search jumps: when the window of working days at point ``p`` has
a day without room, no start whose window covers that day can fit, so the next
candidate is the point just past the last such day (before the first such day,
backward).

These Python passes are the reference: the heuristic runs the same passes
compiled (:mod:`._fast`, :mod:`._kernels`), and CP-SAT's hint decoding runs these.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

from podium.engine._bounds import BIG
from podium.engine.leveling._problem import FIXED, SEARCHED, SUMMARY, Problem

FIRST = -BIG  # priority of slots that need no search: handled as soon as eligible


@dataclass(slots=True)
class Schedule:
    """Encoded values (``2 * point + type``) of every slot, and the last working day."""

    values: list[int]
    finish: int


class Scheduler:
    """Serial SGS passes over one :class:`Problem` (fixed work and the time taken
    elsewhere pre-booked once)."""

    def __init__(self, pb: Problem) -> None:
        self.pb = pb
        self.tables = pb.tables
        self.n_slots = len(pb.kind)
        self.base = [[0] * self.tables.span for _ in pb.capacity]
        for s in range(pb.n):
            if pb.kind[s] == FIXED and pb.assigns[s]:
                p = pb.init[s] >> 1
                c = pb.cal[s]
                row = self.tables.ensure_point(c, p + pb.span[s])
                self._fit(self.base)
                lo = self.tables.lo[c]
                days = row[p - lo : p - lo + pb.span[s]]
                for r, u in pb.assigns[s]:
                    load = self.base[r]
                    for x in days:
                        load[x] += u
        self._fit(self.base)
        for r, (at, units) in enumerate(pb.busy):  # taken elsewhere (the tables reach it)
            load = self.base[r]
            for x, u in zip((at - self.tables.d0).tolist(), units.tolist(), strict=True):
                if x >= 0:
                    load[x] += u
        self.searched = [s for s in range(self.n_slots) if pb.kind[s] == SEARCHED]

    def _fit(self, loads: list[list[int]]) -> None:
        """``loads`` (and the base loads) as long as the tables reach."""
        span = self.tables.span
        if loads and len(loads[0]) >= span and len(self.base[0]) >= span:
            return
        for group in (loads, self.base) if loads is not self.base else (loads,):
            for load in group:
                if len(load) < span:
                    load.extend([0] * (span - len(load)))

    def loads(self) -> list[list[int]]:
        """A fresh profile with only the fixed work and the time taken elsewhere booked."""
        return [row[:] for row in self.base]

    def book(self, s: int, p: int, loads: list[list[int]], sign: int = 1) -> None:
        """Add activity ``s``'s units at point ``p`` to ``loads`` (``sign`` -1: take them off)."""
        pb = self.pb
        c, d = pb.cal[s], pb.span[s]
        row = self.tables.ensure_point(c, p + d)
        self._fit(loads)
        lo = self.tables.lo[c]
        for r, u in pb.assigns[s]:
            load = loads[r]
            for x in row[p - lo : p - lo + d]:
                load[x] += sign * u

    def short(self, s: int, p: int, loads: list[list[int]]) -> tuple[list[int], int]:
        """The resources without room for activity ``s`` at point ``p`` (``loads`` without
        it), and the last day of its window without room (-1: room on every day)."""
        pb = self.pb
        c, d = pb.cal[s], pb.span[s]
        row = self.tables.ensure_point(c, p + d)
        self._fit(loads)
        i = p - self.tables.lo[c]
        days = row[i : i + d]
        short: list[int] = []
        hit = -1
        for r, u in pb.assigns[s]:
            load, limit = loads[r], pb.capacity[r] - u
            over = [k for k, x in enumerate(days) if load[x] > limit]
            if over:
                short.append(r)
                hit = max(hit, over[-1])
        return short, hit

    # --- forward ----------------------------------------------------------------

    def forward(self, key: Sequence[int], *, pin: Mapping[int, int] | None = None) -> Schedule:
        """One serial SGS pass; among eligible searched activities the smallest ``key`` first.

        ``pin`` puts searched activities at given points instead (no search, no booking):
        the other activities then follow them."""
        pb = self.pb
        kind, out, e_dst, e_min = pb.kind, pb.out, pb.e_dst, pb.e_min
        e_keep, e_add, e_cross, candidate = pb.e_keep, pb.e_add, pb.e_cross, pb.candidate
        val = pb.init[:]
        count = pb.indeg[:]
        loads = self.loads()
        heap = [
            (key[s] if kind[s] == SEARCHED else FIRST, s)
            for s in range(self.n_slots)
            if count[s] == 0
        ]
        heapq.heapify(heap)
        pop, push = heapq.heappop, heapq.heappush
        while heap:
            _, s = pop(heap)
            if kind[s] == SEARCHED:
                if pin is None:
                    val[s] = 2 * self.earliest(s, val[s] >> 1, loads) + 1
                else:
                    val[s] = 2 * pin[s] + 1
            v = val[s]
            for e in out[s]:
                t = e_dst[e]
                cand = candidate(e, v) if e_cross[e] else (v & e_keep[e]) + e_add[e]
                if e_min[e]:
                    if cand < val[t]:
                        val[t] = cand
                elif cand > val[t]:
                    val[t] = cand
                count[t] -= 1
                if count[t] == 0:
                    push(heap, (key[t] if kind[t] == SEARCHED else FIRST, t))
        return Schedule(val, pb.finish_day(val))

    def earliest(self, s: int, p: int, loads: list[list[int]]) -> int:
        """Book activity ``s`` at the first point >= ``p`` where its resources have room."""
        pb = self.pb
        d, c = pb.span[s], pb.cal[s]
        lo = self.tables.lo[c]
        row = self.tables.row(c)
        self._fit(loads)
        pairs = [(loads[r], pb.capacity[r] - u) for r, u in pb.assigns[s]]
        while True:
            i = p - lo
            if i + d > len(row):
                row = self.tables.ensure_point(c, p + d)
                self._fit(loads)
            days = row[i : i + d]
            hit = -1
            if d == 1:
                x = days[0]
                for load, limit in pairs:
                    if load[x] > limit:
                        hit = 0
                        break
            else:
                get = itemgetter(*days)
                for load, limit in pairs:
                    got = get(load)
                    if max(got) > limit:
                        for k in range(d - 1, hit, -1):
                            if got[k] > limit:
                                hit = k
                                break
            if hit < 0:
                for (load, _), (_, u) in zip(pairs, pb.assigns[s], strict=True):
                    for x in days:
                        load[x] += u
                return p
            p += hit + 1

    # --- backward ---------------------------------------------------------------

    def backward(self, sched: Schedule) -> list[int] | None:
        """Right-justify ``sched`` before its finish day: the latest point of every slot,
        searched activities in order of decreasing finish; ``None`` if one cannot stay
        at or after its forward point (then the pass is of no use)."""
        pb, tables = self.pb, self.tables
        val = sched.values
        kind, cal, span = pb.kind, pb.cal, pb.span
        e_src, into = pb.e_src, pb.into
        use = pb.backward_edges(val)
        count = [0] * self.n_slots
        for e, used in enumerate(use):
            if used:
                count[e_src[e]] += 1
        deadline = [tables.point(c, sched.finish + 1) for c in range(len(tables.calendars))]
        late = [BIG] * self.n_slots
        loads = self.loads()
        row_day = tables.day

        def priority(s: int) -> int:
            if kind[s] != SEARCHED:
                return FIRST
            return -row_day(cal[s], (val[s] >> 1) + span[s] - 1)

        heap = [(priority(s), s) for s in range(self.n_slots) if count[s] == 0]
        heapq.heapify(heap)
        pop, push = heapq.heappop, heapq.heappush
        while heap:
            _, s = pop(heap)
            k = kind[s]
            now = val[s] >> 1
            if k == FIXED:
                late[s] = now
            elif k != SUMMARY:
                bound = min(late[s], deadline[cal[s]] - span[s])
                if k == SEARCHED:
                    found = self.latest(s, bound, now, loads)
                    if found is None:
                        return None
                    bound = found
                elif bound < now:
                    return None
                late[s] = bound
            q = late[s]
            for e in into[s]:
                if not use[e]:
                    continue
                u = e_src[e]
                b = pb.bound_back(e, q, val[u])
                if b < late[u]:
                    late[u] = b
                count[u] -= 1
                if count[u] == 0:
                    push(heap, (priority(u), u))
        return late

    def latest(self, s: int, p: int, floor: int, loads: list[list[int]]) -> int | None:
        """Book ``s`` at the last point in ``[floor, p]`` where its resources have room."""
        pb = self.pb
        d, c = pb.span[s], pb.cal[s]
        lo = self.tables.lo[c]
        row = self.tables.row(c)
        self._fit(loads)
        pairs = [(loads[r], pb.capacity[r] - u) for r, u in pb.assigns[s]]
        while p >= floor:
            i = p - lo
            if i + d > len(row):
                row = self.tables.ensure_point(c, p + d)
                self._fit(loads)
            days = row[i : i + d]
            hit = d
            if d == 1:
                x = days[0]
                for load, limit in pairs:
                    if load[x] > limit:
                        hit = 0
                        break
            else:
                get = itemgetter(*days)
                for load, limit in pairs:
                    got = get(load)
                    if max(got) > limit:
                        for k in range(hit):
                            if got[k] > limit:
                                hit = k
                                break
            if hit == d:
                for (load, _), (_, u) in zip(pairs, pb.assigns[s], strict=True):
                    for x in days:
                        load[x] += u
                return p
            p += hit - d
        return None

    def improve(self, sched: Schedule, *, deadline: float | None = None) -> Schedule:
        """Forward-backward improvement until the finish stops getting earlier (or the
        ``time.perf_counter()`` deadline passes)."""
        best = sched
        while deadline is None or time.perf_counter() < deadline:
            late = self.backward(best)
            if late is None:
                break
            day = self.tables.day
            key = [0] * self.n_slots
            for s in self.searched:
                key[s] = day(self.pb.cal[s], late[s])
            again = self.forward(key)
            if again.finish >= best.finish:
                if again.finish == best.finish:
                    best = again
                break
            best = again
        return best
