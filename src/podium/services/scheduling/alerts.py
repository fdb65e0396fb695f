"""Schedule conflicts as alerts: detected on every reschedule, resolved when they disappear.

A conflict is identified by a fingerprint (its kind and the record it is about),
so one that persists across many edits stays one alert with its
``first_detected_at``; when a reschedule no longer finds it, ``resolved_at`` is
set. Each alert carries the chain of driving predecessors from the upstream
cause to the record that misses its date (:mod:`.driving`), and the projects along
that chain; an over-allocation alert carries instead the tasks that collide on the
resource (they overlap in time; none drives another). The end of the module words an
alert for people: its chain or colliding tasks, its details.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from podium.engine import Conflict, ScheduleResult
from podium.engine.calendar import DateArray, to_date
from podium.errors import NotFound
from podium.models import Alert, AlertKind, Program, Role, Severity, utcnow
from podium.services import events
from podium.services.actor import Actor, require_role
from podium.services.common import human_day
from podium.services.scheduling.driving import DrivingLinks, date_of, required_start
from podium.services.scheduling.network import ProgramNetwork


@dataclass
class Detected:
    """A conflict found in one schedule."""

    fingerprint: str
    kind: AlertKind
    severity: Severity
    subject: str
    title: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    upstream: str | None = None  # where the chain starts, when it is not the subject's driver
    chained: bool = True  # False: about the record alone (no chain of driving work)


def working_days(days: int) -> str:
    """``1 working day``, ``3 working days``."""
    return f"{days} working day{'' if days == 1 else 's'}"


def _severity_by_days(days: int, *, high_from: int) -> Severity:
    return (
        Severity.CRITICAL
        if days > 2 * high_from
        else Severity.HIGH
        if days > high_from
        else Severity.MEDIUM
    )


def detect_conflicts(
    pn: ProgramNetwork,
    result: ScheduleResult,
    *,
    baseline: BaselineFinishes | None = None,
    drivers: DrivingLinks | None = None,
) -> list[Detected]:
    """Every deadline, milestone target, started successor and constraint the schedule
    breaks, and the work pushed past its ``baseline`` finish (a milestone no work leads
    to is judged on neither: see :func:`fed_milestones`)."""
    found: list[Detected] = []
    for miss in result.deadline_misses:
        ref = miss.activity
        found.append(
            Detected(
                fingerprint=f"deadline:{ref}",
                kind=AlertKind.DEADLINE_MISSED,
                severity=_severity_by_days(miss.days_late, high_from=5),
                subject=ref,
                title=(
                    f"{pn.label(ref)} {pn.names[ref]} finishes {working_days(miss.days_late)} "
                    "after its deadline"
                ),
                message=(
                    f"forecast finish {miss.early_finish.isoformat()}, "
                    f"deadline {miss.deadline.isoformat()}"
                ),
                details={
                    "forecast": miss.early_finish.isoformat(),
                    "limit": miss.deadline.isoformat(),
                    "days_late": miss.days_late,
                },
            )
        )
    fed = fed_milestones(pn)
    for ref, target in pn.targets.items():
        forecast = date_of(result, "early_finish", ref)
        if forecast <= target or ref not in fed:
            continue
        days = pn.network.default_calendar.slip(target, forecast)
        # reached (all its work done): the slip happened, it is no longer a forecast
        reached = bool(result.is_finished[result.index[ref]])
        said = "was reached" if reached else "is forecast"
        found.append(
            Detected(
                fingerprint=f"target:{ref}",
                kind=AlertKind.MILESTONE_TARGET_MISSED,
                severity=Severity.CRITICAL if days > 10 else Severity.HIGH,
                subject=ref,
                title=(
                    f"Milestone {pn.label(ref)} {pn.names[ref]} {said} "
                    f"{working_days(days)} past its target"
                ),
                message=(
                    f"{'reached' if reached else 'forecast'} {forecast.isoformat()}, "
                    f"target {target.isoformat()}"
                ),
                details={
                    "forecast": forecast.isoformat(),
                    "limit": target.isoformat(),
                    "days_late": days,
                },
            )
        )
    drivers = drivers or DrivingLinks(pn, result)
    for pred, succ, kind, lag in _links_into_started(pn, drivers):
        started = pn.started[succ]
        if pred in pn.finished or succ in pn.finished:
            continue
        required = required_start(pn, result, pred, succ, kind, lag)
        if required is None or required <= started:
            continue
        days = pn.calendar(succ).count_workdays(started, required)
        found.append(
            Detected(
                fingerprint=f"started:{succ}:{pred}",
                kind=AlertKind.STARTED_SUCCESSOR_PUSHED,
                severity=Severity.HIGH,
                subject=succ,
                title=(
                    f"{pn.label(succ)} {pn.names[succ]} started on {started.isoformat()} but "
                    f"{pn.label(pred)} now lets it start only on {required.isoformat()}"
                ),
                message=(
                    f"{kind}{lag:+d} link from {pn.label(pred)}; {working_days(days)} of conflict"
                ),
                details={
                    "actual_start": started.isoformat(),
                    "required_start": required.isoformat(),
                    "days_late": days,
                    "upstream": pn.label(pred),
                },
                upstream=pred,
            )
        )
    for conflict in _worst_per_constraint(result.conflicts):
        ref = conflict.activity
        found.append(
            Detected(
                fingerprint=f"constraint:{ref}:{conflict.kind}",
                kind=AlertKind.CONSTRAINT_VIOLATED,
                severity=_severity_by_days(conflict.days, high_from=5),
                subject=ref,
                title=f"{pn.label(ref)} {pn.names[ref]} cannot keep its date constraint",
                message=pn.in_keys(conflict.message),
                details={"days_late": conflict.days, "constraint": conflict.kind},
                # a pinned date broken by a link: the chain starts upstream of that
                # link, so a link from another project makes the alert cross-project
                upstream=conflict.pred,
            )
        )
    found += _actuals_after_status_date(pn)
    if baseline is not None:
        late = {d.subject for d in found if d.kind in DATE_MISSED}
        unfed = {ref for ref, project in pn.project_of.items() if project is None} - fed
        found += _past_baseline(pn, result, baseline, drivers, skip=late | unfed)
    return found


def fed_milestones(pn: ProgramNetwork) -> set[str]:
    """The program milestones some work leads to (a link into them).

    One that nothing feeds (*unfed*) has no forecast: the scheduler puts it on the
    program's start or status date, a placeholder that is neither late nor early, so
    it is judged against neither its target nor its baseline (as the health rules and
    the milestone pages leave it be)."""
    return {succ for _, succ, _, _ in pn.links if pn.project_of.get(succ, 0) is None}


def _worst_per_constraint(conflicts: Iterable[Conflict]) -> list[Conflict]:
    """One conflict per activity and kind of constraint, the one furthest off: a pinned
    date that several links break is one broken constraint (one alert, one fingerprint),
    told by the link that breaks it most."""
    worst: dict[tuple[str, str], Conflict] = {}
    for conflict in conflicts:
        key = (conflict.activity, conflict.kind)
        if key not in worst or conflict.days > worst[key].days:
            worst[key] = conflict
    return list(worst.values())


@dataclass(frozen=True)
class BaselineFinishes:
    """A baseline's finish per activity id, also as two aligned columns."""

    finishes: Mapping[str, date]
    refs: list[str] = field(init=False)
    limits: DateArray = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "refs", list(self.finishes))
        object.__setattr__(self, "limits", np.array(list(self.finishes.values()), "datetime64[D]"))


