"""Passwords (argon2), personal API tokens and browser sessions.

Secrets are shown once; only their SHA-256 is stored, so a leaked database
does not leak working credentials.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import threading
import time
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from podium.errors import Conflict, NotFound, TooManyAttempts, Unauthorized, field_error
from podium.models import ApiToken, Membership, User, WebSession, utcnow
from podium.services.actor import Actor
from podium.services.audit import record_change
from podium.services.common import flush, paginate

TOKEN_PREFIX = "pod_"
_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise field_error("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
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
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise field_error("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
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


class _FailedSignIns:
    """Failed password checks per email in the last :data:`SIGNIN_WINDOW` seconds, in this
    process: past :data:`SIGNIN_FAILURES` the email is not checked until the oldest ages
    out. Kept for any email, known or not, so the refusal tells nothing of accounts."""

    def __init__(self) -> None:
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(key, []) if t > now - SIGNIN_WINDOW]
            if recent:
                self._failures[key] = recent
            else:
                self._failures.pop(key, None)
            if len(recent) >= SIGNIN_FAILURES:
                wait = int(recent[0] + SIGNIN_WINDOW - now) + 1
                raise TooManyAttempts(
                    f"too many failed sign-ins for this email: try again in "
                    f"{math.ceil(wait / 60)} minute(s)",
                    retry_after=wait,
                )

    def failed(self, key: str) -> None:
        with self._lock:
            if len(self._failures) >= SIGNIN_KEYS_KEPT and key not in self._failures:
                self._failures.pop(next(iter(self._failures)))  # the longest-kept email
            self._failures.setdefault(key, []).append(time.monotonic())

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()


SIGNIN_FAILURES = 10
SIGNIN_WINDOW = 15 * 60  # seconds
SIGNIN_KEYS_KEPT = 100_000
failed_sign_ins = _FailedSignIns()


def authenticate_password(session: Session, email: str, password: str) -> User:
    """The user with this email and password, or ``Unauthorized`` (``TooManyAttempts``
    after :data:`SIGNIN_FAILURES` failures for the email within :data:`SIGNIN_WINDOW`)."""
    key = email.strip().lower()
    failed_sign_ins.check(key)
    try:
        user = _check_password(session, email, password)
    except Unauthorized:
        failed_sign_ins.failed(key)
        raise
    failed_sign_ins.succeeded(key)
    return user


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


def create_token(
    session: Session, user: User, *, name: str, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new personal API token and its secret (shown once), for an active account."""
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
    return token, secret


def user_for_token(session: Session, secret: str) -> User:
    """The active user behind a bearer token, or ``Unauthorized``."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(secret)))
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


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(f"token {token_id} not found")
    token.revoked_at = token.revoked_at or utcnow()
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
    web = session.scalar(select(WebSession).where(WebSession.token_hash == _sha256(secret)))
    if web is None or web.expires_at <= utcnow() or not web.user.is_active:
        return None
    return web


def end_session(session: Session, secret: str) -> None:
    web = session.scalar(select(WebSession).where(WebSession.token_hash == _sha256(secret)))
    if web is not None:
        session.delete(web)
        flush(session)
