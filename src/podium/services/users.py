"""Managing the people who sign in: admins change accounts, everyone their own password.

Admins (``is_admin``) list every account, active or not, rename one, make it an admin
or not, deactivate or reactivate it, and set a new password for it. An account
deactivated signs in no more: its browser sessions and API tokens stop working at
once (they are checked against ``is_active`` on every request). The organisation
always keeps one active admin. A new password ends the account's other browser
sessions: a password reset because it leaked should not leave a thief signed in.
Every change is in the audit log (never a password or its hash).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from podium.errors import Conflict, Forbidden, NotFound, Unauthorized, field_error
from podium.models import ApiToken, Membership, Program, Role, User, WebSession, utcnow
from podium.services import auth
from podium.services.actor import Actor
from podium.services.audit import record_change
from podium.services.common import apply_update, check_version, flush, paginate
from podium.services.feeds import revoke_feeds_of
from podium.text import listed

# Aliases are built once: making one costs more than the query it serves.
_OTHER_MEMBERSHIP = aliased(Membership)

USER_FIELDS = ("name", "is_admin", "is_active")
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only an admin can manage users")


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    """An account: admins read any, everyone else only their own."""
    if not actor.is_admin and actor.user_id != user_id:
        raise Forbidden("only an admin can read other users' accounts")
    user = session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


class MembershipRow(NamedTuple):
    """A program an account belongs to, and its role there."""

    program_id: int
    key: str
    name: str
    role: Role


def memberships_of(session: Session, actor: Actor, user_id: int) -> list[MembershipRow]:
    """The programs an account belongs to, by key (admins, or the account's owner)."""
    get_user(session, actor, user_id)
    rows = session.execute(
        select(Program.id, Program.key, Program.name, Membership.role)
        .join(Membership, Membership.program_id == Program.id)
        .where(Membership.user_id == user_id)
        .order_by(Program.key)
    )
    return [MembershipRow(*row) for row in rows]


def program_counts(session: Session, actor: Actor, user_ids: list[int]) -> dict[int, int]:
    """How many programs each account belongs to (admins), in one query."""
    _require_admin(actor)
    rows = session.execute(
        select(Membership.user_id, func.count())
        .where(Membership.user_id.in_(user_ids))
        .group_by(Membership.user_id)
    )
    return {user_id: 0 for user_id in user_ids} | {user_id: n for user_id, n in rows}


def list_accounts(
    session: Session,
    actor: Actor,
    *,
    q: str | None = None,
    inactive: bool = True,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[User], int]:
    """Every account (admins), active first then by email; ``q`` matches email or name."""
    _require_admin(actor)
    query = select(User).order_by(User.is_active.desc(), User.email)
    if not inactive:
        query = query.where(User.is_active.is_(True))
    if q:
        text = q.strip()
        query = query.where(
            or_(
                User.email.icontains(text, autoescape=True),
                User.name.icontains(text, autoescape=True),
            )
        )
    return paginate(session, query, limit=limit, offset=offset)


def _active_admins(session: Session, *, without: int) -> int:
    """How many other active admins there are, their rows locked (on PostgreSQL) until the
    change commits: two admins demoting each other at once cannot leave none."""
    query = (  # every active admin locked, the one changing too, so the second waits
        select(User.id).where(User.is_admin.is_(True), User.is_active.is_(True)).with_for_update()
    )
    return sum(1 for user_id in session.scalars(query) if user_id != without)


def update_user(
    session: Session,
    actor: Actor,
    user_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> User:
    """Change an account's ``name``, ``is_admin`` or ``is_active`` (admins); the last
    active admin stays an active admin."""
    _require_admin(actor)
    user = get_user(session, actor, user_id)
    check_version(user, expected_version)
    unknown = set(updates) - set(USER_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], "cannot be changed here")
    changes = dict(updates)
    if "name" in changes:
        changes["name"] = str(changes["name"]).strip() or user.email.split("@")[0]
    admin = changes.get("is_admin", user.is_admin)
    stays_admin = admin and changes.get("is_active", user.is_active)
    last = user.is_admin and user.is_active and not stays_admin
    if last and _active_admins(session, without=user.id) == 0:
        raise Conflict(
            f"{user.email} is the only active admin: make someone else an admin first",
            code="last_admin",
        )
    was_active = user.is_active
    if was_active and changes.get("is_active") is False:
        _refuse_if_only_owner(session, user)
    apply_update(session, actor, user, changes, program_id=None, expected_version=expected_version)
    if was_active and not user.is_active:
        _end_sessions(session, user.id)
        revoke_feeds_of(session, user.id)
    return user


def _refuse_if_only_owner(session: Session, user: User) -> None:
    """A program keeps an owner who can sign in: refuse to deactivate its only one."""
    other = _OTHER_MEMBERSHIP
    others = (
        select(other.id)
        .join(User, User.id == other.user_id)
        .where(
            other.program_id == Membership.program_id,
            other.role == Role.OWNER,
            other.user_id != user.id,
            User.is_active.is_(True),
        )
    )
    alone = sorted(
        session.scalars(
            select(Program.key)
            .join(Membership, Membership.program_id == Program.id)
            .where(
                Membership.user_id == user.id,
                Membership.role == Role.OWNER,
                Program.scenario_of_id.is_(None),
                ~others.exists(),
            )
        )
    )
    if alone:
        raise Conflict(
            f"{user.email} is the only active owner of {listed(alone)}: make someone else "
            "an owner there first",
            code="last_owner",
            details={"programs": alone},
        )


def _end_sessions(session: Session, user_id: int, *, keep: int | None = None) -> None:
    query = delete(WebSession).where(WebSession.user_id == user_id)
    if keep is not None:
        query = query.where(WebSession.id != keep)
    session.execute(query)
    flush(session)


def _record_account(session: Session, actor: Actor, user: User, changes: dict[str, Any]) -> None:
    """Audit a change to an account that is not one of its fields (password, tokens)."""
    record_change(
        session,
        actor,
        program_id=None,
        entity_type="user",
        entity_id=user.id,
        action="update",
        changes=changes,
        label=user.email,
    )


def _record_password(session: Session, actor: Actor, user: User, how: str) -> None:
    _record_account(session, actor, user, {"password": [None, how]})


def reset_password(session: Session, actor: Actor, user_id: int, password: str) -> User:
    """Give an account a new password (admins); its browser sessions end and its API
    tokens and calendar feeds are revoked: a reset is for a lost or stolen account, and a
    thief who made a token or a feed's secret address must not stay in."""
    _require_admin(actor)
    user = get_user(session, actor, user_id)
    auth.set_password(session, user, password)
    _end_sessions(session, user.id)
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    revoke_feeds_of(session, user.id)
    _record_password(session, actor, user, "reset by an admin")
    return user


def change_own_password(
    session: Session,
    actor: Actor,
    *,
    current: str,
    new: str,
    keep_session: int | None = None,
) -> User:
    """Change the signed-in person's password, given the current one; their other
    browser sessions end (``keep_session``: the one they are using)."""
    if actor.user_id is None:
        raise Forbidden("only a person who signs in has a password")
    user = get_user(session, actor, actor.user_id)
    try:
        auth.authenticate_password(session, user.email, current)
    except Unauthorized as exc:  # said beside the field, not as a failed sign-in
        raise field_error("current_password", "is not your current password") from exc
    auth.check_password(new, "new_password")
    if current == new:
        raise field_error("new_password", "is the same as the current one")
    auth.set_password(session, user, new)
    _end_sessions(session, user.id, keep=keep_session)
    _record_password(session, actor, user, "changed by its owner")
    return user


# --- an account's API tokens (admins) ------------------------------------------------


def account_tokens(session: Session, actor: Actor, user_id: int) -> list[ApiToken]:
    """Every API token of an account, revoked ones too (admins, or the account itself)."""
    return auth.list_tokens(session, get_user(session, actor, user_id))


def token_state(token: ApiToken, now: datetime) -> str:
    """Whether a token works, in words: ``works``, ``revoked 2027-01-04``, ``expired
    2027-01-04`` or ``account inactive`` (a deactivated account's tokens stop working)."""
    if token.revoked_at is not None:
        return f"revoked {token.revoked_at:%Y-%m-%d}"
    if token.expires_at is not None and token.expires_at <= now:
        return f"expired {token.expires_at:%Y-%m-%d}"
    return "works" if token.user.is_active else "account inactive"


def revoke_account_token(session: Session, actor: Actor, user_id: int, token_id: int) -> ApiToken:
    """Revoke one of an account's tokens (admins, or the account itself); audited."""
    user = get_user(session, actor, user_id)
    return auth.revoke_token(session, user, token_id, actor=actor)
