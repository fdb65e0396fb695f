"""Compile a network with resources and assignments into the leveling problem.

Each task with resources is moved onto its *effective calendar* (its own
calendar intersected with its resources' calendars), then the network is
compiled exactly as the critical path scheduler compiles it
(:mod:`podium.engine._compile`): integer working-day *points* of each
activity's calendar, one slot per activity plus one finish slot per summary,
and edges whose forward fold gives the early dates. Leveling is that forward
pass with one change — a task that needs resources is placed at the first
point, at or after its early point, where its resources have room on every one
of its working days — so without resource conflicts it gives the critical-path
schedule, and it never schedules anything earlier than it.

The hot loops read plain Python lists (per slot, per edge) built here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from podium.engine._bounds import BIG
from podium.engine._compile import CT_OWN, KIND_MIN, Compiled, compile_network
from podium.engine._topology import levels
from podium.engine.calendar import IntArray
from podium.engine.cpm import schedule
from podium.engine.leveling._effective import check_inputs, effective_network
from podium.engine.leveling._tables import Tables
from podium.engine.leveling.model import UNIT, Assignment, Busy, InvalidResources, Resource
from podium.engine.network import Network
from podium.engine.results import ScheduleResult

HALF_BIG = BIG // 2
SEARCHED, FREE, MILESTONE, FIXED, SUMMARY = range(5)


@dataclass(slots=True)
class Problem:
    """A program ready to level: see the module docstring."""

    network: Network
    effective: Network
    unleveled: ScheduleResult
    c: Compiled
    tables: Tables
    resource_ids: list[str]
    capacity: list[int]  # per resource, thousandths
    kind: list[int]  # per slot: SEARCHED, FREE, MILESTONE, FIXED or SUMMARY
    cal: list[int]  # per slot
    span: list[int]  # per slot (0 for summary slots)
    assigns: list[list[tuple[int, int]]]  # per slot: (resource, thousandths)
    init: list[int]  # per slot: encoded forward value before any edge
    early: list[int]  # per slot: encoded critical-path early value (effective calendars)
    # edges of the forward fold (active links, summary roll-ups), as lists
    e_src: list[int]
    e_dst: list[int]
    e_min: list[bool]
    e_keep: list[int]
    e_add: list[int]
    e_wsrc: list[int]
    e_wdst: list[int]
    e_ct: list[int]
    e_cross: list[bool]
    out: list[list[int]]  # per slot: its outgoing edges
    into: list[list[int]]  # per slot: its incoming edges
    indeg: list[int]
    # per-activity priority inputs (days from the program start)
    es_day: IntArray
    ls_day: IntArray
    lf_day: IntArray
    successors: IntArray  # number of all (transitive) successors
    rank_weight: IntArray  # span plus the spans of immediate successors
    # per resource: the days (from the epoch) and thousandths taken elsewhere
    busy: list[tuple[IntArray, IntArray]]

    @property
    def n(self) -> int:
        """Number of activities."""
        return self.c.n

    def candidate(self, e: int, v: int) -> int:
        """The encoded value edge ``e`` asks of its target when its source's value is ``v``."""
        if not self.e_cross[e]:
            return (v & self.e_keep[e]) + self.e_add[e]
        if abs(v) >= HALF_BIG:
            return v
        ct = self.e_ct[e]
        start_type = v & 1 if ct == CT_OWN else ct
        point = self.tables.forward(
            (v >> 1) + self.e_wsrc[e], start_type, self.cal[self.e_src[e]], self.cal[self.e_dst[e]]
        )
        return 2 * (point + self.e_wdst[e]) + start_type

    def bound_back(self, e: int, q: int, source_value: int) -> int:
        """The latest point edge ``e`` allows its source when its target is at point ``q``
        (``source_value``: the source's encoded forward value, for a milestone's type)."""
        if q >= HALF_BIG:
            return BIG
        target = q - self.e_wdst[e]
        if self.e_cross[e]:
            ct = self.e_ct[e]
            start_type = source_value & 1 if ct == CT_OWN else ct
            target = self.tables.backward(
                target, start_type, self.cal[self.e_src[e]], self.cal[self.e_dst[e]]
            )
        return target - self.e_wsrc[e]

    def backward_edges(self, values: Sequence[int]) -> list[bool]:
        """Which edges bind backward from ``values``: all but the start roll-ups of
        a summary from its children that do not start first (its start binds only those)."""
        use = []
        for e, is_min in enumerate(self.e_min):
            use.append(
                not is_min
                or self.candidate(e, values[self.e_src[e]]) >> 1 == values[self.e_dst[e]] >> 1
            )
        return use

    def last_point(self, s: int, value: int) -> int:
        """The working point of slot ``s``'s last day at encoded ``value``: a task's last
        working day, a milestone's day (the day before its point when it sits at the end
        of a day, type 0; the day of its point at the start of one, type 1). Every
        finish the leveling methods compare or minimize is read this one way."""
        p = value >> 1
        return p + self.span[s] - 1 if self.span[s] > 0 else p - 1 + (value & 1)

    def finish_day(self, values: Sequence[int]) -> int:
        """The last working day (from the epoch) of any activity, for encoded ``values``."""
        last = -BIG
        day = self.tables.day
        for s in range(self.n):
            if self.kind[s] == SUMMARY:
                continue
            last = max(last, day(self.cal[s], self.last_point(s, values[s])))
        return last


