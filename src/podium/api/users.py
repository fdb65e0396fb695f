"""Sign-in, the current user, users (admins) and personal API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import EmailStr, Field

from podium.api.deps import SESSION_COOKIE, CurrentActor, CurrentUser, Db, Page, commit
from podium.api.schemas import ERROR_RESPONSES, Out, PageOut, Strict
from podium.errors import Forbidden
from podium.services import auth

router = APIRouter(tags=["users"], responses=ERROR_RESPONSES)


class LoginIn(Strict):
    email: EmailStr
    password: str = Field(min_length=1, max_length=1000)


class UserOut(Out):
    id: int
    email: str
    name: str
    is_admin: bool
    is_active: bool
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
    email: EmailStr
    name: str = Field(default="", max_length=200)
    password: str | None = Field(default=None, min_length=8, max_length=1000)
    is_admin: bool = False


@router.get(
    "/users", response_model=PageOut[UserOut], summary="List users (to add members by email)"
)
def list_users(
    db: Db, actor: CurrentActor, page: Page, q: Annotated[str | None, Query()] = None
) -> PageOut[UserOut]:
    items, total = auth.list_users(db, q=q, limit=page.limit, offset=page.offset)
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


@router.get("/tokens", response_model=list[TokenOut], summary="Your personal API tokens")
def list_tokens(db: Db, user: CurrentUser) -> list[TokenOut]:
    return [TokenOut.model_validate(t) for t in auth.list_tokens(db, user)]


@router.post(
    "/tokens",
    response_model=NewTokenOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a personal API token",
)
def create_token(body: TokenCreate, db: Db, user: CurrentUser) -> NewTokenOut:
    token, secret = auth.create_token(db, user, name=body.name, days=body.expires_in_days)
    commit(db)
    return NewTokenOut(**TokenOut.model_validate(token).model_dump(), token=secret)


@router.delete(
    "/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke a token"
)
def revoke_token(token_id: int, db: Db, user: CurrentUser) -> Response:
    auth.revoke_token(db, user, token_id)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
