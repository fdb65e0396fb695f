"""Programs and their members."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from podium.currency import checked_currency
from podium.errors import Conflict, NotFound, field_error
from podium.models import (
    Membership,
    Program,
    ProgramStatus,
    Project,
    Role,
    Scenario,
    ScenarioStatus,
    Task,
    User,
)
from podium.services.actor import (
    Actor,
    refuse_scenario_copy,
    require_role,
    visible_program_ids,
)
from podium.services.audit import record_change, record_created, record_deleted
from podium.services.benefits import sync_benefit_alerts
from podium.services.calendars import check_calendar
from podium.services.closed import ProgramClosed
from podium.services.common import apply_update, check_version, flush, paginate
from podium.services.date_window import in_window
from podium.services.feeds import revoke_feeds_of

PROGRAM_FIELDS = [
    "key",
    "name",
    "description",
    "status",
    "start_date",
    "calendar_id",
    "status_date",
    "currency",
    "goal_outcome",
    "goal_measure",
    "goal_unit",
    "goal_baseline_value",
    "goal_target_value",
    "goal_target_date",
]
# the settings a what-if scenario's copy takes from its live program, whenever they change
# there (docs/scenarios.md): the copy's plan is scheduled and judged as the live one is
# (all but what names the program and its state: a copy has its own key, name and status)
FOLLOWED_BY_COPIES = tuple(
    name for name in PROGRAM_FIELDS if name not in ("key", "name", "description", "status")
)


def get_program(
    session: Session, actor: Actor, program_id: int, *, needed: Role = Role.VIEWER
) -> Program:
    """A program the actor may act on with at least ``needed``."""
    require_role(session, actor, program_id, needed)
    program = session.get(Program, program_id)
    assert program is not None  # require_role checked it exists
    return program


def _programs_query(
    session: Session, actor: Actor, *, status: str | None, q: str | None
) -> Select[Program]:
    # the hidden copies what-if scenarios edit are reached through their scenario
    query = select(Program).where(Program.scenario_of_id.is_(None)).order_by(Program.key)
    visible = visible_program_ids(session, actor)
    if visible is not None:
        query = query.where(Program.id.in_(visible))
    if status:
        query = query.where(Program.status == ProgramStatus(status))
    if q:
        query = query.where(
            or_(
                Program.name.icontains(q, autoescape=True),
                Program.key.icontains(q, autoescape=True),
            )
        )
    return query


def list_programs(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Program], int]:
    """The programs the actor belongs to (all, for admins)."""
    return paginate(
        session, _programs_query(session, actor, status=status, q=q), limit=limit, offset=offset
    )


def check_key_free(session: Session, key: str, *, except_id: int | None = None) -> None:
    """Refuse a program key already taken, ignoring case: ``cloud`` and ``CLOUD`` would
    read as one program everywhere a person types a key."""
    taken = session.scalar(
        select(Program.key).where(func.lower(Program.key) == key.lower(), Program.id != except_id)
    )
    if taken is not None:
        raise Conflict(f"a program with key {taken} already exists", details={"field": "key"})


def program_id_by_key(session: Session, key: str) -> int | None:
    """The program with this key: as typed, else ignoring case when just one matches (a
    database from before keys were unique ignoring case may hold two)."""
    exact = session.scalar(select(Program.id).where(Program.key == key))
    if exact is not None:
        return exact
    found = session.scalars(
        select(Program.id).where(func.lower(Program.key) == key.lower()).limit(2)
    ).all()
    return found[0] if len(found) == 1 else None


GOAL_VALUE_MOST = 1e15  # far beyond any KPI, and printable in full


def _check_goal_values(fields: Mapping[str, Any], program: Program | None = None) -> None:
    """The goal's numbers are printable and its target date is not before the program
    starts (``program``: the stored one ``fields`` change; checked when either date is
    among them, so a program stored otherwise keeps taking other changes)."""
    for name in ("goal_baseline_value", "goal_target_value"):
        value = fields.get(name)
        if value is not None and not (math.isfinite(value) and abs(value) <= GOAL_VALUE_MOST):
            raise field_error(name, f"must be a number between ±{GOAL_VALUE_MOST:.0e}")
    if "goal_target_date" not in fields and "start_date" not in fields:
        return
    target = fields.get("goal_target_date", program.goal_target_date if program else None)
    start = fields.get("start_date", program.start_date if program else None)
    if target is None or start is None or not (in_window(target) and in_window(start)):
        return  # a year typed wrong is the date window's to name
    if target < start:
        moved = "start_date" in fields and "goal_target_date" not in fields
        raise field_error(
            "start_date" if moved else "goal_target_date",
            f"the goal's target date ({target:%-d %b %Y}) is before the program starts "
            f"({start:%-d %b %Y}): a goal is reached after its work begins",
        )


def _check_currency(fields: dict[str, Any]) -> None:
    """The currency given, as stored: an ISO 4217 code in capitals, or none for blank."""
    if "currency" in fields:
        try:
            fields["currency"] = checked_currency(fields["currency"])
        except ValueError as exc:
            raise field_error("currency", str(exc)) from None


def create_program(
    session: Session, actor: Actor, *, key: str, name: str, start_date: date, **fields: Any
) -> Program:
    """A new program; its creator becomes its owner."""
    if fields.get("status") == ProgramStatus.CLOSED:
        raise Conflict(
            "a program is closed with its retrospective, once it has run: start it active "
            "or on hold",
            code="close_with_retrospective",
            details={"field": "status"},
        )
    _check_goal_values({**fields, "start_date": start_date})
    _check_currency(fields)
    check_key_free(session, key)
    check_calendar(session, fields.get("calendar_id"))
    program = Program(key=key, name=name, start_date=start_date, **fields)
    session.add(program)
    flush(session)
    if actor.user_id is not None:
        session.add(Membership(program_id=program.id, user_id=actor.user_id, role=Role.OWNER))
    record_created(session, actor, program, program_id=program.id, fields=PROGRAM_FIELDS)
    flush(session)
    return program


def update_program(
    session: Session,
    actor: Actor,
    program_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Program:
    """Change a program's fields (owners only)."""
    program = get_program(session, actor, program_id, needed=Role.OWNER)
    refuse_scenario_copy(program, "its settings follow the live program; edit them there")
    updates = dict(updates)
    _check_currency(updates)
    changing = {k for k, v in updates.items() if k != "status" and getattr(program, k, v) != v}
    if program.status == ProgramStatus.CLOSED and changing:  # its status alone reopens it
        raise ProgramClosed(
            f"{program.key} is closed: its settings cannot change until an owner reopens it "
            "(on its retrospective page)",
            details={"program_id": program.id, "fields": sorted(changing)},
        )
    if updates.get("status") == ProgramStatus.CLOSED != program.status:
        raise Conflict(
            f"{program.key} is closed with its retrospective (POST /programs/{program.id}/close"
            ", or Close on its retrospective page), which keeps its outcome and lessons",
            code="close_with_retrospective",
            details={"field": "status"},
        )
    _check_goal_values(updates, program)
    if "key" in updates and updates["key"] != program.key:
        check_key_free(session, updates["key"], except_id=program.id)
    if "calendar_id" in updates:
        check_calendar(session, updates["calendar_id"])
    moved = "status_date" in updates and updates["status_date"] != program.status_date
    changes = apply_update(
        session, actor, program, updates, program_id=program.id, expected_version=expected_version
    )
    follow_live_settings(session, program, changes)
    if moved:  # the day benefits are judged on
        sync_benefit_alerts(session, program.id, triggered_by=actor.email)
    return program


