"""Sign-in, the current user, managing accounts (admins), passwords and personal API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy.orm import Session

from podium.api.dependencies import refuse_null
from podium.api.deps import (
    SESSION_COOKIE,
    CurrentActor,
    CurrentUser,
    Db,
    ExpectedVersion,
    Page,
    commit,
    paged,
    set_etag,
)
from podium.api.schemas import ERROR_RESPONSES, Email, Out, PageOut, PathId, Strict
from podium.errors import Forbidden
from podium.models import User
from podium.services import auth, users
from podium.services.actor import Actor

router = APIRouter(tags=["users"], responses=ERROR_RESPONSES)


# a password is taken as typed: spaces at its ends are part of it (as on the sign-in page)
AsTyped = Annotated[str, StringConstraints(strip_whitespace=False)]


class LoginIn(Strict):
    email: Email
    password: AsTyped = Field(min_length=1, max_length=1000)


class UserOut(Out):
    id: int
    email: str
    name: str
    is_admin: bool
    is_active: bool
    version: int
    created_at: datetime


class SessionOut(Out):
    user: UserOut
    csrf_token: str


@router.post(
    "/auth/login",
    response_model=SessionOut,
    summary="Sign in with email and password (sets the session cookie)",
)
def login(body: LoginIn, request: Request, response: Response, db: Db) -> SessionOut:
    user = auth.authenticate_password(db, body.email, body.password)
    settings = request.app.state.settings
    web, secret = auth.start_session(db, user, days=settings.session_days)
    commit(db)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.environment == "production",
    )
    return SessionOut(user=UserOut.model_validate(user), csrf_token=web.csrf_token)


@router.post(
    "/auth/logout", status_code=status.HTTP_204_NO_CONTENT, summary="End the browser session"
)
def logout(request: Request, db: Db) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        auth.end_session(db, cookie)
        commit(db)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/users/me", response_model=UserOut, summary="Who am I")
def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


class UserCreate(Strict):
    email: Email
    name: str = Field(default="", max_length=200)
    password: AsTyped | None = Field(default=None, min_length=8, max_length=1000)
    is_admin: bool = False


@router.get(
    "/users",
    response_model=PageOut[UserOut],
    summary="List active users (to add members by email); admins: also deactivated ones",
)
def list_users(
    db: Db,
    actor: CurrentActor,
    page: Page,
    q: Annotated[
        str | None, Query(max_length=200, description="part of an email or a name")
    ] = None,
    inactive: Annotated[
        bool, Query(description="admins: also list deactivated accounts (active first)")
    ] = False,
) -> PageOut[UserOut]:
    if inactive:
        items, total = users.list_accounts(
            db, actor, q=q, inactive=True, limit=page.limit, offset=page.offset
        )
    else:
        items, total = auth.list_users(db, q=q, limit=page.limit, offset=page.offset, seen_by=actor)
    return PageOut(
        items=[UserOut.model_validate(u) for u in items],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "/users",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a user (admin)",
)
def create_user(body: UserCreate, db: Db, actor: CurrentActor) -> UserOut:
    if not actor.is_admin:
        raise Forbidden("only an admin can create users")
    user = auth.add_user(
        db, actor, email=body.email, password=body.password, name=body.name, is_admin=body.is_admin
    )
    commit(db)
    return UserOut.model_validate(user)


class UserUpdate(Strict):
    name: str | None = Field(default=None, max_length=200, description="blank: the email's name")
    is_admin: bool | None = None
    is_active: bool | None = Field(
        default=None, description="false: the account signs in no more, its sessions end"
    )

    _not_null = field_validator("name", "is_admin", "is_active")(refuse_null)


class Password(Strict):
    """Passwords are taken as typed: spaces at either end are part of them."""

    model_config = ConfigDict(str_strip_whitespace=False)


class PasswordReset(Password):
    password: str = Field(min_length=auth.MIN_PASSWORD_LENGTH, max_length=1000)


class PasswordChange(Password):
    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=auth.MIN_PASSWORD_LENGTH, max_length=1000)


def _session_in_use(request: Request, db: Session, user: User) -> int | None:
    """The id of the browser session this request was signed in with, if any (a request
    with a bearer token has none to keep, even if a cookie came along)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if request.headers.get("Authorization") or not cookie:
        return None
    web = auth.session_for_cookie(db, cookie)
    return web.id if web is not None and web.user_id == user.id else None


