"""Critical path scheduling of a whole program (Kelley & Walker 1959; PMBOK Guide).

:func:`schedule` computes early and late dates, total and free float and the
critical path of every activity of every project in one network, with the four
link types of the precedence diagramming method, lags and leads in working days,
per-activity working calendars, Microsoft Project's constraint types, deadlines,
summary tasks and actual progress against a status date.

Conventions (the same as Microsoft Project's, so that imported plans agree):

* a task's start is its first working day and its finish its last working day;
  a finish-to-start successor starts on the next working day after its
  predecessor's finish, plus the lag; a milestone has no duration and falls on
  the finish day of the work that drives it (on the program start when nothing
  drives it);
* lags are counted in the successor's calendar; a finish read across
  calendars is the end of its last working day, a start the start of its day;
* a link into a summary binds each of its leaf tasks; a link out of a summary
  follows the summary's rolled-up start (min of its children) or finish (max);
  FF and SF links cannot end on a summary, nor link a summary to its own
  subtasks; a summary's duration and progress are ignored (they roll up);
* total float = late finish - early finish in working days of the activity's
  calendar; free float is the slack before the first successor link binds (or
  before the program finish, with no successor), within 0 … max(total float, 0);
  a summary's total float is the least of its unfinished subtasks';
* ``is_critical``: unfinished and total float <= 0 — this includes chains made
  negative by a deadline or a late constraint; finished work is never critical;
* finished activities keep their actual dates (late = early, floats 0); links
  into started activities do not move them (their actual start is a fact).
  A milestone reached with its predecessors (a program milestone whose
  predecessors are all finished) is finished too, placed by their actual dates
  through its links and never held back to the status date (a lag that puts it
  past the end of the status date leaves it unfinished, still to come).

The work is done in integer working-day points (see :mod:`podium.engine._compile`)
by level-synchronous NumPy passes (:mod:`podium.engine._passes`).
"""

from __future__ import annotations

import numpy as np

from podium.engine._axis import TimeAxis
from podium.engine._bounds import BIG
from podium.engine._compile import KIND_MIN, Compiled, compile_network
from podium.engine._passes import Passes
from podium.engine._report import Days, conflicts_and_misses
from podium.engine._topology import find_cycle, levels
from podium.engine.calendar import (
    FIRST_DATE,
    LAST_DATE,
    BoolArray,
    IntArray,
    days_from_first_date,
    days_to_last_date,
)
from podium.engine.critical import enumerate_paths, name_paths
from podium.engine.network import CycleError, InvalidNetwork, Network
from podium.engine.results import ScheduleResult


