"""Over-allocation alerts: one per resource in each program whose work is in the overload.

Raised when a program is rescheduled, resolved when the overload goes away. Its own
alerts are stored with its other schedule alerts; the resources it books or has
open alerts about are looked at again, and the alerts about those resources (and
only those) of every program that books one or has an open alert about one are
brought up to date at the same time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from podium.engine.load import Overload
from podium.models import Alert, AlertKind, Assignment, Program, Resource, Severity, utcnow
from podium.services.common import human_day
from podium.services.resources.demand import Demand, compute, gather_demand
from podium.services.resources.load import alert_window
from podium.services.scheduling.alerts import AlertValues, working_days
from podium.services.scheduling.network import ProgramNetwork, resource_ref
from podium.text import listed


def programs_sharing(session: Session, program_id: int) -> tuple[set[int], set[int]]:
    """The resources assigned in the program, and every program assigning any of them."""
    resources = _booked_resources(session, program_id)
    if not resources:
        return set(), {program_id}
    programs = set(
        session.scalars(
            select(Assignment.program_id)
            .join(Program, Program.id == Assignment.program_id)
            .where(Assignment.resource_id.in_(resources), Program.scenario_of_id.is_(None))
            .distinct()
        )
    )
    return resources, programs | {program_id}


def overload_alerts(
    session: Session,
    program_ids: set[int],
    resource_ids: set[int],
    *,
    since: dict[int, date],
    networks: dict[int, ProgramNetwork] | None = None,
    viewpoint: int | None = None,
) -> dict[int, list[AlertValues]]:
    """For each program, one alert per resource over-allocated by its work on or after
    ``since[program]`` (its status date or today), naming the days and the tasks
    (``viewpoint``: a what-if scenario's copy, whose work then replaces its live program's)."""
    found: dict[int, list[AlertValues]] = {p: [] for p in program_ids}
    if not resource_ids:
        return found
    demand = gather_demand(session, resource_ids, networks=networks, default_program=viewpoint)
    first = min((since.get(p, date.min) for p in program_ids), default=date.min)
    window = alert_window(demand.bookings, first)
    if window is None:
        return found
    load = compute(demand, start=window[0], finish=window[1])
    names = {resource_ref(r.id): r for r in demand.resources}
    by_resource: dict[str, list[Overload]] = {}
    for o in load.overloads:
        by_resource.setdefault(o.resource, []).append(o)
    for ref, overloads in by_resource.items():
        resource = names[ref]
        for program_id in program_ids:
            mine = [
                o
                for o in overloads
                if o.finish >= since.get(program_id, date.min)
                and any(demand.tasks[t].program_id == program_id for t in o.tasks)
            ]
            if mine:
                found[program_id].append(_alert(resource, mine, demand, program_id))
    return found


def _asked(peak: float | None, days: int, days_off: int) -> str:
    """``is asked for up to 150% of capacity on 6 days, 1 of them a day off``; with work
    only on days off, ``is asked to work on 2 days off``."""
    plural = "s" if days != 1 else ""
    if peak is None:
        return f"is asked to work on {days} day{plural} off"
    off = f", {days_off} of them {'a day' if days_off == 1 else 'days'} off" if days_off else ""
    return f"is asked for up to {peak:.0%} of capacity on {days} day{plural}{off}"


def _alert(
    resource: Resource, overloads: list[Overload], demand: Demand, program_id: int
) -> AlertValues:
    days = sum(o.days for o in overloads)
    # the peak share of capacity on days that have capacity; work asked on a day without
    # any (the resource's day off) is counted apart, never as a share of nothing
    shares = [o.peak_utilization for o in overloads if o.peak_utilization is not None]
    peak = max(shares) if shares else None
    days_off = sum(o.days_off for o in overloads)
    tasks = [demand.tasks[t] for o in overloads for t in o.tasks]
    # the program's tasks in the overload, project by project: they collide (overlap in
    # time), none drives another, so they read as a list, not a chain
    here = sorted(
        {t.task_id: t for t in tasks if t.program_id == program_id}.values(),
        key=lambda t: (t.project_key, t.start, t.key),
    )
    # everyone who sees this program reads the alert: other programs are counted, never
    # named, nor their tasks (the resource's load names them to those who may see them)
    elsewhere = len({t.program_id for t in tasks if t.program_id != program_id})
    projects = sorted({t.project_key for t in here})
    first = overloads[0]
    when = f"{human_day(first.start)}–{human_day(first.finish)}"
    if len(overloads) > 1:
        when += f" and {len(overloads) - 1} more period{'s' if len(overloads) > 2 else ''}"
    severity = (
        Severity.HIGH
        if days >= 10 or (peak or 0) >= 2
        else Severity.MEDIUM
        if days >= 3 or days_off
        else Severity.LOW
    )
    colliding = ", ".join(f"{t.key} ({t.project_key})" for t in here[:6])
    message = (
        f"{resource.name} {_asked(peak, days, days_off)} ({when}); tasks colliding: {colliding}"
        + (
            f", and work in {elsewhere} other program{'s' if elsewhere > 1 else ''}"
            if elsewhere
            else ""
        )
        + ". Level the program or change the assignments."
    )
    return AlertValues(
        fingerprint=f"over_allocation:r{resource.id}",
        kind=AlertKind.OVER_ALLOCATION,
        severity=severity,
        subject_type="resource",
        subject_id=resource.id,
        title=f"{resource.name} over-allocated on {days} day{'s' if days != 1 else ''} "
        f"from {human_day(first.start)}",
        message=message,
        chain=[
            {
                "type": "task",
                "id": t.task_id,
                "ref": f"t{t.task_id}",
                "key": t.key,
                "name": t.name,
                "project_key": t.project_key,
                "early_finish": t.finish.isoformat(),
            }
            for t in here[:25]
        ],
        projects=projects,
        cross_project=len(projects) > 1 or elsewhere > 0,
        details={
            "resource_id": resource.id,
            "resource_key": resource.key,
            "days": days,
            "peak_utilization": None if peak is None else round(peak, 3),
            "days_off": days_off,  # over-allocated days on which the resource has no capacity
            "other_programs": elsewhere,  # how many: they are not named
            "periods": [
                {
                    "start": o.start.isoformat(),
                    "finish": o.finish.isoformat(),
                    "days": o.days,
                    "peak_demand": round(o.peak_demand, 3),
                    "capacity": round(o.capacity, 3),
                    "tasks": [
                        demand.tasks[t].key
                        for t in o.tasks
                        if demand.tasks[t].program_id == program_id
                    ],
                    "other_tasks": sum(demand.tasks[t].program_id != program_id for t in o.tasks),
                }
                for o in overloads
            ],
        },
    )


def overload_facts(details: dict[str, Any]) -> list[tuple[str, str]]:
    """An over-allocation alert's details worded for people, as (label, text): the peak,
    the days over capacity, the work in other programs (counted, never named) and each
    period with its tasks here."""
    facts: list[tuple[str, str]] = []  # the resource is the alert's subject
    if isinstance(details.get("peak_utilization"), int | float):
        facts.append(("peak", f"{details['peak_utilization']:.0%} of capacity"))
    if isinstance(details.get("days"), int):
        facts.append(("over capacity", working_days(details["days"])))
    if details.get("days_off"):
        facts.append(("days off", f"asked to work on {details['days_off']} of its days off"))
    elsewhere = details.get("other_programs")
    if isinstance(elsewhere, int):
        facts.append(
            (
                "other programs",
                f"work in {elsewhere} other program{'' if elsewhere == 1 else 's'}"
                if elsewhere
                else "none",
            )
        )
    periods = details.get("periods") or []
    for n, period in enumerate(periods):
        label = "" if n else "periods" if len(periods) > 1 else "period"
        facts.append((label, _period_text(period)))
    return facts


def _period_text(period: dict[str, Any]) -> str:
    """``21 Dec 2026 – 5 Jan 2027, 10 working days: demand up to 4 against capacity 3
    (133%); PLAT-6, DATA-4 and 2 tasks in other programs``."""
    start, finish = _day(period.get("start")), _day(period.get("finish"))
    when = human_day(start) if start else "?"
    if finish and finish != start:
        when += f" – {human_day(finish)}"
    text = when
    if isinstance(period.get("days"), int):
        text += f", {working_days(period['days'])}"
    peak, capacity = period.get("peak_demand"), period.get("capacity")
    if isinstance(peak, int | float) and isinstance(capacity, int | float):
        share = f" ({peak / capacity:.0%})" if capacity > 0 else ""
        text += f": demand up to {peak:g} against capacity {capacity:g}{share}"
    work = [str(key) for key in period.get("tasks") or []]
    others = period.get("other_tasks")
    if isinstance(others, int) and others:
        work.append(f"{others} task{'' if others == 1 else 's'} in other programs")
    if work:
        text += "; " + listed(work)
    return text


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def sync_over_allocation(
    session: Session, pn: ProgramNetwork, *, triggered_by: str, moved: set[str] | None = None
) -> list[AlertValues]:
    """Over-allocation alerts after ``pn``'s program was rescheduled: returns its own (to
    store with its other alerts) and brings those of every other program up to date for
    the resources looked at again. ``moved``: the only tasks whose dates changed (nothing
    else did), so that only their resources are looked at again; ``None``: every resource
    the program books or has an open alert about (one it no longer books is looked at
    too, so that an overload gone with the assignment is seen in the other programs)."""
    from podium.services.scheduling.alerts import sync_detected

    booked = _booked_resources(session, pn.program_id)
    alerted = _alerted_resources(session, pn.program_id)
    kept: list[AlertValues] = []
    if moved is None:
        resources = booked | alerted
    else:
        touched = {int(x.resource[1:]) for x in pn.assignments if x.task in moved}
        kept = _kept_alerts(session, pn.program_id, (booked & alerted) - touched)
        resources = touched | (alerted - booked)
    if not resources:
        return kept
    scenario = session.scalar(select(Program.scenario_of_id).where(Program.id == pn.program_id))
    # a what-if copy: its own alerts against the live programs, and no one else's
    judged = {pn.program_id} if scenario else programs_concerned(session, resources)
    judged.add(pn.program_id)
    status: dict[int, date | None] = {
        row.id: row.status_date
        for row in session.execute(
            select(Program.id, Program.status_date).where(Program.id.in_(judged))
        )
    }
    today = utcnow().date()
    found = overload_alerts(
        session,
        judged,
        resources,
        since={p: status.get(p) or today for p in judged},
        networks={pn.program_id: pn},
        viewpoint=pn.program_id if scenario else None,
    )
    # the others' alerts about resources not looked at again are left as they are
    subjects = [("resource", r) for r in sorted(resources)]
    for other in sorted(judged - {pn.program_id}):
        sync_detected(
            session,
            other,
            (AlertKind.OVER_ALLOCATION,),
            found[other],
            triggered_by=triggered_by,
            subjects=subjects,
        )
    return found[pn.program_id] + kept


def _booked_resources(session: Session, program_id: int) -> set[int]:
    """The resources assigned in the program."""
    return set(
        session.scalars(
            select(Assignment.resource_id).where(Assignment.program_id == program_id).distinct()
        )
    )


def _open_alerts_about(resources: set[int] | None = None) -> ColumnElement[bool]:
    condition = (
        (Alert.kind == AlertKind.OVER_ALLOCATION)
        & Alert.resolved_at.is_(None)
        & (Alert.subject_type == "resource")
    )
    return condition if resources is None else condition & Alert.subject_id.in_(resources)


def _alerted_resources(session: Session, program_id: int) -> set[int]:
    """The resources the program has open over-allocation alerts about."""
    return set(
        session.scalars(
            select(Alert.subject_id)
            .where(Alert.program_id == program_id, _open_alerts_about())
            .distinct()
        )
    )


def programs_concerned(session: Session, resources: set[int]) -> set[int]:
    """The live programs (no what-if copies) that assign any of ``resources`` or have an
    open over-allocation alert about one: those whose alerts about them may change."""
    if not resources:
        return set()
    live = Program.scenario_of_id.is_(None)
    booking = set(
        session.scalars(
            select(Assignment.program_id)
            .join(Program, Program.id == Assignment.program_id)
            .where(Assignment.resource_id.in_(resources), live)
            .distinct()
        )
    )
    alerted = set(
        session.scalars(
            select(Alert.program_id)
            .join(Program, Program.id == Alert.program_id)
            .where(_open_alerts_about(resources), live)
            .distinct()
        )
    )
    return booking | alerted


def _kept_alerts(session: Session, program_id: int, resources: set[int]) -> list[AlertValues]:
    """The program's open over-allocation alerts about ``resources`` (which nothing
    changed), as they are, so that a partial pass keeps them open."""
    if not resources:
        return []
    return [
        AlertValues(
            fingerprint=a.fingerprint,
            kind=a.kind,
            severity=a.severity,
            subject_type=a.subject_type,
            subject_id=a.subject_id,
            title=a.title,
            message=a.message,
            chain=list(a.chain),
            projects=list(a.projects),
            cross_project=a.cross_project,
            details=dict(a.details),
        )
        for a in session.scalars(
            select(Alert)
            .where(Alert.program_id == program_id, _open_alerts_about(resources))
            .order_by(Alert.id)
        )
    ]
