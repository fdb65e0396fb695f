"""Passwords (argon2), personal API tokens, browser sessions and failed sign-ins.

Secrets are shown once; only their SHA-256 is stored, so a leaked database
does not leak working credentials. Failed sign-ins are counted in the database,
so every server process and machine refuses the same email after the same ten
failures (:func:`authenticate_password`, :func:`keep_failed_sign_ins`).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Insert, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, joinedload

from podium.errors import Conflict, NotFound, TooManyAttempts, Unauthorized, field_error
from podium.models import ApiToken, Membership, User, WebSession, utcnow
from podium.models.users import SignInFailure
from podium.services.actor import SYSTEM, Actor
from podium.services.audit import record_change
from podium.services.common import flush, paginate

TOKEN_PREFIX = "pod_"
_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_password(password: str, field: str = "password") -> None:
    """A password is at least ``MIN_PASSWORD_LENGTH`` characters, and not only spaces.

    It is kept as typed (spaces at either end are part of it); a blank one would be
    guessed first.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise field_error(field, f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise field_error(field, "must not be only spaces")


def hash_password(password: str) -> str:
    """The stored hash of a new password, once it passes :func:`check_password`."""
    check_password(password)
    return _hasher.hash(password)


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


MAX_TOKEN_DAYS = 3650
MAX_NAME = 200
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")  # something@somewhere: intranet names sign in too


def add_user(
    session: Session,
    actor: Actor,
    *,
    email: str,
    password: str | None,
    name: str = "",
    is_admin: bool = False,
) -> User:
    """Create a user (``podium user add``); emails are unique, case-insensitively."""
    email = email.strip().lower()
    if not EMAIL.fullmatch(email) or len(email) > 320:
        raise field_error("email", "this is not a valid email address")
    if password is not None:
        check_password(password)
    if len(name) > MAX_NAME:
        raise field_error("name", f"at most {MAX_NAME} characters")
    if find_user(session, email) is not None:
        raise Conflict(f"a user with email {email} already exists", details={"field": "email"})
    user = User(
        email=email,
        name=name or email.split("@")[0],
        password_hash=hash_password(password) if password else None,
        is_admin=is_admin,
    )
    session.add(user)
    flush(session)
    record_change(
        session,
        actor,
        program_id=None,
        entity_type="user",
        entity_id=user.id,
        action="create",
        changes={"email": [None, email], "is_admin": [None, is_admin]},
        label=email,
    )
    return user


def list_users(
    session: Session,
    *,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
    seen_by: Actor | None = None,
) -> tuple[list[User], int]:
    """Active users, by email; ``q`` matches email or name (to add members by email).
    One who is not an admin (``seen_by``) sees the people of their own programs, and any
    other account only by its exact email: the list is not a directory of every
    account and admin."""
    q = (q or "").strip()
    query = select(User).where(User.is_active.is_(True)).order_by(User.email)
    if seen_by is not None and not seen_by.is_admin:
        mine = select(Membership.program_id).where(Membership.user_id == seen_by.user_id)
        fellows = select(Membership.user_id).where(Membership.program_id.in_(mine))
        query = query.where(
            or_(
                User.id.in_(fellows),
                User.id == seen_by.user_id,
                User.email == q.lower(),
            )
        )
    if q:
        query = query.where(
            or_(User.email.icontains(q, autoescape=True), User.name.icontains(q, autoescape=True))
        )
    return paginate(session, query, limit=limit, offset=offset)


def set_password(session: Session, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    flush(session)


# --- failed sign-ins, counted in the database ----------------------------------------

SIGNIN_FAILURES = 10
SIGNIN_WINDOW = timedelta(minutes=15)
SIGNIN_PRUNE_EVERY = 100  # failures kept (in a process) between prunes of the whole table
NOTED_FAILURES = "podium.failed_sign_ins"  # in ``session.info``: noted, not yet kept
_kept = itertools.count(1)
log = logging.getLogger(__name__)


def sign_in_key(email: str) -> str:
    """What failed sign-ins are counted by: the SHA-256 of the lower-cased email, so the
    text typed (sometimes a password, in the wrong field) is never stored."""
    return _sha256(email.strip().lower())


def authenticate_password(session: Session, email: str, password: str) -> User:
    """The user with this email and password, or ``Unauthorized`` (``TooManyAttempts``
    after :data:`SIGNIN_FAILURES` failures for the email within :data:`SIGNIN_WINDOW`).

    Failures are counted for any email, known or not, so the refusal tells nothing of
    accounts. A failure is only *noted* on the session, to be kept by
    :func:`keep_failed_sign_ins` once the request's transaction has ended: the request
    fails, and its transaction rolls back. A success clears the email's count.
    """
    key = sign_in_key(email)
    recent = _check_failures(session, key)
    try:
        user = _check_password(session, email, password)
    except Unauthorized:
        session.info.setdefault(NOTED_FAILURES, []).append((key, utcnow()))
        raise
    if recent:  # only then: a sign-in with nothing to clear writes nothing here
        session.execute(delete(SignInFailure).where(SignInFailure.key_hash == key))
    return user


def _check_failures(session: Session, key: str) -> int:
    """How many failures the key has in the window (up to the limit); ``TooManyAttempts``
    at the limit, until the oldest of the last :data:`SIGNIN_FAILURES` ages out."""
    now = utcnow()
    recent = session.scalars(
        select(SignInFailure.failed_at)
        .where(SignInFailure.key_hash == key, SignInFailure.failed_at > now - SIGNIN_WINDOW)
        .order_by(SignInFailure.failed_at.desc())
        .limit(SIGNIN_FAILURES)
    ).all()
    if len(recent) >= SIGNIN_FAILURES:
        wait = max(1, math.ceil((recent[-1] + SIGNIN_WINDOW - now).total_seconds()))
        raise TooManyAttempts(
            f"too many failed sign-ins for this email: try again in "
            f"{math.ceil(wait / 60)} minute(s)",
            retry_after=wait,
        )
    return len(recent)


def keep_failed_sign_ins(session: Session) -> None:
    """Store the failed sign-ins noted on ``session``, in a transaction of their own.

    Called by whoever ends a request's or a command's transaction (the API and web
    request's session, :func:`podium.services.uow.unit_of_work`), *after* its commit or
    rollback. A failed password check fails the request, which keeps nothing of what it
    did; the failure must be kept all the same, and by the same database every server
    process and machine reads. Writing it at once on another connection would not do: on
    SQLite, when the request has already written (and so holds the database's one write
    lock), that connection would wait for the request, which waits for it, until the busy
    timeout fails it. Written afterwards, on the request's own session, it takes the lock
    only once the request has let go of it, on SQLite as on PostgreSQL.

    The same transaction deletes those emails' failures older than the window; every
    :data:`SIGNIN_PRUNE_EVERY` calls, another deletes every row older than the window, so
    the table holds about one window of failures. A database that cannot take the write
    (down, busy past its timeout) loses the failure, logged, rather than turning the
    request's own answer into a server error.
    """
    noted: list[tuple[str, datetime]] = session.info.pop(NOTED_FAILURES, [])
    if not noted:
        return
    if session.in_transaction():
        raise RuntimeError("keep failed sign-ins once the session's transaction has ended")
    try:
        with session.begin():
            rows = [{"key_hash": key, "failed_at": at} for key, at in noted]
            session.execute(_insert_new(session, rows))
            session.execute(
                delete(SignInFailure).where(
                    SignInFailure.key_hash.in_(sorted({key for key, _at in noted})),
                    SignInFailure.failed_at <= utcnow() - SIGNIN_WINDOW,
                )
            )
    except SQLAlchemyError:
        log.warning("%d failed sign-in(s) could not be kept", len(noted), exc_info=True)
        return
    if next(_kept) % SIGNIN_PRUNE_EVERY == 0:
        try:
            with session.begin():
                prune_failed_sign_ins(session)
        except SQLAlchemyError:
            log.warning("old failed sign-ins could not be pruned", exc_info=True)


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> Insert:
    """Insert the rows, skipping one already there (the same email failing in another
    process at the same microsecond: the count loses one failure, not the request)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(SignInFailure).values(rows).on_conflict_do_nothing()


def prune_failed_sign_ins(session: Session) -> None:
    """Delete every failed sign-in older than the window (they count no more)."""
    session.execute(
        delete(SignInFailure).where(SignInFailure.failed_at <= utcnow() - SIGNIN_WINDOW)
    )


def _check_password(session: Session, email: str, password: str) -> User:
    user = find_user(session, email)
    if user is None or not user.is_active or not user.password_hash:
        _hasher.hash(password)  # same work either way: no timing oracle for emails
        raise Unauthorized("wrong email or password")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError) as exc:
        raise Unauthorized("wrong email or password") from exc
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _token_label(token: ApiToken, user: User) -> str:
    """How the audit log names a token: its name and whose it is (never its secret)."""
    return f"{token.name} of {user.email}"


def create_token(
    session: Session,
    user: User,
    *,
    name: str,
    days: int | None = None,
    actor: Actor | None = None,
) -> tuple[ApiToken, str]:
    """A new personal API token and its secret (shown once), for an active account;
    audited as made by ``actor`` (``None``: the system, as ``podium token create``)."""
    if not name.strip():
        raise field_error("name", "a token needs a name")
    if len(name.strip()) > 200:
        raise field_error("name", "at most 200 characters")
    if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
        raise field_error("expires_in_days", f"a token expires after 1 to {MAX_TOKEN_DAYS} days")
    if not user.is_active:
        raise Conflict(f"{user.email} is deactivated: its tokens would not work")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip(),
        prefix=secret[:12],
        token_hash=_sha256(secret),
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    session.add(token)
    flush(session)
    expires = token.expires_at.isoformat() if token.expires_at else None
    record_change(
        session,
        actor or SYSTEM,
        program_id=None,
        entity_type="token",
        entity_id=token.id,
        action="create",
        changes={
            "name": [None, token.name],
            "user": [None, user.email],
            "expires_at": [None, expires],
        },
        label=_token_label(token, user),
    )
    return token, secret


def user_for_token(session: Session, secret: str) -> User:
    """The active user behind a bearer token, or ``Unauthorized``."""
    token = session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == _sha256(secret))
        .options(joinedload(ApiToken.user))  # read in the same query: every request asks
    )
    now = utcnow()
    if (
        token is None
        or token.revoked_at is not None
        or (token.expires_at is not None and token.expires_at <= now)
        or not token.user.is_active
    ):
        raise Unauthorized("the API token is invalid, expired or revoked")
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
    return token.user


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    )


def revoke_token(
    session: Session, user: User, token_id: int, *, actor: Actor | None = None
) -> ApiToken:
    """Revoke one of ``user``'s tokens; audited as revoked by ``actor`` (``None``: the
    caller records it, as an admin's revocation is recorded on the account)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(f"token {token_id} not found")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        if actor is not None:
            record_change(
                session,
                actor,
                program_id=None,
                entity_type="token",
                entity_id=token.id,
                action="update",
                changes={"revoked_at": [None, token.revoked_at.isoformat()]},
                label=_token_label(token, user),
            )
    flush(session)
    return token


def start_session(session: Session, user: User, *, days: int) -> tuple[WebSession, str]:
    """A browser session for ``user``: the record and the cookie's secret."""
    secret = secrets.token_urlsafe(32)
    web = WebSession(
        user_id=user.id,
        token_hash=_sha256(secret),
        csrf_token=secrets.token_urlsafe(24),
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(web)
    flush(session)
    return web, secret


def session_for_cookie(session: Session, secret: str) -> WebSession | None:
    """The live browser session behind a cookie, if any."""
    web = session.scalar(
        select(WebSession)
        .where(WebSession.token_hash == _sha256(secret))
        .options(joinedload(WebSession.user))
    )
    if web is None or web.expires_at <= utcnow() or not web.user.is_active:
        return None
    return web


def end_session(session: Session, secret: str) -> None:
    web = session.scalar(select(WebSession).where(WebSession.token_hash == _sha256(secret)))
    if web is not None:
        session.delete(web)
        flush(session)