def compile_problem(
    net: Network,
    resources: Sequence[Resource],
    assignments: Sequence[Assignment],
    busy: Sequence[Busy] = (),
) -> Problem:
    """Check and compile; raises :class:`InvalidResources` or the scheduler's errors."""
    unleveled = schedule(net)  # names cycles and network problems first
    problems = check_inputs(net, resources, assignments)
    known = {r.id for r in resources}
    problems += sorted(
        {
            f"time taken elsewhere of unknown resource {b.resource!r}"
            for b in busy
            if b.resource not in known
        }
    )
    if problems:
        raise InvalidResources(problems)
    effective = effective_network(net, resources, assignments)
    c = compile_network(effective)
    e = c.edges
    n, n_slots = c.n, len(c.slot_owner)
    span_act = c.bounds.span
    fixed = c.bounds.started | c.bounds.pinned
    kind_act = np.where(
        c.is_summary, SUMMARY, np.where(fixed, FIXED, np.where(c.is_milestone, MILESTONE, FREE))
    )
    resource_index = {r.id: k for k, r in enumerate(resources)}
    assigns: list[list[tuple[int, int]]] = [[] for _ in range(n_slots)]
    for x in assignments:
        i = c.index[x.task]
        if span_act[i] > 0 and kind_act[i] in (FREE, FIXED):
            assigns[i].append((resource_index[x.resource], round(x.units * UNIT)))
    kind = kind_act.tolist() + [SUMMARY] * (n_slots - n)
    for i in range(n):
        if kind[i] == FREE and assigns[i]:
            kind[i] = SEARCHED
    zero = np.datetime64(net.start, "D")
    facts = [a.actual_start for a in net.activities if a.actual_start is not None]
    d0 = min([(d - net.start).days for d in facts], default=0)
    d_hi = int((np.datetime64(unleveled.finish, "D") - zero).astype(np.int64))
    taken = _busy_days(busy, {r.id: k for k, r in enumerate(resources)}, zero, len(resources))
    last_taken = max((int(days[-1]) for days, _ in taken if days.size), default=0)
    tables = Tables(
        c.calendars, effective.start, d0=d0, d_hi=max(d_hi + d_hi // 2 + 64, last_taken + 1)
    )
    init = c.bounds.init.tolist()
    if effective is not net:  # a task on a narrower calendar never starts before its CPM start
        first = (unleveled.early_start - zero).astype(np.int64).tolist()
        slot_cal = c.slot_cal.tolist()
        for i in range(n):
            if kind[i] in (SEARCHED, FREE):
                init[i] = max(init[i], 2 * tables.point(slot_cal[i], first[i]) + 1)
    f = e.take(np.flatnonzero(e.active))  # roll-up edges are always active
    own = f.ct == CT_OWN
    cross = c.slot_cal[f.src] != c.slot_cal[f.dst]
    out: list[list[int]] = [[] for _ in range(n_slots)]
    into: list[list[int]] = [[] for _ in range(n_slots)]
    for k, (s, t) in enumerate(zip(f.src.tolist(), f.dst.tolist(), strict=True)):
        out[s].append(k)
        into[t].append(k)
    empty = np.zeros(n, np.int64)
    pb = Problem(
        network=net,
        effective=effective,
        unleveled=unleveled,
        c=c,
        tables=tables,
        resource_ids=[r.id for r in resources],
        capacity=[round(r.capacity * UNIT) for r in resources],
        kind=kind,
        cal=c.slot_cal.tolist(),
        span=span_act.tolist() + [0] * (n_slots - n),
        assigns=assigns,
        init=init,
        early=[],
        e_src=f.src.tolist(),
        e_dst=f.dst.tolist(),
        e_min=(f.kind == KIND_MIN).tolist(),
        e_keep=np.where(own, -1, -2).tolist(),
        e_add=(2 * (f.w_src + f.w_dst) + np.where(own, 0, f.ct)).tolist(),
        e_wsrc=f.w_src.tolist(),
        e_wdst=f.w_dst.tolist(),
        e_ct=f.ct.tolist(),
        e_cross=cross.tolist(),
        out=out,
        into=into,
        indeg=np.bincount(f.dst, minlength=n_slots).tolist(),
        es_day=empty,
        ls_day=empty,
        lf_day=empty,
        successors=_all_successors(c, n_slots),
        rank_weight=_rank_weight(c, span_act),
        busy=taken,
    )
    pb.early = fold_forward(pb)
    _priority_days(pb)
    return pb


def _busy_days(
    busy: Sequence[Busy], index: dict[str, int], zero: np.datetime64, n_resources: int
) -> list[tuple[IntArray, IntArray]]:
    """Per resource, each day taken elsewhere (from the program start on) and how much of
    it, in thousandths, summed over the bookings."""
    days: list[list[IntArray]] = [[] for _ in range(n_resources)]
    units: list[list[IntArray]] = [[] for _ in range(n_resources)]
    for b in busy:
        span = np.arange(np.datetime64(b.start, "D"), np.datetime64(b.finish, "D") + 1)
        span = span[span >= zero]
        if b.calendar is not None:
            span = span[b.calendar.is_workday_array(span)]
        r = index[b.resource]
        days[r].append((span - zero).astype(np.int64))
        units[r].append(np.full(span.size, round(b.units * UNIT), np.int64))
    out = []
    for r in range(n_resources):
        if not days[r]:
            out.append((np.zeros(0, np.int64), np.zeros(0, np.int64)))
            continue
        flat = np.concatenate(days[r])
        at, where = np.unique(flat, return_inverse=True)
        out.append((at, np.bincount(where, np.concatenate(units[r])).astype(np.int64)))
    return out


def fold_forward(pb: Problem) -> list[int]:
    """The critical-path forward pass (no resources): encoded early values of every slot."""
    val = pb.init[:]
    count = pb.indeg[:]
    out, e_dst, e_min, candidate = pb.out, pb.e_dst, pb.e_min, pb.candidate
    stack = [s for s, k in enumerate(count) if k == 0]
    while stack:
        s = stack.pop()
        v = val[s]
        for e in out[s]:
            t = e_dst[e]
            cand = candidate(e, v)
            if e_min[e]:
                if cand < val[t]:
                    val[t] = cand
            elif cand > val[t]:
                val[t] = cand
            count[t] -= 1
            if count[t] == 0:
                stack.append(t)
    return val


def fold_backward(pb: Problem, early: Sequence[int], late: list[int]) -> list[int]:
    """The critical-path backward pass from the caps in ``late`` (changed in place)."""
    use = pb.backward_edges(early)
    count = [0] * len(pb.kind)
    for e, used in enumerate(use):
        if used:
            count[pb.e_src[e]] += 1
    stack = [s for s, k in enumerate(count) if k == 0]
    while stack:
        t = stack.pop()
        q = late[t]
        for e in pb.into[t]:
            if not use[e]:
                continue
            u = pb.e_src[e]
            b = pb.bound_back(e, q, early[u])
            if b < late[u]:
                late[u] = b
            count[u] -= 1
            if count[u] == 0:
                stack.append(u)
    return late


def _priority_days(pb: Problem) -> None:
    """Early start, late start and late finish days of every activity: late dates against
    the unleveled program finish, deadlines and late constraints (for the priority rules)."""
    n, c, day = pb.n, pb.c, pb.tables.day
    last = pb.finish_day(pb.early)
    late = c.bounds.late_cap.tolist()
    finished = c.bounds.finished
    for s in range(n):
        if pb.kind[s] != SUMMARY:
            cap = (
                (pb.early[s] >> 1)
                if finished[s]
                else (pb.tables.point(pb.cal[s], last + 1) - pb.span[s])
            )
            late[s] = min(late[s], cap)
    late = fold_backward(pb, pb.early, late)
    es, ls, lf = (np.zeros(n, np.int64) for _ in range(3))
    for s in range(n):
        if pb.kind[s] == SUMMARY:
            continue
        k, d = pb.cal[s], max(pb.span[s], 1) - 1
        es[s] = day(k, pb.early[s] >> 1)
        ls[s] = day(k, min(late[s], BIG // 4))
        lf[s] = day(k, min(late[s], BIG // 4) + d)
    pb.es_day, pb.ls_day, pb.lf_day = es, ls, lf


def _all_successors(c: Compiled, n_slots: int) -> IntArray:
    """How many activities each activity precedes, directly or not (bit sets per slot)."""
    e = c.edges
    src, dst = e.src.tolist(), e.dst.tolist()
    level, _ = levels(e.src, e.dst, n_slots)
    order = np.argsort(-level, kind="stable").tolist()
    succ: list[list[int]] = [[] for _ in range(n_slots)]
    for u, v in zip(src, dst, strict=True):
        succ[u].append(v)
    owner = c.slot_owner.tolist()
    bits = [0] * n_slots
    for u in order:
        b = 0
        for v in succ[u]:
            b |= bits[v] | (1 << owner[v])
        bits[u] = b
    counts = np.array([bits[i].bit_count() for i in range(c.n)], np.int64).reshape(c.n)
    return counts


def _rank_weight(c: Compiled, span: IntArray) -> IntArray:
    e = c.edges
    links = e.link >= 0
    weight = span.astype(np.int64).copy()
    owner = c.slot_owner
    np.add.at(weight, owner[e.src[links]], span[owner[e.dst[links]]])
    return weight
