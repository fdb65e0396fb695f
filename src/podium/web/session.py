"""Who is signed in to the browser, and the CSRF checks on every form post.

Signed-in forms carry the session's ``csrf_token`` in a hidden ``csrf_token``
field; HTMX requests send it in the ``X-CSRF-Token`` header (``static/podium.js``
reads it from ``<meta name="csrf-token">``), which the API's cookie path also
checks. The sign-in form, before any session exists, uses a double-submit
token: a random cookie and, in the form, its HMAC under the secret key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.datastructures import FormData

from podium.api.deps import CSRF_HEADER, SESSION_COOKIE, Db
from podium.errors import Forbidden, Unauthorized
from podium.models import WebSession
from podium.services import auth
from podium.services.actor import Actor
from podium.services.scheduling.pending import ACTOR_EMAIL

SIGNIN_COOKIE = "podium_signin"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person, as plain values (templates may read them after the session closes)."""

    user_id: int
    email: str
    name: str
    is_admin: bool
    csrf_token: str
    session_id: int  # the browser session's own record (kept when the password changes)

    @classmethod
    def of(cls, web: WebSession) -> Viewer:
        user = web.user
        return cls(
            user_id=user.id,
            email=user.email,
            name=user.name or user.email,
            is_admin=user.is_admin,
            csrf_token=web.csrf_token,
            session_id=web.id,
        )

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.user_id, email=self.email, is_admin=self.is_admin)


def find_viewer(request: Request, db: Db) -> Viewer | None:
    """The person behind the session cookie, if it is live; remembered on ``request.state``.

    The request's changes are theirs: the alerts a change raises name them, as the
    API's do (:func:`podium.api.deps.current_actor`)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    web = auth.session_for_cookie(db, cookie) if cookie else None
    viewer = Viewer.of(web) if web is not None else None
    request.state.viewer = viewer
    if viewer is not None:
        db.info[ACTOR_EMAIL] = viewer.email
    return viewer


def signed_in(request: Request, db: Db) -> Viewer:
    """The signed-in viewer, else ``Unauthorized`` (which pages turn into the sign-in redirect)."""
    viewer = find_viewer(request, db)
    if viewer is None:
        raise Unauthorized("sign in to continue")
    return viewer


CurrentViewer = Annotated[Viewer, Depends(signed_in)]


def _same(sent: object, expected: str) -> bool:
    return isinstance(sent, str) and bool(sent) and hmac.compare_digest(sent, expected)


async def checked_form(request: Request, viewer: CurrentViewer) -> FormData:
    """The posted form of a signed-in viewer, once its CSRF token (field or header) is right."""
    form = await request.form()
    sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not _same(sent, viewer.csrf_token):
        raise Forbidden(
            "This form was not sent from a current Podium page: its security token is "
            "missing or out of date. Go back, reload the page and try again.",
            code="csrf_failed",
        )
    sent_version = form.get("version")
    if isinstance(sent_version, str) and sent_version.isdecimal():
        request.state.form_version = int(sent_version)
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


# --- the sign-in form (no session yet) ----------------------------------------


def new_signin_nonce() -> str:
    return secrets.token_urlsafe(24)


def signin_token(secret_key: str, nonce: str) -> str:
    """The sign-in form's token for the nonce in its cookie."""
    return hmac.new(secret_key.encode(), b"signin:" + nonce.encode(), hashlib.sha256).hexdigest()


def signin_token_valid(secret_key: str, nonce: str | None, sent: str) -> bool:
    return bool(nonce) and _same(sent, signin_token(secret_key, nonce or ""))


# --- where to go after signing in ----------------------------------------------


def safe_next(url: str | None) -> str:
    """``url`` if it is a path on this site, else ``/`` (no open redirects)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    if any(ord(c) < 32 or ord(c) == 127 for c in url):
        return "/"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or parts.path in ("/login", "/logout"):
        return "/"
    return url
