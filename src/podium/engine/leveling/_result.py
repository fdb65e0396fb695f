"""From leveled points back to dates, indices and delays (a :class:`LevelingResult`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from podium.engine.calendar import DateArray, IntArray, to_date
from podium.engine.leveling._problem import FIXED, SEARCHED, SUMMARY, Problem
from podium.engine.leveling._sgs import Scheduler
from podium.engine.leveling.model import LevelingResult, Method


def activity_days(pb: Problem, values: Sequence[int]) -> tuple[IntArray, IntArray, IntArray]:
    """First and last working day (days from the program start) of every activity, and
    whether each milestone sits at the end of its day; summaries roll up from their leaves."""
    n, c, day = pb.n, pb.c, pb.tables.day
    first = np.zeros(n, np.int64)
    last = np.zeros(n, np.int64)
    end_of_day = np.zeros(n, np.int64)
    for i in range(n):
        if c.is_summary[i]:
            continue
        v, k, d = values[i], pb.cal[i], pb.span[i]
        p = v >> 1
        if d > 0:
            first[i], last[i] = day(k, p), day(k, p + d - 1)
        else:
            first[i] = last[i] = day(k, p - 1 + (v & 1))
            end_of_day[i] = 1 - (v & 1)
    if c.is_summary.any():
        up, down = c.summary_of, c.leaf_of
        first[c.is_summary] = np.iinfo(np.int64).max
        last[c.is_summary] = np.iinfo(np.int64).min
        np.minimum.at(first, up, first[down])
        np.maximum.at(last, up, last[down])
    return first, last, end_of_day


EXPLAINED_WINDOWS = 200  # windows looked at per held activity, to name what held it


def why_moved(
    pb: Problem, values: Sequence[int]
) -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """Why activities moved (:attr:`LevelingResult.held_by` and ``follows_moved``).

    An activity's *ready* point is where its predecessors, as leveled, let it start
    (the forward fold of its incoming edges). One that starts after it waited for
    room: with everything else in place, each window from its ready point on is
    tried as the serial scheme tries them (jumping past the last day without room)
    and the resources short of room are named.
    """
    ids = pb.c.ids
    follows: list[str] = []
    held: dict[int, int] = {}
    for s in range(pb.n):
        if pb.kind[s] in (SUMMARY, FIXED):
            continue
        ready = pb.init[s]
        for e in pb.into[s]:
            cand = pb.candidate(e, values[pb.e_src[e]])
            ready = min(ready, cand) if pb.e_min[e] else max(ready, cand)
        if ready >> 1 > pb.early[s] >> 1:
            follows.append(ids[s])
        if pb.kind[s] == SEARCHED and values[s] >> 1 > ready >> 1:
            held[s] = ready >> 1
    held_by: dict[str, tuple[str, ...]] = {}
    if held:
        scheduler = Scheduler(pb)
        loads = scheduler.loads()
        for s in scheduler.searched:
            scheduler.book(s, values[s] >> 1, loads)
        for s, p in held.items():
            end = values[s] >> 1
            scheduler.book(s, end, loads, -1)
            found: set[int] = set()
            for _ in range(EXPLAINED_WINDOWS):
                short, hit = scheduler.short(s, p, loads)
                found.update(short)
                p += hit + 1
                if hit < 0 or p >= end or len(found) == len(pb.assigns[s]):
                    break
            scheduler.book(s, end, loads)
            held_by[ids[s]] = tuple(pb.resource_ids[r] for r in sorted(found))
    return held_by, frozenset(follows)


def build_result(
    pb: Problem,
    values: Sequence[int],
    *,
    method: Method,
    optimal: bool,
    lower_bound_day: int,
    status: str,
    rule: str,
    seconds: float,
) -> LevelingResult:
    """The result of leveling ``pb`` to the encoded slot ``values``."""
    net, n = pb.network, pb.n
    zero = np.datetime64(net.start, "D")
    first, last, end_of_day = activity_days(pb, values)
    start = zero + first.astype("timedelta64[D]")
    finish = zero + last.astype("timedelta64[D]")
    start_index, finish_index = _indices(pb, start, finish, end_of_day)
    default = net.default_calendar
    leaf = ~pb.c.is_summary
    unleveled = pb.unleveled
    start_delay = np.zeros(n, np.int64)
    finish_delay = np.zeros(n, np.int64)
    keys = [a.calendar for a in net.activities]
    for key in set(keys):
        cal = default if key is None else net.calendars[key]
        mask = np.array([k == key for k in keys], np.bool_)
        start_delay[mask] = _count(
            cal.count_workdays_array(unleveled.early_start[mask], start[mask])
        )
        finish_delay[mask] = _count(
            cal.count_workdays_array(unleveled.early_finish[mask], finish[mask])
        )
    makespan = int(finish_index[leaf].max()) if leaf.any() else 0
    last_day = int(last[leaf].max()) if leaf.any() else 0
    bound = (
        int(default.index(zero + np.timedelta64(lower_bound_day + 1, "D"), epoch=net.start))
        if leaf.any()
        else 0  # nothing to schedule: no bound was found, and none is needed
    )
    unleveled_makespan = _makespan(pb, pb.early)
    held_by, follows = why_moved(pb, values)
    return LevelingResult(
        ids=tuple(unleveled.ids),
        index=dict(unleveled.index),
        start=start,
        finish=finish,
        start_index=start_index,
        finish_index=finish_index,
        start_delay=start_delay,
        finish_delay=finish_delay,
        makespan=makespan,
        program_finish=to_date(zero + np.timedelta64(last_day, "D")),
        unleveled_makespan=unleveled_makespan,
        method=method,
        optimal=optimal,
        lower_bound=min(bound, makespan),
        status=status,
        rule=rule,
        seconds=seconds,
        early_finish=unleveled.early_finish,
        held_by=held_by,
        follows_moved=follows,
    )


def _indices(
    pb: Problem, start: DateArray, finish: DateArray, end_of_day: IntArray
) -> tuple[IntArray, IntArray]:
    """Each activity's start and finish as working-day indices of the program's calendar
    from its start: a task finishes at the end of its last day, a milestone where it
    stands (at the start or the end of its day)."""
    net = pb.network
    default = net.default_calendar
    start_index = default.index(start + end_of_day.astype("timedelta64[D]"), epoch=net.start)
    finish_index = default.index(finish + np.timedelta64(1, "D"), epoch=net.start)
    return start_index, np.where(pb.c.is_milestone, start_index, finish_index)


def _makespan(pb: Problem, values: Sequence[int]) -> int:
    """Working days from the program start to the end of its last activity, for encoded
    ``values``: the leveled makespan and the unleveled one are counted alike (a
    milestone at the start of its day ends the program there, not a day later)."""
    leaf = ~pb.c.is_summary
    if not leaf.any():
        return 0
    zero = np.datetime64(pb.network.start, "D")
    first, last, end_of_day = activity_days(pb, values)
    start = zero + first.astype("timedelta64[D]")
    finish = zero + last.astype("timedelta64[D]")
    _, finish_index = _indices(pb, start, finish, end_of_day)
    return int(finish_index[leaf].max())


def _count(days: IntArray) -> IntArray:
    return np.asarray(days, np.int64)