MAX_BASELINES = 16
_lock = threading.Lock()
_baselines: OrderedDict[tuple[str, int, datetime], BaselineFinishes] = OrderedDict()


def current_baseline_finishes(session: Session, program_id: int) -> BaselineFinishes | None:
    """The program's current baseline finishes (``None`` without a baseline).

    A baseline never changes once taken, so the process keeps the last few it read
    (by database, id and when it was taken) rather than reading 10 000 rows on every
    reschedule."""
    from podium.services.baselines import baseline_finishes, current_baseline

    baseline = current_baseline(session, program_id)
    if baseline is None:
        return None
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    key = (engine.url.render_as_string(hide_password=True), baseline.id, baseline.taken_at)
    with _lock:
        finishes = _baselines.get(key)
    if finishes is None:
        finishes = BaselineFinishes(baseline_finishes(session, program_id))
        with _lock:
            _baselines[key] = finishes
            while len(_baselines) > MAX_BASELINES:
                _baselines.popitem(last=False)
    return finishes


def forget_baselines() -> None:
    """Forget every remembered baseline (tests that restore a database whose baselines
    have the ids of others read before)."""
    with _lock:
        _baselines.clear()


# a record that misses its deadline or target is not also flagged for its baseline
DATE_MISSED = (AlertKind.DEADLINE_MISSED, AlertKind.MILESTONE_TARGET_MISSED)


