"""Over-allocation alerts: one per resource in each program whose work is in the overload.

Raised when a program is rescheduled (its own alerts are stored with its other
schedule alerts; those of every program sharing a resource with it are brought
up to date at the same time), resolved when the overload goes away.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine.load import Overload
from podium.models import Alert, AlertKind, Assignment, Program, Resource, Severity, utcnow
from podium.services.common import human_day
from podium.services.resources.load import Demand, alert_window, compute, gather_demand
from podium.services.scheduling.alerts import AlertValues
from podium.services.scheduling.network import ProgramNetwork, resource_ref


def programs_sharing(session: Session, program_id: int) -> tuple[set[int], set[int]]:
    """The resources assigned in the program, and every program assigning any of them."""
    resources = set(
        session.scalars(
            select(Assignment.resource_id).where(Assignment.program_id == program_id).distinct()
        )
    )
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


def _alert(
    resource: Resource, overloads: list[Overload], demand: Demand, program_id: int
) -> AlertValues:
    days = sum(o.days for o in overloads)
    peak = max(o.peak_demand / o.capacity if o.capacity > 0 else 9.99 for o in overloads)
    tasks = [demand.tasks[t] for o in overloads for t in o.tasks]
    here = list({t.task_id: t for t in tasks if t.program_id == program_id}.values())
    # everyone who sees this program reads the alert: other programs are counted, never
    # named, nor their tasks (the resource's load names them to those who may see them)
    elsewhere = len({t.program_id for t in tasks if t.program_id != program_id})
    projects = sorted({t.project_key for t in here})
    first = overloads[0]
    when = f"{human_day(first.start)}–{human_day(first.finish)}"
    if len(overloads) > 1:
        when += f" and {len(overloads) - 1} more period{'s' if len(overloads) > 2 else ''}"
    severity = (
        Severity.HIGH if days >= 10 or peak >= 2 else Severity.MEDIUM if days >= 3 else Severity.LOW
    )
    colliding = ", ".join(f"{t.key} ({t.project_key})" for t in here[:6])
    message = (
        f"{resource.name} is asked for up to {peak:.0%} of capacity on {days} working "
        f"day{'s' if days != 1 else ''} ({when}); tasks colliding: {colliding}"
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
            "peak_utilization": round(peak, 3),
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


def sync_over_allocation(
    session: Session, pn: ProgramNetwork, *, triggered_by: str, moved: set[str] | None = None
) -> list[AlertValues]:
    """Over-allocation alerts after ``pn``'s program was rescheduled: returns its own (to
    store with its other alerts) and brings those of every program sharing a resource
    with it up to date. ``moved``: the only tasks whose dates changed (nothing else did),
    so that only their resources are looked at again; ``None``: look at every resource."""
    from podium.services.scheduling.alerts import sync_detected

    resources, sharing = programs_sharing(session, pn.program_id)
    kept: dict[int, list[AlertValues]] = {}
    if moved is not None and resources:
        touched = {int(x.resource[1:]) for x in pn.assignments if x.task in moved}
        kept = _kept_alerts(session, sharing, resources - touched)
        resources = touched
        if not resources:
            return kept.get(pn.program_id, [])
    status: dict[int, date | None] = {
        row.id: row.status_date
        for row in session.execute(
            select(Program.id, Program.status_date).where(Program.id.in_(sharing))
        )
    }
    today = utcnow().date()
    since = {p: status.get(p) or today for p in sharing}
    if session.scalar(select(Program.scenario_of_id).where(Program.id == pn.program_id)):
        # a what-if copy: its own alerts against the live programs, and no one else's
        return overload_alerts(
            session,
            {pn.program_id},
            resources,
            since=since,
            networks={pn.program_id: pn},
            viewpoint=pn.program_id,
        )[pn.program_id] + kept.get(pn.program_id, [])
    found = overload_alerts(session, sharing, resources, since=since, networks={pn.program_id: pn})
    for program_id, alerts in kept.items():
        found.setdefault(program_id, []).extend(alerts)
    for other in sorted(sharing - {pn.program_id}):
        sync_detected(
            session, other, (AlertKind.OVER_ALLOCATION,), found[other], triggered_by=triggered_by
        )
    return found.get(pn.program_id, [])


def _kept_alerts(
    session: Session, programs: set[int], resources: set[int]
) -> dict[int, list[AlertValues]]:
    """The open over-allocation alerts about ``resources`` (which nothing changed), as they
    are, so that a partial pass keeps them open."""
    kept: dict[int, list[AlertValues]] = {}
    if not resources:
        return kept
    for a in session.scalars(
        select(Alert).where(
            Alert.program_id.in_(programs),
            Alert.kind == AlertKind.OVER_ALLOCATION,
            Alert.resolved_at.is_(None),
            Alert.subject_id.in_(resources),
        )
    ):
        kept.setdefault(a.program_id, []).append(
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
        )
    return kept
