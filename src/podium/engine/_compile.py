"""Compile a network into integer arrays: the time model of the CPM passes.

Time is counted in *points* of each activity's own calendar: point ``p`` is the
start of working day ``p`` (``WorkCalendar.index`` from the program start), which
is also the end of working day ``p - 1`` — Microsoft Project's convention that a
finish at 17:00 and the next working morning are the same working time. A task
of duration ``d`` starting at point ``s`` finishes at point ``s + d``; its finish
*date* is working day ``s + d - 1``.

Every link is then linear in points (PMBOK precedence diagramming):
FS ``s_v >= f_u + lag``, SS ``s_v >= s_u + lag``, FF ``f_v >= f_u + lag``,
SF ``f_v >= s_u + lag``. A milestone has no duration; whether it sits at the
start of a day or at the end of the previous one (Microsoft Project's 8:00 vs
17:00) is kept as a *type bit* in an encoded value ``2 * point + type``
(1 = start of day, 0 = end of day), so that a milestone falls on the finish day
of the work that drives it and on the program start when nothing drives it.

The compiled graph has one *slot* per activity (a summary's slot is its start)
plus one finish slot per summary. A link into a summary binds each of its leaf
tasks; a link from a summary's finish also runs from each leaf's finish, because
the summary's own calendar may not hold the instant a leaf on another calendar
finishes (a leaf finishing on a Sunday, under a Mon-Fri summary, would otherwise
let a successor start on the Friday before). Edges carry ``w_src`` (points added in the
source's calendar), ``w_dst`` (points added in the target's calendar: lags are
counted in the successor's calendar) and the type of the source point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from podium.engine._bounds import Bounds, compute_bounds
from podium.engine._validate import Structure, validate
from podium.engine.calendar import BoolArray, IntArray, WorkCalendar
from podium.engine.network import InvalidNetwork, Network

CT_FINISH, CT_START, CT_OWN = 0, 1, -1
KIND_MAX, KIND_MIN = 0, 1


@dataclass(slots=True)
class Edges:
    """Parallel arrays, one entry per edge between slots."""

    src: IntArray
    dst: IntArray
    w_src: IntArray
    w_dst: IntArray
    ct: IntArray  # type of the source point: CT_START, CT_FINISH or CT_OWN (milestone)
    kind: IntArray  # KIND_MAX (links, finish roll-up) or KIND_MIN (start roll-up)
    link: IntArray  # position in Network.links, -1 for roll-up edges
    active: BoolArray  # takes part in the passes (not into started or pinned work)

    def take(self, which: IntArray) -> Edges:
        """The edges at positions ``which``."""
        return Edges(*(getattr(self, name)[which] for name in Edges.__slots__))


@dataclass(slots=True)
class Compiled:
    """A network as arrays; see the module docstring for the time model."""

    net: Network
    ids: list[str]
    index: dict[str, int]
    calendars: list[WorkCalendar]
    n: int  # activities; slots n.. are summary finish slots
    slot_owner: IntArray  # activity of each slot
    slot_cal: IntArray  # calendar of each slot
    finish_slot: IntArray  # per activity: its summary finish slot, or -1
    is_summary: BoolArray
    is_milestone: BoolArray
    bounds: Bounds
    edges: Edges
    leaf_of: IntArray  # (summary, leaf descendant) pairs: leaf_of[k] under summary_of[k]
    summary_of: IntArray


def _descendant_pairs(parent: IntArray, leaves: IntArray) -> tuple[IntArray, IntArray]:
    """All (ancestor, leaf) pairs, sorted by ancestor."""
    ancestors, descendants = [], []
    node = parent[leaves]
    current = leaves
    while True:
        keep = node >= 0
        if not keep.any():
            break
        current, node = current[keep], node[keep]
        ancestors.append(node)
        descendants.append(current)
        node = parent[node]
    if not ancestors:
        empty = np.zeros(0, np.int64)
        return empty, empty
    anc, leaf = np.concatenate(ancestors), np.concatenate(descendants)
    order = np.argsort(anc, kind="stable")
    return anc[order], leaf[order]


def _distinct_calendars(net: Network, structure: Structure) -> tuple[list[WorkCalendar], IntArray]:
    keyed = [net.default_calendar, *net.calendars.values()]
    distinct: dict[WorkCalendar, int] = {}
    position = [distinct.setdefault(cal, len(distinct)) for cal in keyed]
    cal_of = np.asarray(position, np.int64)[structure.calendar_of]
    return list(distinct), cal_of


def compile_network(net: Network) -> Compiled:
    """Validate ``net`` and build its arrays; raises :class:`InvalidNetwork`."""
    structure, problems = validate(net)
    if problems:
        raise InvalidNetwork(problems)
    n = len(net.activities)
    calendars, cal_of = _distinct_calendars(net, structure)
    parent, is_summary = structure.parent, structure.is_summary
    duration = np.array([a.duration for a in net.activities], np.int64).reshape(n)
    duration[is_summary] = 0
    is_milestone = (duration == 0) & ~is_summary
    summaries = np.flatnonzero(is_summary)
    finish_slot = np.full(n, -1, np.int64)
    finish_slot[summaries] = n + np.arange(summaries.size)
    slot_owner = np.concatenate([np.arange(n), summaries])
    slot_cal = cal_of[slot_owner]
    summary_of, leaf_of = _descendant_pairs(parent, np.flatnonzero(~is_summary))
    bounds = compute_bounds(
        net,
        structure.special,
        calendars,
        cal_of,
        duration,
        is_summary,
        finish_slot,
        summary_of,
        leaf_of,
    )
    edges = _edges(
        net, structure, parent, is_summary, is_milestone, finish_slot, bounds, summary_of, leaf_of
    )
    return Compiled(
        net,
        [a.id for a in net.activities],
        structure.index,
        calendars,
        n,
        slot_owner,
        slot_cal,
        finish_slot,
        is_summary,
        is_milestone,
        bounds,
        edges,
        leaf_of,
        summary_of,
    )


def _edges(
    net: Network,
    structure: Structure,
    parent: IntArray,
    is_summary: BoolArray,
    is_milestone: BoolArray,
    finish_slot: IntArray,
    bounds: Bounds,
    summary_of: IntArray,
    leaf_of: IntArray,
) -> Edges:
    u, v = structure.link_pred, structure.link_succ
    code, lag = structure.link_code, structure.link_lag
    link = np.arange(len(u))
    into_summary = is_summary[v]
    if into_summary.any():  # a link into a summary binds each of its leaf tasks
        starts = np.searchsorted(summary_of, v[into_summary], side="left")
        counts = np.searchsorted(summary_of, v[into_summary], side="right") - starts
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        expanded = np.repeat(np.flatnonzero(into_summary), counts)
        keep = np.flatnonzero(~into_summary)
        u = np.concatenate([u[keep], u[expanded]])
        v = np.concatenate([v[keep], leaf_of[offsets]])
        code, lag, link = (np.concatenate([x[keep], x[expanded]]) for x in (code, lag, link))
    from_summary = is_summary[u] & ((code == 0) | (code == 2))
    if from_summary.any():  # a link from a summary's finish binds from each leaf's too
        starts = np.searchsorted(summary_of, u[from_summary], side="left")
        counts = np.searchsorted(summary_of, u[from_summary], side="right") - starts
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        expanded = np.repeat(np.flatnonzero(from_summary), counts)
        u = np.concatenate([u, leaf_of[offsets]])
        v, code, lag, link = (np.concatenate([x, x[expanded]]) for x in (v, code, lag, link))
    span = bounds.span
    from_finish = (code == 0) | (code == 2)
    to_finish = code >= 2
    src = np.where(is_summary[u] & from_finish, finish_slot[u], u)
    w_src = np.where(from_finish & ~is_summary[u], span[u], 0)
    ct = np.where(is_milestone[u], CT_OWN, np.where(from_finish, CT_FINISH, CT_START))
    w_dst = lag - np.where(to_finish, span[v], 0)
    active = ~(bounds.started[v] | bounds.pinned[v])
    logic = Edges(src, v, w_src, w_dst, ct, np.full(len(v), KIND_MAX), link, active)
    child = np.flatnonzero(parent >= 0)
    up = parent[child]
    child_summary = is_summary[child]
    child_ct = np.where(is_milestone[child], CT_OWN, CT_FINISH)
    zeros = np.zeros(len(child), np.int64)
    finish_rollup = Edges(
        np.where(child_summary, finish_slot[child], child),
        finish_slot[up],
        np.where(child_summary, 0, span[child]),
        zeros,
        child_ct,
        np.full(len(child), KIND_MAX),
        np.full(len(child), -1),
        np.ones(len(child), np.bool_),
    )
    start_rollup = Edges(
        child,
        up,
        zeros,
        zeros,
        np.where(is_milestone[child], CT_OWN, CT_START),
        np.full(len(child), KIND_MIN),
        np.full(len(child), -1),
        np.ones(len(child), np.bool_),
    )
    parts = (logic, finish_rollup, start_rollup)
    return Edges(*(np.concatenate([getattr(p, name) for p in parts]) for name in Edges.__slots__))
