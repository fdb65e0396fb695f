"""Request dependencies: the unit of work, the acting user, versions and paging."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Query, Request, Response
from sqlalchemy.orm import Session

from podium.api.schemas import PageOut
from podium.errors import BadRequest, Forbidden, Unauthorized
from podium.models import User
from podium.services import auth
from podium.services.actor import Actor
from podium.services.scheduling.pending import ACTOR_EMAIL
from podium.services.uow import complete

SESSION_COOKIE = "podium_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_db(request: Request) -> Iterator[Session]:
    """One session per request; the route commits with :func:`commit`, errors roll back.

    Then, in a transaction of their own, the failed sign-ins the request noted are kept
    (:func:`podium.services.auth.keep_failed_sign_ins`): the request that fails a password
    check keeps nothing else, but the failure counts."""
    session: Session = request.app.state.sessions()
    try:
        yield session
    finally:
        try:
            session.rollback()
            auth.keep_failed_sign_ins(session)
        finally:
            session.close()


Db = Annotated[Session, Depends(get_db)]


def commit(session: Session) -> None:
    """End the request's unit of work: reschedule what changed, then commit.

    Database refusals and scheduling refusals (a dependency cycle) become
    domain errors, and nothing of the request is kept.
    """
    complete(session)


def current_user(request: Request, db: Db) -> User:
    """The user behind the bearer token, or behind the session cookie (+ CSRF header on writes)."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorized("use `Authorization: Bearer <token>`")
        user = auth.user_for_token(db, secret.strip())
        if db.dirty:
            db.commit()  # keep last_used_at even if the request fails later
        return user
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        web = auth.session_for_cookie(db, cookie)
        if web is not None:
            if (
                request.method not in SAFE_METHODS
                and request.headers.get(CSRF_HEADER) != web.csrf_token
            ):
                raise Forbidden("missing or wrong CSRF token", code="csrf_failed")
            return web.user
    raise Unauthorized("authentication required: send a bearer token")


def current_actor(user: Annotated[User, Depends(current_user)], db: Db) -> Actor:
    db.info[ACTOR_EMAIL] = user.email
    return Actor.of(user)


CurrentUser = Annotated[User, Depends(current_user)]
CurrentActor = Annotated[Actor, Depends(current_actor)]


def expected_version(
    if_match: Annotated[str | None, Header(description='The ETag you read, e.g. "3"')] = None,
) -> int | None:
    """The version from ``If-Match`` (``"3"``, ``W/"3"`` or ``3``), if sent."""
    if if_match is None or if_match.strip() == "*":
        return None
    raw = if_match.strip().removeprefix("W/").strip('"')
    try:
        return int(raw)
    except ValueError as exc:
        raise BadRequest(f'If-Match must be an ETag like "3", not {if_match!r}') from exc


ExpectedVersion = Annotated[int | None, Depends(expected_version)]


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


MAX_OFFSET = 2**31 - 1  # as far as ids go; beyond it SQLite cannot even take the number


@dataclass(frozen=True, slots=True)
class Paging:
    limit: int
    offset: int


def paging(
    request: Request,
    limit: Annotated[int, Query(ge=1, description="page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Paging:
    maximum = request.app.state.settings.page_size_max
    return Paging(limit=min(limit, maximum), offset=offset)


Page = Annotated[Paging, Depends(paging)]

Row = TypeVar("Row")
Item = TypeVar("Item")


def paged(rows: Sequence[Row], page: Paging, out: Callable[[Row], Item]) -> PageOut[Item]:
    """One page of a list the service reads whole; only the page's rows are turned into output."""
    window = rows[page.offset : page.offset + page.limit]
    return PageOut(
        items=[out(row) for row in window], total=len(rows), limit=page.limit, offset=page.offset
    )