def _past_baseline(
    pn: ProgramNetwork,
    result: ScheduleResult,
    baseline: BaselineFinishes,
    drivers: DrivingLinks,
    *,
    skip: Collection[str],
) -> list[Detected]:
    """Program milestones forecast past their baseline finish, and tasks (a project's
    milestones among them) pushed past theirs by work in another project that slipped
    (or was not in the baseline).

    A task late by its own doing, or by work of its own project, is left to its
    project: the program is told where a slip crosses from one project into another,
    not at every task downstream of it."""
    refs, limits = baseline.refs, baseline.limits
    at = np.fromiter((result.index.get(ref, -1) for ref in refs), np.int64, len(refs))
    known = at >= 0
    late = np.zeros(len(refs), np.bool_)
    late[known] = (
        (result.early_finish[at[known]] > limits[known])
        & ~result.is_finished[at[known]]
        & ~result.is_summary[at[known]]
    )
    found = []
    for k in np.flatnonzero(late).tolist():
        ref = refs[k]
        if ref in skip:
            continue
        milestone = pn.project_of.get(ref) is None  # a program milestone
        upstream = None if milestone else drivers.across_projects(ref)
        if not milestone and (upstream is None or not _slipped(result, baseline, upstream)):
            continue  # late by its own doing, or by its own project's
        limit, forecast = baseline.finishes[ref], to_date(result.early_finish[at[k]])
        days = pn.calendar(ref).slip(limit, forecast)
        name = f"{pn.label(ref)} {pn.names[ref]}"
        details: dict[str, Any] = {
            "forecast": forecast.isoformat(),
            "limit": limit.isoformat(),
            "days_late": days,
        }
        if upstream is None:
            title = f"Milestone {name} is forecast {working_days(days)} past its baseline"
            message = f"forecast {forecast.isoformat()}, baseline {limit.isoformat()}"
        else:
            where = pn.project_keys.get(pn.project_of.get(upstream) or 0, "")
            title = (
                f"{name} finishes {working_days(days)} past its baseline, "
                f"pushed by {pn.label(upstream)} in {where}"
            )
            message = (
                f"forecast finish {forecast.isoformat()}, baseline {limit.isoformat()}; "
                f"driven by {pn.label(upstream)} {pn.names[upstream]} ({where})"
            )
            details["upstream"] = pn.label(upstream)
        found.append(
            Detected(
                fingerprint=f"baseline:{ref}",
                kind=AlertKind.PAST_BASELINE,
                severity=Severity.MEDIUM if days > 10 else Severity.LOW,
                subject=ref,
                title=title,
                message=message,
                details=details,
            )
        )
    return found


def _slipped(result: ScheduleResult, baseline: BaselineFinishes, ref: str) -> bool:
    """Whether ``ref`` finishes after its baseline finish, or was not in the baseline."""
    limit = baseline.finishes.get(ref)
    return limit is None or date_of(result, "early_finish", ref) > limit


def _links_into_started(
    pn: ProgramNetwork, drivers: DrivingLinks
) -> Iterator[tuple[str, str, str, int]]:
    """The links into started tasks; a link into a summary binds each of its subtasks."""
    if not pn.started:
        return
    below = drivers.subtasks
    for pred, succ, kind, lag in pn.links:
        for task in (succ, *below.get(succ, ())):
            if task in pn.started and task not in below:
                yield pred, task, kind, lag