def follow_live_settings(session: Session, program: Program, changed: Collection[str]) -> None:
    """Give the copies of the program's open what-if scenarios the settings among
    ``changed`` as the program now has them; they are rescheduled with it, in the same
    unit of work (a copy's start, status date or calendar is a schedule input). Without
    it, a scenario would compare, and a change request judge, a copy scheduled from
    settings the live program no longer has. Applied and discarded scenarios have no
    copy left; a program without open scenarios costs one look-up by an indexed column."""
    carried = {name: getattr(program, name) for name in FOLLOWED_BY_COPIES if name in changed}
    if not carried or program.scenario_of_id is not None:
        return
    copies = session.scalars(
        select(Program)
        .join(Scenario, Scenario.copy_program_id == Program.id)
        .where(Program.scenario_of_id == program.id, Scenario.status == ScenarioStatus.ACTIVE)
    )
    for copy in copies:
        for name, value in carried.items():
            setattr(copy, name, value)
    flush(session)  # marks each moved copy for rescheduling (scheduling.pending)


def delete_program(
    session: Session, actor: Actor, program_id: int, *, expected_version: int | None = None
) -> None:
    """Remove a program and everything in it (owners only)."""

    program = get_program(session, actor, program_id, needed=Role.OWNER)
    refuse_scenario_copy(program, "discard the scenario instead")
    check_version(program, expected_version)
    record_deleted(session, actor, program, program_id=program.id, fields=PROGRAM_FIELDS)
    for copy in session.scalars(select(Program).where(Program.scenario_of_id == program.id)):
        session.delete(copy)  # the hidden copies its what-if scenarios edit
    session.delete(program)
    flush(session)


# --- members -----------------------------------------------------------------


def list_members(session: Session, actor: Actor, program_id: int) -> list[tuple[Membership, User]]:
    """The program's members and their users, by email (a scenario's copy: the live
    program's, whose roles are the ones that count there)."""
    program = get_program(session, actor, program_id)
    live = program.scenario_of_id or program.id
    rows = session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.program_id == live)
        .order_by(User.email)
    )
    return [(m, u) for m, u in rows]


def _member(session: Session, program_id: int, user_id: int) -> Membership:
    membership = session.scalar(
        select(Membership).where(Membership.program_id == program_id, Membership.user_id == user_id)
    )
    if membership is None:
        user = session.get(User, user_id)
        key = session.scalar(select(Program.key).where(Program.id == program_id))
        who = user.email if user is not None else f"user {user_id}"
        raise NotFound(f"{who} is not a member of program {key or program_id}")
    return membership


