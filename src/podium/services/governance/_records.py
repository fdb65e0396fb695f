"""What every governance module shares: loading a record the actor may act on, links, and
how a record names the person acting."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from podium.errors import NotFound
from podium.models import Role, User
from podium.services.actor import Actor, require_role, role_in
from podium.services.dependencies import MAX_ID

R = TypeVar("R")


def load_in_program(
    session: Session,
    actor: Actor,
    model: type[R],
    record_id: int,
    *,
    needed: Role = Role.VIEWER,
    noun: str,
) -> R:
    """A record of a program the actor may act on with at least ``needed``.

    A record of a program the actor cannot see is reported as not found.
    """
    record = session.get(model, record_id) if 0 < record_id <= MAX_ID else None
    program_id = getattr(record, "program_id", None)
    if record is None or program_id is None or role_in(session, actor, program_id) is None:
        raise NotFound(f"{noun} {record_id} not found")
    require_role(session, actor, program_id, needed)
    return record


def person_name(session: Session, actor: Actor) -> str:
    """Who the actor is when a record names them for want of another name (decided by,
    requested by): their account's name, as the pages show people, else their email."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    return (user.name or user.email) if user is not None else actor.email
