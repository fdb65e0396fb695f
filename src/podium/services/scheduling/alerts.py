"""Schedule conflicts as alerts: detected on every reschedule, resolved when they disappear.

A conflict is identified by a fingerprint (its kind and the record it is about),
so one that persists across many edits stays one alert with its
``first_detected_at``; when a reschedule no longer finds it, ``resolved_at`` is
set. Each alert carries the chain of driving predecessors from the upstream
cause to the record that misses its date (:mod:`.driving`), and the projects along
that chain.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from podium.engine import ScheduleResult
from podium.engine.calendar import DateArray, to_date
from podium.models import Alert, AlertKind, Severity, utcnow
from podium.services import events
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
    breaks, and the work pushed past its ``baseline`` finish."""
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
    for ref, target in pn.targets.items():
        forecast = date_of(result, "early_finish", ref)
        if forecast <= target:
            continue
        days = pn.network.default_calendar.slip(target, forecast)
        found.append(
            Detected(
                fingerprint=f"target:{ref}",
                kind=AlertKind.MILESTONE_TARGET_MISSED,
                severity=Severity.CRITICAL if days > 10 else Severity.HIGH,
                subject=ref,
                title=(
                    f"Milestone {pn.label(ref)} {pn.names[ref]} is forecast "
                    f"{working_days(days)} past its target"
                ),
                message=f"forecast {forecast.isoformat()}, target {target.isoformat()}",
                details={
                    "forecast": forecast.isoformat(),
                    "limit": target.isoformat(),
                    "days_late": days,
                },
            )
        )
    for pred, succ, kind, lag in pn.links:
        started = pn.started.get(succ)
        if started is None or pred in pn.finished or succ in pn.finished:
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
    for conflict in result.conflicts:
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
            )
        )
    found += _actuals_after_status_date(pn)
    if baseline is not None:
        late = {d.subject for d in found if d.kind in DATE_MISSED}
        found += _past_baseline(
            pn, result, baseline, drivers or DrivingLinks(pn, result), skip=late
        )
    return found


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
) -> None:
    """Make the program's open alerts of ``kinds`` exactly ``found``: open the new ones,
    refresh the ones still true, resolve the others (their history is kept)."""
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