# /users/me/... before /users/{user_id}/...: "me" is not an id
@router.post(
    "/users/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change your own password (your other browser sessions end)",
)
def change_own_password(
    body: PasswordChange, request: Request, db: Db, user: CurrentUser, actor: CurrentActor
) -> Response:
    users.change_own_password(
        db,
        actor,
        current=body.current_password,
        new=body.new_password,
        keep_session=_session_in_use(request, db, user),
    )
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/users/{user_id}",
    response_model=UserOut,
    summary="An account (admins: any; everyone else: their own)",
)
def get_user(user_id: PathId, db: Db, actor: CurrentActor, response: Response) -> UserOut:
    user = users.get_user(db, actor, user_id)
    set_etag(response, user.version)
    return UserOut.model_validate(user)


@router.patch(
    "/users/{user_id}",
    response_model=UserOut,
    summary="Rename an account, make it an admin or not, deactivate or reactivate it (admin)",
)
def update_user(
    user_id: PathId,
    body: UserUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> UserOut:
    user = users.update_user(
        db, actor, user_id, body.model_dump(exclude_unset=True), expected_version=version
    )
    commit(db)
    set_etag(response, user.version)
    return UserOut.model_validate(user)


@router.post(
    "/users/{user_id}/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Set a new password for an account (admin; its browser sessions end)",
)
def reset_password(user_id: PathId, body: PasswordReset, db: Db, actor: CurrentActor) -> Response:
    users.reset_password(db, actor, user_id, body.password)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class TokenCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenOut(Out):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="the secret: shown once, store it now")


@router.get("/tokens", response_model=PageOut[TokenOut], summary="Your personal API tokens")
def list_tokens(db: Db, user: CurrentUser, page: Page) -> PageOut[TokenOut]:
    return paged(auth.list_tokens(db, user), page, TokenOut.model_validate)


@router.post(
    "/tokens",
    response_model=NewTokenOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a personal API token (signed in: a token cannot make another)",
)
def create_token(body: TokenCreate, db: Db, user: CurrentUser, request: Request) -> NewTokenOut:
    if request.headers.get("Authorization"):
        # a token that leaked must not be able to mint one that outlives its own expiry
        # or its revocation
        raise Forbidden(
            "a token cannot create tokens: create them signed in (the Account page) or "
            "with `podium token create`",
            code="token_from_token",
        )
    token, secret = auth.create_token(
        db, user, name=body.name, days=body.expires_in_days, actor=Actor.of(user)
    )
    commit(db)
    return NewTokenOut(**TokenOut.model_validate(token).model_dump(), token=secret)


@router.delete(
    "/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke a token"
)
def revoke_token(token_id: PathId, db: Db, user: CurrentUser) -> Response:
    auth.revoke_token(db, user, token_id, actor=Actor.of(user))
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/users/{user_id}/tokens",
    response_model=PageOut[TokenOut],
    summary="An account's API tokens, revoked ones too (admin, or the account itself)",
)
def list_account_tokens(
    user_id: PathId, db: Db, actor: CurrentActor, page: Page
) -> PageOut[TokenOut]:
    return paged(users.account_tokens(db, actor, user_id), page, TokenOut.model_validate)


@router.delete(
    "/users/{user_id}/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke one of an account's tokens (admin, or the account itself)",
)
def revoke_account_token(
    user_id: PathId, token_id: PathId, db: Db, actor: CurrentActor
) -> Response:
    users.revoke_account_token(db, actor, user_id, token_id)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
