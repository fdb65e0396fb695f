"""The organisation's resources: people, teams and equipment shared by programs.

Anyone signed in reads them (a resource is shared: a manager must see who else
books a person). Admins and anyone who manages or owns a program add and
change them, as with calendars. A resource's calendar, time off, capacity and
hours per day are schedule inputs of every program that assigns it: changing
them reschedules those programs (new hours per day first set again the
duration of the effort-driven tasks it works on: the same work takes more or
fewer days).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from podium.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from podium.interop.plan_resources import MAX_TIME_OFF_DAYS, time_off_total, too_much_time_off
from podium.models import (
    Assignment,
    Calendar,
    Program,
    Resource,
    ResourceKind,
    Role,
    Task,
    User,
)
from podium.services.actor import (
    Actor,
    manages_all,
    require_manager_of_all,
    require_role,
    visible_program_ids,
)
from podium.services.audit import record_created, record_deleted
from podium.services.calendars import can_edit_calendars
from podium.services.common import apply_update, check_version, flush, paginate
from podium.services.resources.effort import apply_effort_of_resource
from podium.services.scheduling.pending import mark_program

RESOURCE_FIELDS = [
    "key",
    "name",
    "kind",
    "description",
    "capacity",
    "hours_per_day",
    "cost_rate",
    "calendar_id",
    "time_off",
    "user_id",
    "active",
]
SCHEDULE_INPUTS = ("capacity", "calendar_id", "time_off", "hours_per_day")
MAX_ID = 2**31 - 1


@dataclass(frozen=True, slots=True)
class TimeOff:
    """Days a resource does not work (both ends included)."""

    start: date
    finish: date
    note: str = ""


def time_off_errors(periods: Mapping[int, TimeOff]) -> list[dict[str, str]]:
    """What is wrong with time off (periods by their row): a finish before its start, on
    that row's ``time_off.{row}.finish``; more than :data:`MAX_TIME_OFF_DAYS` in all, on
    ``time_off``."""
    errors = [
        {"field": f"time_off.{k}.finish", "message": f"{p.finish} is before the start {p.start}"}
        for k, p in periods.items()
        if p.finish < p.start
    ]
    total = time_off_total([(p.start, p.finish) for p in periods.values()])
    if total > MAX_TIME_OFF_DAYS:
        errors.append({"field": "time_off", "message": too_much_time_off(total)})
    return errors


def stored_time_off(periods: Sequence[TimeOff]) -> list[dict[str, str]]:
    """Time off as stored: sorted, checked (:func:`time_off_errors`)."""
    errors = time_off_errors(dict(enumerate(periods)))
    if errors:
        raise ValidationFailed("the time off is not valid", details=errors)
    ordered = sorted(periods, key=lambda p: (p.start, p.finish))
    return [
        {"start": p.start.isoformat(), "finish": p.finish.isoformat(), "note": p.note}
        for p in ordered
    ]


def time_off_of(resource: Resource) -> list[TimeOff]:
    return [
        TimeOff(date.fromisoformat(p["start"]), date.fromisoformat(p["finish"]), p.get("note", ""))
        for p in resource.time_off or []
    ]


def require_resource_editor(session: Session, actor: Actor) -> None:
    if not can_edit_calendars(session, actor):
        raise Forbidden("only admins and program managers or owners can change resources")


def can_edit_resources(session: Session, actor: Actor) -> bool:
    return can_edit_calendars(session, actor)


def require_resource_change(session: Session, actor: Actor, resource: Resource) -> None:
    """Refuses (403) anyone but an admin or a manager or owner of every program that
    assigns the resource: a change to it moves their schedules."""
    require_resource_editor(session, actor)
    require_manager_of_all(
        session, actor, programs_assigning(session, resource.id), what=f"resource {resource.name}"
    )


def may_change_resource(session: Session, actor: Actor, resource: Resource) -> bool:
    """Whether the actor may change this resource (see :func:`update_resource`)."""
    return can_edit_resources(session, actor) and manages_all(
        session, actor, programs_assigning(session, resource.id)
    )


def get_resource(session: Session, actor: Actor, resource_id: int) -> Resource:
    """A resource (every signed-in user may read every resource)."""
    resource = session.get(Resource, resource_id) if 0 < resource_id <= MAX_ID else None
    if resource is None:
        raise NotFound(f"resource {resource_id} not found")
    return resource


def find_resource(session: Session, key: str) -> Resource | None:
    return session.scalar(select(Resource).where(func.lower(Resource.key) == key.lower()))


def list_resources(
    session: Session,
    actor: Actor,
    *,
    q: str | None = None,
    kind: ResourceKind | None = None,
    program_id: int | None = None,
    active: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Resource], int]:
    """Resources by name; ``program_id`` keeps those assigned in that program."""
    query = select(Resource).order_by(Resource.name, Resource.id)
    if q:
        query = query.where(
            or_(
                Resource.name.icontains(q, autoescape=True),
                Resource.key.icontains(q, autoescape=True),
            )
        )
    if kind is not None:
        query = query.where(Resource.kind == kind)
    if active is not None:
        query = query.where(Resource.active.is_(active))
    if program_id is not None:
        require_role(session, actor, program_id, Role.VIEWER)  # who works where is the program's
        used = select(Assignment.resource_id).where(Assignment.program_id == program_id)
        query = query.where(Resource.id.in_(used))
    return paginate(session, query, limit=limit, offset=offset)


def namesakes(session: Session, resource: Resource) -> list[Resource]:
    """The other resources with the same name (ignoring case). Allowed, as real plans have
    homonyms; the pages warn and show the keys that tell them apart."""
    same = func.lower(Resource.name) == func.lower(resource.name)
    query = select(Resource).where(same, Resource.id != resource.id).order_by(Resource.key)
    return list(session.scalars(query))


def shared_names(session: Session, names: Sequence[str]) -> set[str]:
    """Those of ``names`` that more than one resource carries (ignoring case): where they
    show, the key goes beside them."""
    wanted = set(names)
    if not wanted:
        return set()
    lowered = func.lower(Resource.name)
    shared = select(lowered).group_by(lowered).having(func.count() > 1)
    query = select(Resource.name).where(Resource.name.in_(wanted), lowered.in_(shared))
    return set(session.scalars(query.distinct()))


def check_key_free(session: Session, key: str, *, except_id: int | None = None) -> None:
    """Keys are unique, ignoring case: refuse one another resource has."""
    existing = find_resource(session, key)
    if existing is not None and existing.id != except_id:
        raise Conflict(
            f"a resource with key {existing.key} already exists ({existing.name})",
            code="duplicate_key",
            details={"field": "key"},
        )


def _check_references(session: Session, values: Mapping[str, Any]) -> None:
    calendar_id = values.get("calendar_id")
    if calendar_id is not None and (
        not 0 < calendar_id <= MAX_ID or session.get(Calendar, calendar_id) is None
    ):
        raise field_error("calendar_id", f"no calendar {calendar_id}")
    user_id = values.get("user_id")
    if user_id is not None and (not 0 < user_id <= MAX_ID or session.get(User, user_id) is None):
        raise field_error("user_id", f"no user {user_id}")


def check_account_free(session: Session, user_id: int, *, except_id: int | None = None) -> None:
    """A sign-in account is linked to one resource at most: refuse it when another
    resource holds it."""
    holder = session.scalar(
        select(Resource)
        .where(Resource.user_id == user_id, Resource.id != (except_id or 0))
        .order_by(Resource.id)
        .limit(1)
    )
    if holder is not None:
        email = session.scalar(select(User.email).where(User.id == user_id))
        raise Conflict(
            f"the account {email} is already linked to resource {holder.key} ({holder.name})",
            code="account_taken",
            details={"field": "user_id", "resource_id": holder.id},
        )


def account_email(session: Session, resource: Resource) -> str:
    """The email of the account a resource is linked to ("" for none)."""
    if resource.user_id is None:
        return ""
    return session.scalar(select(User.email).where(User.id == resource.user_id)) or ""


def account_id(session: Session, email: str) -> int | None:
    """The id of the account with this email (any case), ``None`` for a blank one; an
    unknown email is refused on the ``account_email`` field."""
    wanted = email.strip().lower()
    if not wanted:
        return None
    found = session.scalar(select(User.id).where(func.lower(User.email) == wanted))
    if found is None:
        raise field_error("account_email", f"no account with email {email.strip()}")
    return found


def create_resource(
    session: Session,
    actor: Actor,
    *,
    key: str,
    name: str,
    kind: ResourceKind = ResourceKind.PERSON,
    description: str = "",
    capacity: float = 1.0,
    hours_per_day: float = 8.0,
    cost_rate: float = 0.0,
    calendar_id: int | None = None,
    time_off: Sequence[TimeOff] = (),
    user_id: int | None = None,
    active: bool = True,
) -> Resource:
    """A new resource; keys are unique, ignoring case."""
    require_resource_editor(session, actor)
    check_key_free(session, key)
    values = {"calendar_id": calendar_id, "user_id": user_id}
    _check_references(session, values)
    if user_id is not None:
        check_account_free(session, user_id)
    resource = Resource(
        key=key,
        name=name,
        kind=kind,
        description=description,
        capacity=capacity,
        hours_per_day=hours_per_day,
        cost_rate=cost_rate,
        calendar_id=calendar_id,
        time_off=stored_time_off(time_off),
        user_id=user_id,
        active=active,
    )
    session.add(resource)
    flush(session)
    record_created(session, actor, resource, program_id=None, fields=RESOURCE_FIELDS)
    flush(session)
    return resource


def programs_assigning(session: Session, resource_id: int) -> list[int]:
    """Ids of the programs with work assigned to the resource."""
    return list(
        session.scalars(
            select(Assignment.program_id).where(Assignment.resource_id == resource_id).distinct()
        )
    )


def update_resource(
    session: Session,
    actor: Actor,
    resource_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Resource:
    """Change a resource; new ``time_off`` replaces the old list. Lowering the capacity
    below an assignment's units is refused (no day could hold that task); new hours per
    day set again the duration of the effort-driven tasks it works on."""
    require_resource_editor(session, actor)  # before the lookup: 403, not 404
    resource = get_resource(session, actor, resource_id)
    assigning = programs_assigning(session, resource.id)
    require_manager_of_all(session, actor, assigning, what=f"resource {resource.name}")
    check_version(resource, expected_version)
    changes = dict(updates)
    if "key" in changes and changes["key"] != resource.key:
        check_key_free(session, changes["key"], except_id=resource.id)
    _check_references(session, changes)
    if changes.get("user_id") is not None:
        check_account_free(session, changes["user_id"], except_id=resource.id)
    if "time_off" in changes:
        changes["time_off"] = stored_time_off(list(changes["time_off"]))
    if "capacity" in changes:
        check_capacity_fits(session, resource, float(changes["capacity"]))
    before = {name: getattr(resource, name) for name in SCHEDULE_INPUTS}
    apply_update(
        session, actor, resource, changes, program_id=None, expected_version=expected_version
    )
    if resource.hours_per_day != before["hours_per_day"]:
        apply_effort_of_resource(session, actor, resource.id)
    if any(getattr(resource, name) != old for name, old in before.items()):
        for program_id in assigning:
            mark_program(session, program_id)
    return resource


def check_capacity_fits(session: Session, resource: Resource, capacity: float) -> None:
    """Refuse a capacity below the units of one of the resource's assignments: no day
    could hold that task."""
    biggest = session.execute(
        select(Assignment.units, Task.key)
        .join(Task, Task.id == Assignment.task_id)
        .where(Assignment.resource_id == resource.id)
        .order_by(Assignment.units.desc())
        .limit(1)
    ).first()
    if biggest is not None and biggest.units > capacity + 1e-9:
        raise ValidationFailed(
            f"{resource.name} works {biggest.units:g} unit{'' if biggest.units == 1 else 's'} "
            f"on {biggest.key}; "
            f"a capacity of {capacity:g} could never hold that task",
            details=[{"field": "capacity", "message": f"at least {biggest.units:g}"}],
        )


def delete_resource(
    session: Session, actor: Actor, resource_id: int, *, expected_version: int | None = None
) -> None:
    """Remove a resource that has no assignments (unassign it first, or deactivate it)."""
    require_resource_editor(session, actor)
    resource = get_resource(session, actor, resource_id)
    check_version(resource, expected_version)
    used = session.execute(
        select(Program.key, func.coalesce(Program.scenario_of_id, Program.id), func.count())
        .select_from(Assignment)
        .join(Program, Program.id == Assignment.program_id)
        .where(Assignment.resource_id == resource.id)
        .group_by(Program.key, Program.scenario_of_id, Program.id)
        .order_by(Program.key)
    ).all()
    if used:
        visible = visible_program_ids(session, actor)
        shown = {key: n for key, live, n in used if visible is None or live in visible}
        hidden = sum(n for key, _, n in used if key not in shown)
        where = ", ".join(f"{n} in {key}" for key, n in shown.items())
        if hidden:
            where += f"{', ' if where else ''}{hidden} in programs you cannot see"
        raise Conflict(
            f"{resource.name} is assigned to tasks ({where}); remove the assignments "
            "first, or mark the resource inactive",
            code="resource_in_use",
            details={"assignments": shown, "hidden": hidden},
        )
    record_deleted(session, actor, resource, program_id=None, fields=RESOURCE_FIELDS)
    session.delete(resource)
    flush(session)
