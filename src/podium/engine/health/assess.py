"""Judge every task, milestone, project and the program against the rules, then roll up.

Tasks, milestones, projects and the program are *elements* of one table, so a
rule on dates or indices runs as a few NumPy operations over all of them; only
the elements a rule flags get a Python :class:`Reason`. Records that point at
elements (alerts, risks, over-allocations) flag what they link to — climbing
from a task to its project and on to the program until a level the rule
judges — and, linked to nothing, the program.

Roll-up (each step optional, per :class:`RollUp`, except the last): subtasks
into their summary task, deepest first; tasks and milestones into their
project; program milestones into the program; projects into the program. A
parent's status is the worst of its own and its children's, and it carries
their reasons, deduplicated.

A project or the program with no scheduled work (no task, no milestone with a
date) is not *planned*: the rules on dates and indices skip it (its "forecast" is
only a start date, its indices undefined), and if nothing else flags it its
status is ``no_plan`` instead of green.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from podium.engine.calendar import DateArray, IntArray, WorkCalendar, working_days
from podium.engine.evm import FloatArray, day_array
from podium.engine.health.records import (
    ALERT_SEVERITIES,
    LEVELS,
    NO_PLAN,
    STATUSES,
    Health,
    HealthInput,
    HealthReport,
    InvalidHealthInput,
    Reason,
    Ref,
    TaskHealth,
)
from podium.engine.health.rules import RULE_IDS, RuleSet, RuleSettings

TASK, MILESTONE, PROJECT, PROGRAM = range(4)  # positions in LEVELS
_ONE = np.timedelta64(1, "D")
_RULE_ORDER = {rule_id: i for i, rule_id in enumerate(RULE_IDS)}
BoolArray = npt.NDArray[np.bool_]


def _floats(values: Iterable[float | int | None]) -> FloatArray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


@dataclass(slots=True)
class _Elements:
    """Tasks, milestones, projects and the program as one table of columns."""

    refs: list[Ref]
    level: IntArray
    finish: DateArray
    baseline: DateArray
    target: DateArray
    total_float: FloatArray
    spi: FloatArray
    cpi: FloatArray
    finished: BoolArray
    planned: BoolArray  # False: a project or the program with no scheduled work
    parent: IntArray  # summary task of a task, else -1
    owner: IntArray  # project (or program) of a task or milestone; program of a project
    work: dict[str, int]  # task and milestone keys
    projects: dict[str, int]

    @property
    def program(self) -> int:
        return len(self.refs) - 1


def _elements(facts: HealthInput) -> _Elements:
    tasks, milestones, projects, program = (
        facts.tasks,
        facts.milestones,
        facts.projects,
        facts.program,
    )
    nt, nm, np_ = len(tasks), len(milestones), len(projects)
    problems: list[str] = []
    work: dict[str, int] = {}
    for i, ref in enumerate([t.ref for t in tasks] + [m.ref for m in milestones]):
        if work.setdefault(ref.key, i) != i:
            problems.append(f"key {ref.key!r} is used twice")
    project_index: dict[str, int] = {}
    for i, p in enumerate(projects, start=nt + nm):
        if project_index.setdefault(p.ref.key, i) != i:
            problems.append(f"project {p.ref.key!r} is listed twice")
    top = nt + nm + np_
    refs = [t.ref for t in tasks] + [m.ref for m in milestones] + [p.ref for p in projects]
    owner = np.full(top + 1, -1, dtype=np.int64)
    owner[nt + nm : top] = top
    for i, key in enumerate([t.project for t in tasks] + [m.project for m in milestones]):
        owner[i] = top if key is None else project_index.get(key, -1)
        if key is not None and key not in project_index:
            problems.append(f"{refs[i].label}: unknown project {key!r}")
    parent = np.full(top + 1, -1, dtype=np.int64)
    for i, t in enumerate(tasks):
        if t.parent is not None:
            at = work.get(t.parent, -1)
            if not 0 <= at < nt:
                problems.append(f"{t.ref.label}: unknown summary task {t.parent!r}")
            parent[i] = at if 0 <= at < nt else -1
    if problems:
        raise InvalidHealthInput(problems)
    scopes = [*projects, program]
    forecasts = day_array([m.forecast for m in milestones])
    return _Elements(
        refs=[*refs, program.ref],
        level=np.repeat(np.arange(4), [nt, nm, np_, 1]),
        finish=day_array(
            [t.finish for t in tasks]
            + [m.forecast for m in milestones]
            + [s.finish for s in scopes]
        ),
        baseline=day_array(
            [t.baseline_finish for t in tasks]
            + [m.baseline for m in milestones]
            + [s.baseline_finish for s in scopes]
        ),
        target=day_array([None] * nt + [m.target for m in milestones] + [s.target for s in scopes]),
        total_float=_floats(
            [t.total_float for t in tasks]
            + [m.total_float for m in milestones]
            + [None] * (np_ + 1)
        ),
        spi=_floats([t.spi for t in tasks] + [None] * nm + [s.spi for s in scopes]),
        cpi=_floats([t.cpi for t in tasks] + [None] * nm + [s.cpi for s in scopes]),
        finished=np.array(
            [t.finished for t in tasks] + [m.reached for m in milestones] + [False] * (np_ + 1),
            dtype=np.bool_,
        ),
        planned=_planned(owner, nt, forecasts),
        parent=parent,
        owner=owner,
        work=work,
        projects=project_index,
    )


def _planned(owner: IntArray, nt: int, forecasts: DateArray) -> BoolArray:
    """Which elements have a plan: every task and milestone; a project or the program
    only when a task or a milestone with a date lies in it."""
    scheduled = np.concatenate([np.ones(nt, dtype=np.bool_), ~np.isnat(forecasts)])
    planned = np.ones(owner.size, dtype=np.bool_)
    planned[scheduled.size :] = False
    owners = owner[: scheduled.size][scheduled]
    planned[owners[owners >= 0]] = True
    planned[-1] = bool(scheduled.any())  # the program: any work of any project counts
    return planned


def slip_array(calendar: WorkCalendar, limit: DateArray, day: DateArray) -> IntArray:
    """Working days each ``day`` falls after its ``limit`` (:meth:`WorkCalendar.slip`, in bulk)."""
    late = calendar.count_workdays_array(limit + _ONE, day + _ONE)
    early = calendar.count_workdays_array(day + _ONE, limit + _ONE)
    return np.where(day > limit, late, -early)


class _Judge:
    """Collects reasons per element while the rules run."""

    def __init__(self, elements: _Elements, calendar: WorkCalendar) -> None:
        self.e = elements
        self.calendar = calendar
        self.reasons: dict[int, dict[Reason, None]] = {}

    def at(self, settings: RuleSettings, *, schedule: bool = False) -> IntArray:
        """Elements of the levels the rule judges that have a plan (unfinished ones for
        schedule rules)."""
        wanted = np.isin(self.e.level, [LEVELS.index(lv) for lv in settings.levels])
        wanted &= self.e.planned
        return np.flatnonzero(wanted & ~self.e.finished if schedule else wanted)

    def flag(self, element: int, reason: Reason) -> None:
        self.reasons.setdefault(element, {})[reason] = None

    def judged(self, settings: RuleSettings, elements: Iterable[int]) -> list[int]:
        """Each element, or the first of its project and the program the rule judges."""
        out: dict[int, None] = {}
        for element in elements:
            while element >= 0 and LEVELS[int(self.e.level[element])] not in settings.levels:
                element = int(self.e.owner[element])
            if element >= 0:
                out[element] = None
        return list(out)


def _grade(
    values: FloatArray,
    amber: float | None,
    red: float | None,
    *,
    higher: bool,
    inclusive: bool = False,
) -> tuple[IntArray, FloatArray]:
    """Rank (0 green, 1 amber, 2 red) of each value, and the threshold it crossed."""
    rank = np.zeros(values.shape, dtype=np.int64)
    limit = np.full(values.shape, np.nan)
    for level, threshold in ((1, amber), (2, red)):
        if threshold is None:
            continue
        if higher:
            crossed = values >= threshold if inclusive else values > threshold
        else:
            crossed = values < threshold
        rank[crossed], limit[crossed] = level, threshold
    return rank, limit


Message = Callable[[int, float, float], str]  # (position in rows, value, limit) -> text


def _emit(
    judge: _Judge,
    rule: str,
    rows: IntArray,
    values: FloatArray,
    rank: IntArray,
    limit: FloatArray,
    message: Message,
) -> None:
    for k in np.flatnonzero(rank).tolist():
        element, value, threshold = int(rows[k]), float(values[k]), float(limit[k])
        status = STATUSES[int(rank[k])]
        text = f"{status} because {judge.e.refs[element].label} {message(k, value, threshold)}"
        judge.flag(element, Reason(rule, status, text, judge.e.refs[element], value, threshold))


def _date_rule(
    judge: _Judge,
    rule: str,
    settings: RuleSettings,
    limit_of: DateArray,
    what: str,
    amber: str,
    red: str,
) -> None:
    rows = judge.at(settings, schedule=True)
    rows = rows[~np.isnat(judge.e.finish[rows]) & ~np.isnat(limit_of[rows])]
    finish, limit = judge.e.finish[rows], limit_of[rows]
    slip = slip_array(judge.calendar, limit, finish).astype(np.float64)
    rank, threshold = _grade(slip, settings.number(amber), settings.number(red), higher=True)

    def message(k: int, value: float, _: float) -> str:
        dates = f"forecast {finish[k]}, {what} {limit[k]}"
        return f"is forecast {working_days(value)} past its {what} ({dates})"

    _emit(judge, rule, rows, slip, rank, threshold, message)


def _past_target(judge: _Judge, settings: RuleSettings) -> None:
    _date_rule(
        judge,
        "past_target",
        settings,
        judge.e.target,
        "target",
        "amber_after_days",
        "red_after_days",
    )


def _finish_slip(judge: _Judge, settings: RuleSettings) -> None:
    _date_rule(
        judge,
        "finish_slip",
        settings,
        judge.e.baseline,
        "baseline finish",
        "amber_after_days",
        "red_after_days",
    )


def _index_rule(
    judge: _Judge, rule: str, settings: RuleSettings, column: FloatArray, name: str
) -> None:
    rows = judge.at(settings)
    values = column[rows]
    rank, limit = _grade(
        values, settings.number("amber_below"), settings.number("red_below"), higher=False
    )
    _emit(
        judge,
        rule,
        rows,
        values,
        rank,
        limit,
        lambda _, v, lim: f"has {name} {_apart(v, lim)}",
    )


def _apart(value: float, limit: float) -> str:
    """``value (below limit)`` with enough decimals to tell them apart: 0.8461 below a
    limit of 0.8462 must not read "0.85 (below 0.85)"."""
    for places in range(2, 7):
        shown, bound = f"{value:.{places}f}", f"{limit:.{places}f}"
        if shown != bound:
            break
    return f"{shown} (below {bound})"


def _schedule_performance(judge: _Judge, settings: RuleSettings) -> None:
    _index_rule(judge, "schedule_performance", settings, judge.e.spi, "an SPI of")


def _cost_performance(judge: _Judge, settings: RuleSettings) -> None:
    _index_rule(judge, "cost_performance", settings, judge.e.cpi, "a CPI of")


def _negative_float(judge: _Judge, settings: RuleSettings) -> None:
    rows = judge.at(settings, schedule=True)
    values = judge.e.total_float[rows]
    rank, limit = _grade(
        values, settings.number("amber_below_days"), settings.number("red_below_days"), higher=False
    )
    _emit(
        judge,
        "negative_float",
        rows,
        values,
        rank,
        limit,
        lambda _, v, lim: f"has {working_days(v)} of total float (below {lim:.0f})",
    )


def _record_rule(
    judge: _Judge,
    rule: str,
    settings: RuleSettings,
    ref: Ref,
    value: float,
    rank: int,
    limit: float,
    text: str,
    work: Sequence[str],
    projects: Sequence[str],
) -> None:
    if not rank:
        return
    status = STATUSES[rank]
    reason = Reason(rule, status, f"{status} because {text}", ref, value, limit)
    linked = [judge.e.work[k] for k in work] + [judge.e.projects[k] for k in projects]
    for element in judge.judged(settings, linked or [judge.e.program]):
        judge.flag(element, reason)


def _one_grade(
    value: float,
    amber: float | None,
    red: float | None,
    *,
    higher: bool = True,
    inclusive: bool = False,
) -> tuple[int, float]:
    rank, limit = _grade(np.array([value]), amber, red, higher=higher, inclusive=inclusive)
    return int(rank[0]), float(limit[0])


def _conflict_alerts(judge: _Judge, settings: RuleSettings, facts: HealthInput) -> None:
    amber, red = (settings.params[n] for n in ("amber_from_severity", "red_from_severity"))
    ranks = [None if s is None else float(ALERT_SEVERITIES.index(str(s))) for s in (amber, red)]
    for alert in facts.alerts:
        if not alert.open or (settings.params["cross_project_only"] and not alert.cross_project):
            continue
        value = float(ALERT_SEVERITIES.index(alert.severity))
        rank, limit = _one_grade(value, *ranks, inclusive=True)
        scope = "cross-project " if alert.cross_project else ""
        about = f": {alert.title}" if alert.title else ""
        text = f"{scope}{alert.ref.label} is open ({alert.severity}){about}"
        subject = [alert.subject] if alert.subject else []
        _record_rule(
            judge,
            "conflict_alerts",
            settings,
            alert.ref,
            value,
            rank,
            limit,
            text,
            subject,
            alert.projects,
        )


def _high_risks(judge: _Judge, settings: RuleSettings, facts: HealthInput) -> None:
    amber, red = settings.number("amber_from_score"), settings.number("red_from_score")
    for risk in facts.risks:
        if not risk.open:
            continue
        rank, limit = _one_grade(float(risk.score), amber, red, inclusive=True)
        title = f' "{risk.title}"' if risk.title else ""
        text = (
            f"{risk.ref.label}{title} scores {risk.score} ({risk.probability} × "
            f"{risk.impact}), at or above {limit:.0f}"
        )
        _record_rule(
            judge,
            "high_risks",
            settings,
            risk.ref,
            float(risk.score),
            rank,
            limit,
            text,
            risk.tasks,
            risk.projects,
        )


def _over_allocation(judge: _Judge, settings: RuleSettings, facts: HealthInput) -> None:
    amber, red = settings.number("amber_above_load"), settings.number("red_above_load")
    for over in facts.overallocations:
        rank, limit = _one_grade(over.load, amber, red)
        text = (
            f"{over.ref.kind} {over.name or over.ref.key} is booked at "
            f"{over.load * 100:.0f} % of capacity "
            f"from {over.start} to {over.finish} (above {limit * 100:.0f} %)"
        )
        _record_rule(
            judge,
            "over_allocation",
            settings,
            over.ref,
            over.load,
            rank,
            limit,
            text,
            over.tasks,
            over.projects,
        )


def _benefit_off_track(judge: _Judge, settings: RuleSettings, facts: HealthInput) -> None:
    amber, red = settings.number("amber_behind_points"), settings.number("red_behind_points")
    for benefit in facts.benefits:
        behind = benefit.behind_points
        rank, limit = _one_grade(behind, amber, red)
        when = f" on {benefit.measured_on}" if benefit.measured_on else ""
        text = (
            f"{benefit.ref.label} is {behind:.0f} points behind its path to target: "
            f"{benefit.realization_pct:.0f} % realized{when}, {benefit.expected_pct:.0f} % "
            f"expected (more than {limit:.0f} behind)"
        )
        _record_rule(
            judge, "benefit_off_track", settings, benefit.ref, behind, rank, limit, text, (), ()
        )


_ELEMENT_RULES: dict[str, Callable[[_Judge, RuleSettings], None]] = {
    "past_target": _past_target,
    "finish_slip": _finish_slip,
    "schedule_performance": _schedule_performance,
    "cost_performance": _cost_performance,
    "negative_float": _negative_float,
}
_RECORD_RULES: dict[str, Callable[[_Judge, RuleSettings, HealthInput], None]] = {
    "conflict_alerts": _conflict_alerts,
    "high_risks": _high_risks,
    "over_allocation": _over_allocation,
    "benefit_off_track": _benefit_off_track,
}


def _check_links(facts: HealthInput, e: _Elements) -> None:
    problems: list[str] = []
    records: list[tuple[Ref, Sequence[str], Sequence[str]]] = [
        *((a.ref, [a.subject] if a.subject else [], a.projects) for a in facts.alerts),
        *((r.ref, r.tasks, r.projects) for r in facts.risks),
        *((o.ref, o.tasks, o.projects) for o in facts.overallocations),
    ]
    for ref, work, projects in records:
        problems += [
            f"{ref.label}: unknown task or milestone {k!r}" for k in work if k not in e.work
        ]
        problems += [f"{ref.label}: unknown project {k!r}" for k in projects if k not in e.projects]
    for a in facts.alerts:
        if a.severity not in ALERT_SEVERITIES:
            problems.append(
                f"{a.ref.label}: severity {a.severity!r} is not one of "
                f"{', '.join(ALERT_SEVERITIES)}"
            )
    for r in facts.risks:
        if not (1 <= r.probability <= 5 and 1 <= r.impact <= 5):
            problems.append(f"{r.ref.label}: probability and impact must be 1-5")
    if problems:
        raise InvalidHealthInput(problems)


def assess_health(facts: HealthInput, rules: RuleSet | None = None) -> HealthReport:
    """The status and reasons of every task, milestone, project and the program.

    Raises :class:`InvalidHealthInput` when the facts name unknown keys.
    """
    rules = rules or RuleSet()
    e = _elements(facts)
    _check_links(facts, e)
    judge = _Judge(e, facts.calendar)
    for rule_id in RULE_IDS:
        settings = rules[rule_id]
        if not settings.enabled:
            continue
        if rule_id in _ELEMENT_RULES:
            _ELEMENT_RULES[rule_id](judge, settings)
        else:
            _RECORD_RULES[rule_id](judge, settings, facts)
    status = np.zeros(len(e.refs), dtype=np.int8)
    for element, found in judge.reasons.items():
        status[element] = 2 if any(r.severity == "red" for r in found) else 1
    _roll_up(e, rules, status, judge.reasons)
    return _report(facts, e, status, judge.reasons)


def _roll_up(
    e: _Elements,
    rules: RuleSet,
    status: npt.NDArray[np.int8],
    reasons: dict[int, dict[Reason, None]],
) -> None:
    rollup = rules.rollup
    nt = int((e.level == TASK).sum())

    def merge(children: IntArray, parents: IntArray) -> None:
        np.maximum.at(status, parents, status[children])
        for child, parent in zip(children.tolist(), parents.tolist(), strict=True):
            if child in reasons:
                reasons.setdefault(parent, {}).update(reasons[child])

    tasks = np.arange(nt)
    if rollup.summaries_from_subtasks and (e.parent[:nt] >= 0).any():
        depth = _depths(e.parent[:nt], e.refs)
        for d in range(int(depth.max()), 0, -1):
            rows = np.flatnonzero(depth == d)
            merge(rows, e.parent[rows])
        tasks = np.flatnonzero(e.parent[:nt] < 0)  # their summaries carry the rest
    projects = e.level == PROJECT
    program_milestones = (e.level == MILESTONE) & (e.owner == e.program)
    if rollup.projects_from_tasks:
        merge(tasks, e.owner[tasks])
    if rollup.projects_from_milestones:
        rows = np.flatnonzero((e.level == MILESTONE) & ~program_milestones)
        merge(rows, e.owner[rows])
    if rollup.program_from_milestones:
        rows = np.flatnonzero(program_milestones)
        merge(rows, e.owner[rows])
    rows = np.flatnonzero(projects)
    merge(rows, e.owner[rows])


def _depths(parent: IntArray, refs: Sequence[Ref]) -> IntArray:
    """Depth of each task in the WBS (0: no summary); a cycle is refused."""
    depth = np.zeros(parent.size, dtype=np.int64)
    up = parent.copy()
    for _ in range(parent.size + 1):
        climbing = up >= 0
        if not climbing.any():
            return depth
        depth += climbing
        up = np.where(climbing, parent[np.maximum(up, 0)], -1)
    looped = ", ".join(refs[i].key for i in np.flatnonzero(up >= 0).tolist()[:10])
    raise InvalidHealthInput([f"the summary tasks form a cycle (tasks in or under it: {looped})"])


def _order_key(r: Reason) -> tuple[int, int, float, str]:
    """Worst first; then in catalogue order; then the furthest past its limit."""
    excess = abs(r.value - r.limit) if r.value is not None and r.limit is not None else 0.0
    return (-STATUSES.index(r.severity), _RULE_ORDER[r.rule], -excess, r.message)


def _report(
    facts: HealthInput,
    e: _Elements,
    status: npt.NDArray[np.int8],
    reasons: dict[int, dict[Reason, None]],
) -> HealthReport:
    keys: dict[Reason, tuple[int, int, float, str]] = {}  # one reason shows in many places

    def ordered(found: dict[Reason, None]) -> tuple[Reason, ...]:
        for r in found:
            if r not in keys:
                keys[r] = _order_key(r)
        return tuple(sorted(found, key=keys.__getitem__))

    def health(element: int) -> Health:
        rank, planned = int(status[element]), bool(e.planned[element])
        return Health(
            e.refs[element],
            STATUSES[rank] if rank or planned else NO_PLAN,
            ordered(reasons.get(element, {})),
            planned,
        )

    nt, nm = len(facts.tasks), len(facts.milestones)
    return HealthReport(
        program=health(e.program),
        projects={e.refs[i].key: health(i) for i in range(nt + nm, e.program)},
        milestones={e.refs[i].key: health(i) for i in range(nt, nt + nm)},
        tasks=TaskHealth(
            tuple(e.refs[:nt]),
            status[:nt].copy(),
            {i: ordered(found) for i, found in reasons.items() if i < nt},
        ),
    )