def _actuals_after_status_date(pn: ProgramNetwork) -> list[Detected]:
    """Actual dates later than the status date: progress is reported as of that day, so
    they have not happened yet (a typing slip, or a status date left behind). Without a
    status date nothing is judged."""
    day = pn.network.status_date
    if day is None:
        return []
    found = []
    for a in pn.network.activities:
        late = [
            (what, when)
            for what, when in (("start", a.actual_start), ("finish", a.actual_finish))
            if when is not None and when > day
        ]
        if not late:
            continue
        said = " and ".join(f"actual {what} {human_day(when)}" for what, when in late)
        found.append(
            Detected(
                fingerprint=f"actual:{a.id}",
                kind=AlertKind.ACTUAL_AFTER_STATUS_DATE,
                severity=Severity.MEDIUM,
                subject=a.id,
                title=(
                    f"{pn.label(a.id)} {pn.names[a.id]} has an actual "
                    f"{' and '.join(what for what, _ in late)} after the status date"
                ),
                message=(
                    f"{said[0].upper()}{said[1:]}, after the status date {human_day(day)}: "
                    "correct the date or move the status date"
                ),
                details={
                    **{f"actual_{what}": when.isoformat() for what, when in late},
                    "status_date": day.isoformat(),
                },
                chained=False,
            )
        )
    return found


def rename_project_in_alerts(session: Session, program_id: int, old: str, new: str) -> None:
    """A project's new key in the program's open alerts (their projects and chains), which
    name projects by key: until the next reschedule they would name one that is gone."""
    for alert in session.scalars(
        select(Alert).where(Alert.program_id == program_id, Alert.resolved_at.is_(None))
    ):
        if old in alert.projects:
            alert.projects = [new if key == old else key for key in alert.projects]
        if any(entry.get("project_key") == old for entry in alert.chain):
            alert.chain = [
                {**entry, "project_key": new} if entry.get("project_key") == old else entry
                for entry in alert.chain
            ]


def _chain_entries(
    pn: ProgramNetwork, chain: list[str], result: ScheduleResult
) -> list[dict[str, Any]]:
    entries = []
    for ref in chain:
        project_id = pn.project_of.get(ref)
        entries.append(
            {
                "type": "task" if ref[0] == "t" else "milestone",
                "id": int(ref[1:]),
                "key": pn.label(ref),
                "name": pn.names.get(ref, ""),
                "project_key": pn.project_keys.get(project_id) if project_id else None,
                "early_finish": date_of(result, "early_finish", ref).isoformat(),
            }
        )
    return entries


# the kinds this module opens and resolves; other alerts (risk escalations …) belong
# to the services that raise them and outlive reschedules
SCHEDULE_ALERT_KINDS = (
    AlertKind.DEADLINE_MISSED,
    AlertKind.MILESTONE_TARGET_MISSED,
    AlertKind.STARTED_SUCCESSOR_PUSHED,
    AlertKind.CONSTRAINT_VIOLATED,
    AlertKind.ACTUAL_AFTER_STATUS_DATE,
    AlertKind.PAST_BASELINE,
    AlertKind.OVER_ALLOCATION,
)


def sync_alerts(
    session: Session,
    pn: ProgramNetwork,
    result: ScheduleResult,
    *,
    triggered_by: str,
    extra: Sequence[AlertValues] = (),
) -> None:
    """Open new alerts, refresh the ones still true, resolve the ones that went away
    (``extra``: alerts other detectors found in the same schedule, e.g. over-allocations)."""
    drivers = DrivingLinks(pn, result)
    baseline = current_baseline_finishes(session, pn.program_id)
    found: list[AlertValues] = []
    for conflict in detect_conflicts(pn, result, baseline=baseline, drivers=drivers):
        if conflict.upstream is not None:
            chain = [*drivers.chain(conflict.upstream), conflict.subject]
        elif not conflict.chained:
            chain = [conflict.subject]
        else:
            chain = drivers.chain(conflict.subject)
        entries = _chain_entries(pn, chain, result)
        projects = sorted({e["project_key"] for e in entries if e["project_key"]})
        found.append(
            AlertValues(
                fingerprint=conflict.fingerprint,
                kind=conflict.kind,
                severity=conflict.severity,
                subject_type="task" if conflict.subject[0] == "t" else "milestone",
                subject_id=int(conflict.subject[1:]),
                title=conflict.title,
                message=conflict.message,
                chain=entries,
                projects=projects,
                cross_project=len(projects) > 1,
                details=conflict.details,
            )
        )
    sync_detected(
        session, pn.program_id, SCHEDULE_ALERT_KINDS, [*found, *extra], triggered_by=triggered_by
    )


