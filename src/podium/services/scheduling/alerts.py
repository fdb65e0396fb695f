"""Schedule conflicts as alerts: detected on every reschedule, resolved when they disappear.

A conflict is identified by a fingerprint (its kind and the record it is about),
so one that persists across many edits stays one alert with its
``first_detected_at``; when a reschedule no longer finds it, ``resolved_at`` is
set. Each alert carries the chain of driving predecessors from the upstream
cause to the record that misses its date, and the projects along that chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine import ScheduleResult
from podium.engine.calendar import to_date
from podium.models import Alert, AlertKind, Severity, utcnow
from podium.services import events
from podium.services.common import human_day
from podium.services.scheduling.network import ProgramNetwork

MAX_CHAIN = 25


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


def _date(result: ScheduleResult, column: str, ref: str) -> date:
    return to_date(getattr(result, column)[result.index[ref]])


def _required_start(
    pn: ProgramNetwork, result: ScheduleResult, pred: str, kind: str, lag: int
) -> date | None:
    """The earliest start of a successor that a link from ``pred`` allows (FS and SS links)."""
    cal = pn.calendar(pred)
    if kind == "FS":
        return cal.add_workdays(_date(result, "early_finish", pred), 1 + lag)
    if kind == "SS":
        return cal.add_workdays(_date(result, "early_start", pred), lag)
    return None


def driving_chain(pn: ProgramNetwork, result: ScheduleResult, subject: str) -> list[str]:
    """Activity ids from the upstream cause down to ``subject``, following driving links."""
    preds: dict[str, list[tuple[str, str, int]]] = {}
    for pred, succ, kind, lag in pn.links:
        preds.setdefault(succ, []).append((pred, kind, lag))
    chain = [subject]
    seen = {subject}
    current = subject
    while len(chain) < MAX_CHAIN:
        best: tuple[int, str] | None = None
        for pred, kind, lag in preds.get(current, []):
            if pred in seen:
                continue
            # the predecessor whose link leaves the successor no slack drives it
            finish = _date(result, "early_finish", pred)
            start = _date(result, "early_start", pred)
            anchor = finish if kind in ("FS", "FF") else start
            score = anchor.toordinal() + lag
            if best is None or score > best[0]:
                best = (score, pred)
        if best is None:
            break
        pred = best[1]
        if result.total_float[result.index[pred]] > result.total_float[result.index[current]]:
            break  # the predecessor has slack of its own: it does not drive this one
        chain.append(pred)
        seen.add(pred)
        current = pred
    return list(reversed(chain))


def _severity_by_days(days: int, *, high_from: int) -> Severity:
    return (
        Severity.CRITICAL
        if days > 2 * high_from
        else Severity.HIGH
        if days > high_from
        else Severity.MEDIUM
    )


def detect_conflicts(pn: ProgramNetwork, result: ScheduleResult) -> list[Detected]:
    """Every deadline, milestone target, started successor and constraint the schedule breaks."""
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
                    f"{pn.label(ref)} {pn.names[ref]} finishes {miss.days_late} "
                    "working days after its deadline"
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
        forecast = _date(result, "early_finish", ref)
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
                    f"{days} working days past its target"
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
        required = _required_start(pn, result, pred, kind, lag)
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
                    f"{kind}{lag:+d} link from {pn.label(pred)}; {days} working days of conflict"
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
    return found


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
                "early_finish": _date(result, "early_finish", ref).isoformat(),
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
    found: list[AlertValues] = []
    for conflict in detect_conflicts(pn, result):
        if conflict.upstream is not None:
            chain = [*driving_chain(pn, result, conflict.upstream), conflict.subject]
        elif not conflict.chained:
            chain = [conflict.subject]
        else:
            chain = driving_chain(pn, result, conflict.subject)
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
