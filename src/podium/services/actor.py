"""Who is acting, and what their role allows in a program."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.errors import Conflict, Forbidden, NotFound
from podium.models import Membership, Program, Role, User


@dataclass(frozen=True, slots=True)
class Actor:
    """The signed-in user behind a request or command (``None`` id = the system)."""

    user_id: int | None
    email: str
    is_admin: bool = False

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user_id=user.id, email=user.email, is_admin=user.is_admin)


SYSTEM = Actor(user_id=None, email="system", is_admin=True)


def role_in(session: Session, actor: Actor, program_id: int) -> Role | None:
    """The actor's role in a program; admins count as owners everywhere.

    The hidden copy a what-if scenario edits has no members of its own: the role
    there is the role in the live program it is a copy of.
    """
    if actor.is_admin:
        return Role.OWNER
    role = session.scalar(
        select(Membership.role)
        .join(Program, Program.id == program_id)
        .where(
            Membership.program_id == func.coalesce(Program.scenario_of_id, Program.id),
            Membership.user_id == actor.user_id,
        )
    )
    return role


def visible_program_ids(session: Session, actor: Actor) -> list[int] | None:
    """Ids of the programs the actor may see, or ``None`` for all (admins)."""
    if actor.is_admin:
        return None
    return list(
        session.scalars(select(Membership.program_id).where(Membership.user_id == actor.user_id))
    )


def require_role(session: Session, actor: Actor, program_id: int, needed: Role) -> Role:
    """The actor's role, if at least ``needed``.

    A program the actor cannot see is reported as not found, so its existence
    does not leak; a visible one with too low a role is forbidden.
    """
    role = role_in(session, actor, program_id)
    program = session.get(Program, program_id)
    if role is None or program is None:
        raise NotFound(f"program {program_id} not found")
    if program.scenario_of_id is not None and needed == Role.MEMBER and role == Role.MEMBER:
        # what members may change in the live program (their progress, a risk), they
        # only read in a what-if copy: it is the managers' draft
        raise role_too_low(
            session,
            program_id,
            role,
            "a what-if scenario is changed by managers only",
            required=Role.MANAGER.value,
        )
    if role.rank < needed.rank:
        raise role_too_low(
            session,
            program_id,
            role,
            f"{needed.value} or above is needed for this",
            required=needed.value,
        )
    return role


def role_too_low(
    session: Session, program_id: int, role: Role, consequence: str, **details: Any
) -> Forbidden:
    """403 for a role too low, naming the program by key: "your role in CLOUD is viewer;
    ``consequence``". ``details`` carry ``program`` and ``role``, and the ``details`` given.

    A person in several programs must be told which one the refusal means. On a what-if
    scenario's copy the live program is named: its members hold the role there (see
    ``role_in``), and the copy's key is the live key with ``~S<n>``, so it is recognisable.
    """
    program = session.get(Program, program_id)  # already loaded by the caller's role check
    if program is not None and program.scenario_of_id is not None:
        program = session.get(Program, program.scenario_of_id)
    key = program.key if program is not None else str(program_id)
    return Forbidden(
        f"your role in {key} is {role.value}; {consequence}",
        details={"program": key, "role": role.value, **details},
    )


def _not_managed(
    session: Session, actor: Actor, program_ids: Iterable[int]
) -> tuple[set[int], set[int]]:
    """Of these programs (a what-if copy counting as its live program), those the actor
    does not manage or own, and those they are a member of at all."""
    ids = set(program_ids)
    if actor.is_admin or not ids:
        return set(), set()
    live = set(
        session.scalars(
            select(func.coalesce(Program.scenario_of_id, Program.id)).where(Program.id.in_(ids))
        )
    )
    mine: dict[int, Role] = {
        program_id: role
        for program_id, role in session.execute(
            select(Membership.program_id, Membership.role).where(
                Membership.user_id == actor.user_id, Membership.program_id.in_(live)
            )
        )
    }
    return {p for p in live if p not in mine or mine[p].rank < Role.MANAGER.rank}, set(mine)


def manages_all(session: Session, actor: Actor, program_ids: Iterable[int]) -> bool:
    """Whether the actor is an admin or a manager or owner of every one of the programs."""
    return not _not_managed(session, actor, program_ids)[0]


def require_manager_of_all(
    session: Session, actor: Actor, program_ids: Iterable[int], *, what: str
) -> None:
    """Refuses (403) a change to something programs share — a resource, a calendar —
    unless the actor is an admin or a manager or owner of every program that uses it:
    the change moves their schedules. Programs the actor cannot see are counted, not
    named. A what-if scenario's copy counts as its live program."""
    outside, member = _not_managed(session, actor, program_ids)
    if not outside:
        return
    seen = sorted(session.scalars(select(Program.key).where(Program.id.in_(outside & member))))
    hidden = len(outside) - len(seen)
    named = ", ".join(seen) + (" and " if seen and hidden else "")
    if hidden:
        named += f"{hidden} program{'s' if hidden > 1 else ''} you cannot see"
    raise Forbidden(
        f"{what} is used by programs you do not manage ({named}): only an admin, or the "
        "managers and owners of every program that uses it, may change it",
        details={"programs": seen, "hidden": hidden},
    )


def refuse_scenario_copy(program: Program | None, why: str) -> None:
    """409 ``scenario_copy`` for a scenario's hidden copy of a program, saying ``why``.

    A copy carries what-if edits of the plan only: applying it writes tasks,
    milestones, dependencies and assignments, so its program settings are not edited
    there, and what-if dates are not published (feeds, webhooks)."""
    if program is not None and program.scenario_of_id is not None:
        raise Conflict(
            f"{program.key} is a scenario's copy of a program: {why}",
            code="scenario_copy",
            details={"live_program_id": program.scenario_of_id},
        )


def refuse_on_scenario_copy(session: Session, program_id: int, what: str) -> None:
    """409 ``scenario_copy`` when ``program_id`` is a scenario's copy: ``what`` (reviews,
    risks…) belong to the live program, and a copy's would vanish with the scenario."""
    refuse_scenario_copy(
        session.get(Program, program_id), f"{what} belong to the live program; add them there"
    )