@dataclass
class AlertValues:
    """An alert as a detector found it, ready to store."""

    fingerprint: str
    kind: AlertKind
    severity: Severity
    subject_type: str
    subject_id: int
    title: str
    message: str
    chain: list[dict[str, Any]] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    cross_project: bool = False
    details: dict[str, Any] = field(default_factory=dict)


def sync_detected(
    session: Session,
    program_id: int,
    kinds: tuple[AlertKind, ...],
    found: list[AlertValues],
    *,
    triggered_by: str,
    subjects: Collection[tuple[str, int]] | None = None,
) -> None:
    """Make the program's open alerts of ``kinds`` exactly ``found``: open the new ones,
    refresh the ones still true, resolve the others (their history is kept).

    ``subjects``: the records (subject type and id) the detector looked at again, when it
    did not look at every one: the open alerts about other records are left as they are,
    neither refreshed nor resolved."""
    now = utcnow()
    open_alerts = {
        a.fingerprint: a
        for a in session.scalars(
            select(Alert).where(
                Alert.program_id == program_id,
                Alert.resolved_at.is_(None),
                Alert.kind.in_(kinds),
            )
        )
    }
    if subjects is not None:
        looked_at, still = set(subjects), {item.fingerprint for item in found}
        open_alerts = {
            fingerprint: a
            for fingerprint, a in open_alerts.items()
            if fingerprint in still or (a.subject_type, a.subject_id) in looked_at
        }
    raised: list[tuple[Alert, dict[str, Any]]] = []
    for item in found:
        values = {
            "kind": item.kind,
            "severity": item.severity,
            "subject_type": item.subject_type,
            "subject_id": item.subject_id,
            "title": item.title[:500],
            "message": item.message,
            "chain": item.chain,
            "projects": item.projects,
            "cross_project": item.cross_project,
            "details": item.details,
            "last_detected_at": now,
        }
        alert = open_alerts.pop(item.fingerprint, None)
        if alert is None:
            alert = Alert(
                program_id=program_id,
                fingerprint=item.fingerprint,
                first_detected_at=now,
                triggered_by=triggered_by,
                **values,
            )
            session.add(alert)
            raised.append((alert, values))
        else:
            for name, value in values.items():
                if getattr(alert, name) != value:
                    setattr(alert, name, value)
    if raised and events.has_subscribers(session, program_id):
        session.flush()  # the new alerts' ids, for the events (one flush for all of them)
        for alert, values in raised:
            events.emit(session, program_id, events.ALERT_RAISED, {"alert_id": alert.id, **values})
    for alert in open_alerts.values():
        alert.resolved_at = now
        events.emit(
            session,
            program_id,
            events.ALERT_RESOLVED,
            {"alert_id": alert.id, "title": alert.title, "kind": alert.kind},
        )


# --- reading an alert --------------------------------------------------------------

# the kinds whose ``chain`` holds the tasks that collide on one resource (they overlap
# in time; none drives another), not a chain of driving work
COLLIDING_KINDS = frozenset({AlertKind.OVER_ALLOCATION})


def get_alert(session: Session, actor: Actor, program_id: int, alert_id: int) -> Alert:
    """One of the program's alerts, open or resolved (a program the actor cannot see is
    ``NotFound``, as everywhere)."""
    require_role(session, actor, program_id, Role.VIEWER)
    alert = session.get(Alert, alert_id)
    if alert is None or alert.program_id != program_id:
        program = session.get(Program, program_id)
        raise NotFound(f"{program.key if program else 'the program'} has no alert {alert_id}")
    return alert


