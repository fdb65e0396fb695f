"""Signing in and out of the browser."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from podium.api.deps import SESSION_COOKIE, Db, commit
from podium.config import Settings
from podium.errors import TooManyAttempts, Unauthorized
from podium.services import auth
from podium.web.session import (
    SIGNIN_COOKIE,
    CheckedForm,
    find_viewer,
    new_signin_nonce,
    safe_next,
    signin_token,
    signin_token_valid,
)
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

STALE_FORM = "This sign-in form was not sent by Podium or has expired. Please try again."


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _signin_page(
    request: Request,
    *,
    email: str = "",
    next_url: str = "",
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    settings = _settings(request)
    nonce = request.cookies.get(SIGNIN_COOKIE) or new_signin_nonce()
    response = render(
        request,
        "login.html",
        {
            "email": email,
            "next_url": safe_next(next_url) if next_url else "",
            "error": error,
            "notice": notice,
            "signin_token": signin_token(settings.secret_key, nonce),
        },
        status_code=status_code,
    )
    response.set_cookie(
        SIGNIN_COOKIE,
        nonce,
        httponly=True,
        samesite="lax",
        secure=settings.environment == "production",
        path="/login",
    )
    return response


@router.get("/login", name="login")
def login_form(
    request: Request,
    db: Db,
    next_url: Annotated[str, Query(alias="next")] = "",
    signed_out: bool = False,
) -> Response:
    """The sign-in form (someone already signed in goes straight on)."""
    if find_viewer(request, db) is not None:
        return RedirectResponse(safe_next(next_url), status_code=303)
    notice = "You are signed out." if signed_out else None
    return _signin_page(request, next_url=next_url, notice=notice)


@router.post("/login")
def login(
    request: Request,
    db: Db,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_url: Annotated[str, Form(alias="next")] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Check the password, start a browser session and go on to ``next`` (or the programs)."""
    settings = _settings(request)
    email = email.strip()

    def again(error: str, status_code: int) -> Response:
        return _signin_page(
            request, email=email, next_url=next_url, error=error, status_code=status_code
        )

    if not signin_token_valid(settings.secret_key, request.cookies.get(SIGNIN_COOKIE), csrf_token):
        return again(STALE_FORM, 403)
    if not email or not password:
        return again("Enter your email and password.", 422)
    try:
        user = auth.authenticate_password(db, email, password)
    except Unauthorized:
        return again("Wrong email or password.", 422)
    except TooManyAttempts as exc:
        refused = again(exc.message[:1].upper() + exc.message[1:] + ".", exc.status)
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        auth.end_session(db, previous)
    _web, secret = auth.start_session(db, user, days=settings.session_days)
    commit(db)
    response = RedirectResponse(safe_next(next_url), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.environment == "production",
    )
    response.delete_cookie(SIGNIN_COOKIE, path="/login")
    return response


@router.post("/logout", name="logout")
def logout(request: Request, db: Db, _form: CheckedForm) -> Response:
    """End the browser session (a form post with the CSRF token)."""
    auth.end_session(db, request.cookies.get(SESSION_COOKIE, ""))
    commit(db)
    response = RedirectResponse("/login?signed_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