def schedule(
    network: Network, *, near_critical_threshold: int = 5, max_critical_paths: int = 50
) -> ScheduleResult:
    """Schedule ``network``: early/late dates, floats and critical paths of every activity.

    Raises :class:`~podium.engine.network.InvalidNetwork` listing every problem
    (unknown ids, duplicates, self-links…) and
    :class:`~podium.engine.network.CycleError` naming the activities of a cycle.
    """
    c = compile_network(network)
    e = c.edges
    level, stuck = levels(e.src, e.dst, len(c.slot_owner))
    if stuck:  # named without the leaf edges a summary's links imply (see _compile)
        pred = np.array([c.index[x.pred] for x in network.links], np.int64)
        own = pred[np.maximum(e.link, 0)]
        stated = (e.link < 0) | (e.src == own) | (e.src == c.finish_slot[own])
        raise CycleError(_name_cycle(c, find_cycle(e.src[stated], e.dst[stated], stuck)))
    crossing = bool((c.slot_cal[e.src] != c.slot_cal[e.dst]).any())
    passes = Passes(c, level, TimeAxis(c.calendars, network.start) if crossing else None)
    early = passes.forward()
    reached = c.bounds.reached
    if reached.size:  # a lag past the status date: not reached yet
        c.bounds.finished[reached] = early[reached] <= c.bounds.reached_until
    days = Days(c)
    n, span, leaf = c.n, c.bounds.span, ~c.is_summary
    point = early[:n] >> 1
    # a milestone at the end of a day shows on that day: one point back
    shift = np.where(c.is_milestone, 1 - (early[:n] & 1), 0)
    last = np.where(c.is_milestone, -shift, span - 1)
    es_day, ef_day = days.of(point - shift), days.of(point + last)
    eod = c.is_milestone & (shift == 1)
    start_moment = (2 * es_day + eod)[leaf]
    finish_moment = (2 * ef_day + (~c.is_milestone | eod))[leaf]
    finish = int(finish_moment.max()) if finish_moment.size else 0
    _check_representable(c, finish_moment, leaf)
    # a milestone is judged on the day it shows: one at the start of its day meets a
    # limit on day d (the program finish, a deadline, a finish or start no later than) at
    # the start of d (its last working day up to d) at the latest, one point before the end
    # of that day, which bounds the others
    morning = c.is_milestone & (shift == 0)
    finish_point = np.where(
        morning,
        days.points_at(finish // 2 + 1)[c.slot_cal[:n]] - 1,
        days.points_at((finish + 1) // 2)[c.slot_cal[:n]],
    )
    late = c.bounds.late_cap.copy()
    unfinished = leaf & ~c.bounds.finished
    limit = c.bounds.day_limit
    late[:n] = np.minimum(late[:n], np.where(limit < BIG, limit - morning, BIG))
    late[:n] = np.where(unfinished, np.minimum(late[:n], finish_point - span), late[:n])
    late = passes.backward(late)
    late_point = np.where(unfinished, late[:n], point)  # finished work: late = early
    total = late_point - point
    # a milestone's latest moment shows as its early one does (the morning of its day or the
    # evening), so that its dates differ by its total float
    late_last = np.where(c.is_milestone, -shift, span - 1)
    ls_day, lf_day = days.of(late_point - shift), days.of(late_point + late_last)
    _check_not_before_first(c, network, (es_day, ls_day))
    _check_not_after_last(c, (lf_day,))
    finished = c.bounds.finished.copy()
    if c.is_summary.any():
        summary_total = _roll_up(c, (es_day, ls_day), (ef_day, lf_day), total, unfinished)
        finished[c.is_summary] = summary_total[c.is_summary] >= BIG
        total = np.where(c.is_summary, np.where(finished, 0, summary_total), total)
    free = _free_float(c, passes, finish_point, total, finished)
    critical = ~finished & (total <= 0)
    drives_finish = np.zeros(n, np.bool_)
    drives_finish[np.flatnonzero(leaf)[finish_moment == finish]] = True
    paths = _critical_paths(c, passes, late, finished, level, drives_finish, max_critical_paths)
    conflicts, misses, missed = conflicts_and_misses(c, passes, days, es_day, ef_day)
    near = np.flatnonzero(unfinished & (total > 0) & (total <= near_critical_threshold))
    return ScheduleResult(
        ids=tuple(c.ids),
        groups=tuple(a.group for a in network.activities),
        index=c.index,
        early_start=days.dates(es_day),
        early_finish=days.dates(ef_day),
        late_start=days.dates(ls_day),
        late_finish=days.dates(lf_day),
        total_float=total,
        free_float=free,
        is_critical=critical,
        is_summary=c.is_summary,
        is_milestone=c.is_milestone,
        is_finished=finished,
        deadline_missed=missed,
        start=days.date(int(start_moment.min()) // 2 if start_moment.size else 0),
        finish=days.date(finish // 2),
        critical_path=paths[0] if paths else (),
        critical_paths=paths,
        near_critical=tuple(c.ids[i] for i in near.tolist()),
        conflicts=conflicts,
        deadline_misses=misses,
    )


def _check_representable(c: Compiled, finish_moment: IntArray, leaf: BoolArray) -> None:
    """Refuse a schedule that would finish after :data:`LAST_DATE` (the last date there
    is), naming the activity that finishes last: its durations and lags are too long."""
    if not finish_moment.size:
        return
    last_day = days_to_last_date(c.net.start)
    at = int(finish_moment.argmax())
    if int(finish_moment[at]) // 2 <= last_day:
        return
    activity = c.ids[int(np.flatnonzero(leaf)[at])]
    raise InvalidNetwork(
        [
            f"{activity} would finish after {LAST_DATE.isoformat()}: the durations and lags "
            "before it are too long to schedule"
        ]
    )


def _check_not_before_first(c: Compiled, network: Network, starts: tuple[IntArray, ...]) -> None:
    """Refuse a schedule whose early or late start would fall before :data:`FIRST_DATE`
    (the first date there is), naming the activity: a deadline, a constraint or an
    actual date far in the past pulls it there."""
    first_day = -days_from_first_date(network.start)
    for day in starts:
        if day.size and int(day.min()) < first_day:
            activity = c.ids[int(day.argmin())]
            raise InvalidNetwork(
                [
                    f"{activity} would have to start before {FIRST_DATE.isoformat()}: a "
                    "deadline, a constraint or an actual date around it is too far in the past"
                ]
            )


def _check_not_after_last(c: Compiled, finishes: tuple[IntArray, ...]) -> None:
    """Refuse a schedule whose late finish would fall after :data:`LAST_DATE`: a plan that
    ends on its last working days leaves a milestone's latest date past it."""
    last_day = days_to_last_date(c.net.start)
    for day in finishes:
        if day.size and int(day.max()) > last_day:
            activity = c.ids[int(day.argmax())]
            raise InvalidNetwork(
                [
                    f"{activity} would finish after {LAST_DATE.isoformat()}: the plan runs "
                    "too close to the last date there is"
                ]
            )


def _name_cycle(c: Compiled, slots: list[int]) -> list[str]:
    """Activity ids of a slot cycle, starting from the activity listed first in the input."""
    owners = [int(c.slot_owner[s]) for s in slots[:-1]]
    owners = [x for k, x in enumerate(owners) if x != owners[k - 1]] or owners[:1]
    first = owners.index(min(owners))
    owners = owners[first:] + owners[:first]
    return [c.ids[i] for i in [*owners, owners[0]]]


def _roll_up(
    c: Compiled,
    lows: tuple[IntArray, ...],
    highs: tuple[IntArray, ...],
    total: IntArray,
    unfinished: BoolArray,
) -> IntArray:
    """Summary dates from their leaf tasks (in place); returns the summaries' total float
    (the least of their unfinished leaves', ``BIG`` when all are finished)."""
    up, down = c.summary_of, c.leaf_of
    for low in lows:
        low[c.is_summary] = BIG
        np.minimum.at(low, up, low[down])
    for high in highs:
        high[c.is_summary] = -BIG
        np.maximum.at(high, up, high[down])
    summary_total = np.where(c.is_summary, BIG, total)
    np.minimum.at(summary_total, up, np.where(unfinished[down], total[down], BIG))
    return summary_total


def _free_float(
    c: Compiled, passes: Passes, finish_point: IntArray, total: IntArray, finished: BoolArray
) -> IntArray:
    """Slack before the first successor link binds, else before the program finish
    (``finish_point``: the latest point of each activity that keeps it)."""
    early, n = passes.early, c.n
    finish_value = np.where(
        c.is_summary, early[c.finish_slot] >> 1, (early[:n] >> 1) + c.bounds.span
    )
    free = finish_point - finish_value
    e = c.edges
    logic_links = np.flatnonzero(e.link >= 0)  # their targets are leaves
    logic = e.take(logic_links[~c.bounds.started[e.dst[logic_links]]])
    slack = (early[logic.dst] >> 1) - (passes.candidates(logic) >> 1)
    np.minimum.at(free, c.slot_owner[logic.src], slack)
    return np.where(finished, 0, np.clip(free, 0, np.maximum(total, 0)))


def _critical_paths(
    c: Compiled,
    passes: Passes,
    late: IntArray,
    finished: BoolArray,
    level: IntArray,
    drives_finish: BoolArray,
    limit: int,
) -> tuple[tuple[str, ...], ...]:
    early = passes.early
    critical_slot = (late - (early >> 1) <= 0) & ~finished[c.slot_owner]
    e = c.edges
    chain = e.take(passes.backward_edges)
    rollups = e.take(np.flatnonzero(e.kind == KIND_MIN))
    src, dst = [], []
    for edges in (chain, rollups.take(passes.driving(rollups))):
        tight = (passes.candidates(edges) >> 1) == (early[edges.dst] >> 1)
        tight &= passes.bounds_back(edges, late) == late[edges.src]
        tight &= critical_slot[edges.src] & critical_slot[edges.dst]
        src.append(edges.src[tight])
        dst.append(edges.dst[tight])
    src_all, dst_all = np.concatenate(src), np.concatenate(dst)
    has_predecessor = np.zeros(len(critical_slot), np.bool_)
    has_predecessor[dst_all] = True
    first = np.flatnonzero(critical_slot & ~has_predecessor)
    first = first[np.argsort(level[first], kind="stable")]
    paths = enumerate_paths(first.tolist(), src_all, dst_all, limit)
    return name_paths(paths, c.slot_owner, ~c.is_summary, c.ids, drives_finish)