def other_programs(alert: Alert) -> int:
    """How many other programs have work in the alert's collision (never which)."""
    details = alert.details if isinstance(alert.details, dict) else {}
    count = details.get("other_programs")
    return count if isinstance(count, int) else 0


def collision_words(tasks: int, elsewhere: int) -> str:
    """What follows the keys of the colliding tasks: ``collide``, ``and work in 2 other
    programs collide``, ``collides with work in 1 other program``."""
    work = f"work in {elsewhere} other program{'' if elsewhere == 1 else 's'}"
    if tasks == 1:
        return f"collides with {work}" if elsewhere else "is over capacity on its own"
    return f"and {work} collide" if elsewhere else "collide"


def chain_text(alert: Alert) -> str:
    """The alert's chain on one line: upstream → downstream, each project named where
    the chain enters it (``PLAT-1 (PLAT) → PLAT-3 → TRAIN-3 (TRAIN) → M1``); or the tasks
    that collide, each project named at its first task (``PLAT-6 (PLAT), DATA-4 (DATA)
    collide``). Empty when the alert carries none."""
    steps, project = [], None
    for step in alert.chain or []:
        key = str(step.get("key", ""))
        here = step.get("project_key")
        if here and here != project:
            key = f"{key} ({here})"
        project = here or project
        steps.append(key)
    if not steps:
        return ""
    if alert.kind in COLLIDING_KINDS:
        return f"{', '.join(steps)} {collision_words(len(steps), other_programs(alert))}"
    return " → ".join(steps)


_LIMITS = {
    AlertKind.DEADLINE_MISSED: "deadline",
    AlertKind.MILESTONE_TARGET_MISSED: "target",
    AlertKind.PAST_BASELINE: "baseline finish",
}
_CONSTRAINTS = {
    "snlt": "start no later than",
    "fnlt": "finish no later than",
    "link": "a pinned date earlier than a link requires",
}
_ESCALATIONS = {"program": "program level", "steering": "the steering agenda"}


def alert_facts(alert: Alert) -> list[tuple[str, str]]:
    """The alert's details worded for people, as (label, text) in a fixed order; a detail
    not known here is shown as it is stored, so that nothing the alert carries is hidden."""
    details: dict[str, Any] = dict(alert.details) if isinstance(alert.details, dict) else {}
    if alert.kind == AlertKind.OVER_ALLOCATION:
        from podium.services.resources.overallocation import overload_facts

        return overload_facts(details)
    facts: list[tuple[str, str]] = []

    def take(key: str, label: str, word: Callable[[Any], str] = str) -> None:
        if details.get(key) is not None:
            facts.append((label, word(details.pop(key))))

    late = (
        "late by"
        if alert.kind in _LIMITS
        else "conflict"
        if alert.kind in (AlertKind.STARTED_SUCCESSOR_PUSHED, AlertKind.CONSTRAINT_VIOLATED)
        else "days late"
    )
    take("forecast", "forecast finish")
    take("limit", _LIMITS.get(alert.kind, "limit"))
    take("actual_start", "actual start")
    take("required_start", "may start only on")
    take("actual_finish", "actual finish")
    take("status_date", "status date")
    take("days_late", late, lambda d: working_days(int(d)))
    take("upstream", "driven by")
    take("constraint", "constraint", lambda c: _CONSTRAINTS.get(c, str(c)))
    take("score", "score")
    take("escalation", "escalated to", lambda e: _ESCALATIONS.get(e, str(e)))
    if details.get("latest_value") is not None:
        on = details.pop("latest_date", None)
        facts.append(
            ("latest reading", f"{details.pop('latest_value'):,.4g}" + (f" on {on}" if on else ""))
        )
    take("expected_value", "expected by then", lambda v: f"{v:,.4g}")
    take("realization_pct", "realized", lambda v: f"{v:g} %")
    take("expected_pct", "expected", lambda v: f"{v:g} %")
    take("gap_points", "gap", lambda v: f"{v:+g} points")
    take("url", "page")
    facts += [(key.replace("_", " "), str(value)) for key, value in details.items()]
    return facts
