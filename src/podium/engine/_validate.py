"""Checks that a :class:`~podium.engine.network.Network` can be scheduled.

Every problem is collected (not only the first) so that a user fixes a plan in
one round; :func:`validate` returns them as sentences naming the activities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from podium.engine.calendar import BoolArray, IntArray
from podium.engine.network import (
    CONSTRAINT_TYPES,
    LINK_TYPES,
    MAX_DURATION,
    MAX_LAG,
    Activity,
    Network,
)

SUMMARY_CONSTRAINTS = ("asap", "snet", "fnlt")


@dataclass(frozen=True, slots=True)
class Structure:
    """Ids resolved to positions: the part of validation the compiler reuses."""

    index: dict[str, int]
    parent: IntArray
    is_summary: BoolArray
    calendar_of: IntArray  # 0: the default calendar, k: the k-th of Network.calendars
    link_pred: IntArray
    link_succ: IntArray
    link_code: IntArray  # position of the type in LINK_TYPES
    link_lag: IntArray
    special: list[int]  # activities with a constraint, deadline or progress, and summaries


def _duplicates(ids: list[str]) -> list[str]:
    seen: set[str] = set()
    repeated: dict[str, None] = {}
    for aid in ids:
        if aid in seen:
            repeated[aid] = None
        seen.add(aid)
    return list(repeated)


def _activity_problems(a: Activity, is_summary: bool) -> list[str]:
    problems = []
    if a.constraint_type not in CONSTRAINT_TYPES:
        problems.append(f"activity {a.id!r}: unknown constraint type {a.constraint_type!r}")
    elif a.constraint_type != "asap" and a.constraint_date is None:
        problems.append(f"activity {a.id!r}: constraint {a.constraint_type!r} needs a date")
    if is_summary:
        if a.constraint_type not in SUMMARY_CONSTRAINTS:
            problems.append(
                f"summary {a.id!r}: constraint {a.constraint_type!r} is not allowed on a summary"
                " (only asap, snet and fnlt; put it on its subtasks)"
            )
        return problems
    if a.duration < 0:
        problems.append(f"activity {a.id!r}: duration {a.duration} is negative")
    elif a.duration > MAX_DURATION:
        problems.append(
            f"activity {a.id!r}: duration {a.duration} is more than {MAX_DURATION} working days"
        )
    if not 0 <= a.percent_complete <= 100:
        problems.append(f"activity {a.id!r}: percent_complete {a.percent_complete} not in 0-100")
    if a.duration > 0:
        if a.actual_finish is not None and a.actual_start is None:
            problems.append(f"activity {a.id!r}: actual_finish without actual_start")
        if a.percent_complete > 0 and a.actual_start is None:
            problems.append(f"activity {a.id!r}: percent_complete > 0 without actual_start")
        if (
            a.actual_start is not None
            and a.actual_finish is not None
            and a.actual_finish < a.actual_start
        ):
            problems.append(f"activity {a.id!r}: actual_finish is before actual_start")
    return problems


def _parents(acts: list[Activity], index: dict[str, int], problems: list[str]) -> list[int]:
    parent = []
    for i, a in enumerate(acts):
        p = -1 if a.parent is None else index.get(a.parent, -1)
        if a.parent is not None and p < 0:
            problems.append(f"activity {a.id!r}: parent {a.parent!r} not found")
        elif p == i:
            problems.append(f"activity {a.id!r} is its own parent")
            p = -1
        parent.append(p)
    state = [0] * len(acts)  # 0 unseen, 1 on the current walk, 2 known to reach a root
    for i in range(len(acts)):
        walk = []
        j = i
        while j >= 0 and state[j] == 0:
            state[j] = 1
            walk.append(j)
            j = parent[j]
        if j >= 0 and state[j] == 1:
            loop = walk[walk.index(j) :]
            names = " → ".join(acts[k].id for k in [*loop, j])
            problems.append(f"parent cycle: {names}")
            for k in loop:
                parent[k] = -1
        for k in walk:
            state[k] = 2
    return parent


def _is_ancestor(parent: list[int], ancestor: int, node: int) -> bool:
    node = parent[node]
    while node >= 0:
        if node == ancestor:
            return True
        node = parent[node]
    return False


def _link_problems(
    net: Network,
    u: IntArray,
    v: IntArray,
    code: IntArray,
    parent: list[int],
    is_summary: BoolArray,
) -> list[str]:
    problems = []
    touches_summary = np.zeros(len(u), np.bool_)
    known = (u >= 0) & (v >= 0)
    touches_summary[known] = is_summary[u[known]] | is_summary[v[known]]
    suspect = ~known | (u == v) | (code < 0) | touches_summary
    for k in np.flatnonzero(suspect).tolist():
        link, a, b = net.links[k], int(u[k]), int(v[k])
        name = f"link {link.pred} → {link.succ}"
        ends = ((link.pred, a), (link.succ, b))
        problems += [f"{name}: unknown activity {x!r}" for x, i in ends if i < 0]
        if code[k] < 0:
            problems.append(f"{name}: unknown type {link.type!r} (FS, SS, FF or SF)")
        if a >= 0 and a == b:
            problems.append(f"{name}: an activity cannot depend on itself")
        elif a >= 0 and b >= 0 and (is_summary[a] or is_summary[b]):
            if _is_ancestor(parent, a, b) or _is_ancestor(parent, b, a):
                problems.append(f"{name}: a summary cannot be linked to its own subtasks")
            elif is_summary[b] and link.type in ("FF", "SF"):
                problems.append(f"{name}: {link.type} links cannot end on a summary task")
    return problems


def _positions(index: dict[str, int], keys: list[str]) -> IntArray:
    """Position of each key in ``index``, -1 for unknown keys."""
    try:
        return np.fromiter(map(index.__getitem__, keys), np.int64, len(keys))
    except KeyError:
        return np.fromiter((index.get(k, -1) for k in keys), np.int64, len(keys))


def validate(net: Network) -> tuple[Structure, list[str]]:
    """Resolve ids and list every problem with the network (an empty list: schedulable)."""
    acts = list(net.activities)
    n = len(acts)
    problems = []
    ids = [a.id for a in acts]
    index = dict(zip(ids, range(n), strict=True))
    if len(index) != n:
        problems += [f"duplicate activity id {aid!r}" for aid in _duplicates(ids)]
        index = {aid: i for i, aid in reversed(list(enumerate(ids)))}
    if [a.parent for a in acts].count(None) != n:
        parent = _parents(acts, index, problems)
    else:
        parent = [-1] * n
    is_summary = np.zeros(n, np.bool_)
    parent_array = np.asarray(parent, np.int64).reshape(n)
    is_summary[parent_array[parent_array >= 0]] = True
    calendar_of = np.zeros(n, np.int64)
    if [a.calendar for a in acts].count(None) != n:
        keys = {key: k + 1 for k, key in enumerate(net.calendars)}
        for i, a in enumerate(acts):
            k = 0 if a.calendar is None else keys.get(a.calendar, -1)
            if k < 0:
                problems.append(f"activity {a.id!r}: unknown calendar {a.calendar!r}")
            calendar_of[i] = max(k, 0)
    special = [
        i
        for i, a in enumerate(acts)
        if a.constraint_type != "asap"
        or a.deadline is not None
        or not 0 <= a.duration <= MAX_DURATION
        or a.actual_start is not None
        or a.actual_finish is not None
        or a.percent_complete != 0
        or a.not_before is not None
        or a.project_start is not None
    ]
    if is_summary.any():
        special = sorted(set(special) | set(np.flatnonzero(is_summary).tolist()))
    for i in special:
        problems += _activity_problems(acts[i], bool(is_summary[i]))
    links = net.links
    u = _positions(index, [link.pred for link in links])
    v = _positions(index, [link.succ for link in links])
    code = _positions({t: k for k, t in enumerate(LINK_TYPES)}, [link.type for link in links])
    lags = [link.lag for link in links]
    if lags and (max(lags) > MAX_LAG or min(lags) < -MAX_LAG):
        for link in links:
            if abs(link.lag) > MAX_LAG:
                problems.append(
                    f"link {link.pred!r} → {link.succ!r}: lag {link.lag} is beyond "
                    f"±{MAX_LAG} working days"
                )
        lags = [max(-MAX_LAG, min(x, MAX_LAG)) for x in lags]
    lag = np.array(lags, np.int64).reshape(len(links))
    problems += _link_problems(net, u, v, code, parent, is_summary)
    structure = Structure(index, parent_array, is_summary, calendar_of, u, v, code, lag, special)
    return structure, problems