def _owners_left(session: Session, program_id: int, *, without: int) -> int:
    """The program's owners other than ``without`` who can still sign in: a deactivated
    owner cannot look after the program."""
    return len(
        list(
            session.scalars(
                select(Membership.id)
                .join(User, User.id == Membership.user_id)
                .where(
                    Membership.program_id == program_id,
                    Membership.role == Role.OWNER,
                    Membership.user_id != without,
                    User.is_active.is_(True),
                )
            )
        )
    )


def add_member(
    session: Session, actor: Actor, program_id: int, *, email: str, role: Role
) -> Membership:
    """Give a user a role in the program (owners only)."""
    program = get_program(session, actor, program_id, needed=Role.OWNER)
    refuse_scenario_copy(program, "its members are the live program's; add them there")
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:  # a deactivated account reads as none
        raise field_error("email", f"no user with email {email}")
    existing = session.scalar(
        select(Membership).where(Membership.program_id == program_id, Membership.user_id == user.id)
    )
    if existing is not None:
        raise Conflict(f"{user.email} is already a member (role {existing.role.value})")
    membership = Membership(program_id=program_id, user_id=user.id, role=role)
    session.add(membership)
    flush(session)
    record_change(
        session,
        actor,
        program_id=program_id,
        entity_type="membership",
        entity_id=membership.id,
        action="create",
        changes={"user": [None, user.email], "role": [None, role.value]},
        label=user.email,
    )
    return membership


def change_member_role(
    session: Session,
    actor: Actor,
    program_id: int,
    user_id: int,
    role: Role,
    *,
    expected_version: int | None = None,
) -> Membership:
    """Change a member's role; a program always keeps at least one owner."""
    program = get_program(session, actor, program_id, needed=Role.OWNER)
    refuse_scenario_copy(program, "its members are the live program's; change them there")
    membership = _member(session, program_id, user_id)
    if (
        membership.role == Role.OWNER
        and role != Role.OWNER
        and _owners_left(session, program_id, without=user_id) == 0
    ):
        raise Conflict("a program must keep at least one owner")
    apply_update(
        session,
        actor,
        membership,
        {"role": role},
        program_id=program_id,
        expected_version=expected_version,
        label=_member_email(session, user_id),
    )
    return membership


def _member_email(session: Session, user_id: int) -> str:
    """How the audit log names a membership: its member's email."""
    return session.scalar(select(User.email).where(User.id == user_id)) or f"user {user_id}"


def remove_member(
    session: Session,
    actor: Actor,
    program_id: int,
    user_id: int,
    *,
    expected_version: int | None = None,
) -> None:
    """Take a user out of the program (owners only); a program keeps at least one owner."""
    program = get_program(session, actor, program_id, needed=Role.OWNER)
    refuse_scenario_copy(program, "its members are the live program's; remove them there")
    membership = _member(session, program_id, user_id)
    check_version(membership, expected_version)
    if membership.role == Role.OWNER and _owners_left(session, program_id, without=user_id) == 0:
        raise Conflict("a program must keep at least one owner")
    email = _member_email(session, user_id)
    record_change(
        session,
        actor,
        program_id=program_id,
        entity_type="membership",
        entity_id=membership.id,
        action="delete",
        changes={"user": [email, None], "role": [membership.role.value, None]},
        label=email,
    )
    session.delete(membership)
    # their feeds of it end for good
    revoke_feeds_of(session, user_id, program_id=program_id, actor=actor)
    flush(session)


class PlanSize(NamedTuple):
    """How much a program holds."""

    projects: int = 0
    tasks: int = 0
    members: int = 0


def plan_sizes(session: Session, program_id: int | None = None) -> dict[int, PlanSize]:
    """How many projects, tasks and members each program (or this one) holds: one grouped
    query per kind, whatever the number of programs."""
    found: dict[int, list[int]] = {}
    columns: tuple[InstrumentedAttribute[int], ...] = (
        Project.program_id,
        Task.program_id,
        Membership.program_id,
    )
    for kind, column in enumerate(columns):
        query = select(column, func.count()).group_by(column)
        if program_id is not None:
            query = query.where(column == program_id)
        for owner_id, n in session.execute(query):
            found.setdefault(owner_id, [0, 0, 0])[kind] = n
    return {owner_id: PlanSize(*ns) for owner_id, ns in found.items()}


def find_program(
    session: Session, actor: Actor, ref: str, *, needed: Role = Role.VIEWER
) -> Program:
    """A program by key (``CLOUD``) or id (``3``), for the CLI and scripts."""
    program_id = program_id_by_key(session, ref)
    if program_id is None and ref.isdecimal():
        program_id = int(ref)
    if program_id is None:
        raise NotFound(f"no program with key or id {ref!r}")
    try:
        return get_program(session, actor, program_id, needed=needed)
    except NotFound as exc:  # named as typed: one who may not see it reads the same
        raise NotFound(f"no program with key or id {ref!r}") from exc
