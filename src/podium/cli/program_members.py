"""``podium program member-…``: who belongs to a program, and with which role.

A program keeps at least one owner: the services refuse to demote or remove the last.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from sqlalchemy.orm import Session

from podium.cli._app import ProgramRef, console, fail, print_problems, require_current_schema
from podium.cli.programs import program_app
from podium.errors import PodiumError
from podium.models import Membership, Program, Role, User
from podium.services import auth, programs
from podium.services.actor import SYSTEM, refuse_scenario_copy
from podium.services.uow import unit_of_work

ROLES = tuple(r.value for r in sorted(Role, key=lambda r: -r.rank))

Email = Annotated[str, typer.Argument(help="the user's email")]


def _role(value: str, option: str) -> Role:
    wanted = value.strip().lower()
    if wanted not in ROLES:
        raise fail(escape(f"{option} must be one of {', '.join(ROLES)}, not {value!r}"))
    return Role(wanted)


def _live(session: Session, ref: str) -> Program:
    """The program, not a scenario's copy of one (its members are the live program's)."""
    found = programs.find_program(session, SYSTEM, ref)
    refuse_scenario_copy(found, "its members are the live program's")
    return found


def _membership(session: Session, program: Program, email: str) -> tuple[User, Membership]:
    """A member of the program by email; an unknown user or a non-member: the command fails."""
    user = auth.find_user(session, email)
    if user is None:
        raise fail(escape(f"no user with email {email}"))
    membership = next(
        (m for m, u in programs.list_members(session, SYSTEM, program.id) if u.id == user.id), None
    )
    if membership is None:
        raise fail(
            escape(f"{user.email} is not a member of {program.key}")
            + " (`podium program show` lists its members)"
        )
    return user, membership


@program_app.command("member-add")
def member_add(
    program: ProgramRef,
    email: Email,
    role: Annotated[str, typer.Option(help="owner, manager, member or viewer")],
) -> None:
    """Give a user a role in the program."""
    wanted = _role(role, "--role")
    require_current_schema()
    try:
        with unit_of_work() as session:
            found = _live(session, program)
            membership = programs.add_member(session, SYSTEM, found.id, email=email, role=wanted)
            user = session.get(User, membership.user_id)
            assert user is not None  # the member just added
            who = escape(f"{user.email} ({user.name})" if user.name else user.email)
            key = found.key
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Added {who} to {key} as {wanted.value}.")


@program_app.command("member-role")
def member_role(
    program: ProgramRef,
    email: Email,
    role: Annotated[str, typer.Argument(help="owner, manager, member or viewer")],
) -> None:
    """Change a member's role; a program keeps at least one owner."""
    wanted = _role(role, "ROLE")
    require_current_schema()
    try:
        with unit_of_work() as session:
            found = _live(session, program)
            user, membership = _membership(session, found, email)
            was = membership.role
            programs.change_member_role(
                session, SYSTEM, found.id, user.id, wanted, expected_version=membership.version
            )
            who, key = escape(user.email), found.key
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    if was == wanted:
        console.print(f"{who} is already {was.value} in {key}: nothing changed.")
    else:
        console.print(f"{who} is now {wanted.value} in {key} (was {was.value}).")


@program_app.command("member-remove")
def member_remove(program: ProgramRef, email: Email) -> None:
    """Take a user out of the program; a program keeps at least one owner."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            found = _live(session, program)
            user, membership = _membership(session, found, email)
            was = membership.role
            programs.remove_member(session, SYSTEM, found.id, user.id)
            who, key = escape(user.email), found.key
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Removed {who} ({was.value}) from {key}.")
