"""Your account: who you are, changing your password, and your personal API tokens.

Everyone signed in has this page. A new password signs out the person's other
browser sessions, never the one they are using. A new token's secret is shown
once, on the page the form's post answers with (no redirect: only its hash is
kept, so there is nothing to show again later); the other forms redirect back
with a short confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.schemas import PathId
from podium.api.users import TokenCreate
from podium.errors import ValidationFailed
from podium.models import ApiToken, utcnow
from podium.services import auth, users
from podium.web.form_errors import Errors, errors_of, validate
from podium.web.session import CheckedForm, CurrentViewer, Viewer
from podium.web.tasks import done, field_value
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

PASSWORD_FIELDS = ("current_password", "new_password", "new_password_again")
TOKEN_FIELDS = ("name", "expires_in_days")
PASSWORD_MAX = 1000  # as the API's password fields
DONE_MESSAGES = {
    "password": "Password changed: your other browser sessions are signed out.",
    "revoked": "Token revoked: it no longer works.",
}


@dataclass(frozen=True, slots=True)
class TokenRow:
    """A personal token as the page lists it (``live``: not revoked, not expired)."""

    token: ApiToken
    expired: bool

    @property
    def live(self) -> bool:
        return self.token.revoked_at is None and not self.expired


def token_rows(tokens: list[ApiToken], now: datetime) -> list[TokenRow]:
    rows = [TokenRow(t, t.expires_at is not None and t.expires_at <= now) for t in tokens]
    return sorted(rows, key=lambda r: (not r.live, -r.token.id))


def _page(
    request: Request,
    db: Db,
    viewer: Viewer,
    *,
    password_errors: Errors | None = None,
    token_errors: Errors | None = None,
    token_values: dict[str, Any] | None = None,
    new_token: dict[str, Any] | None = None,
    flash: str = "",
    status_code: int = 200,
) -> Response:
    user = users.get_user(db, viewer.actor, viewer.user_id)
    context = {
        "user": user,
        "tokens": token_rows(auth.list_tokens(db, user), utcnow()),
        "password_errors": password_errors or {},
        "token_errors": token_errors or {},
        "token_values": token_values or {},
        "new_token": new_token,
        "flash": flash,
    }
    return render(request, "account/page.html", context, status_code=status_code)


@router.get("/account", name="account")
def account_page(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    done_: Annotated[str | None, Query(alias="done", max_length=20)] = None,
) -> Response:
    """Your name, email and admin status, the password form and your API tokens."""
    return _page(request, db, viewer, flash=DONE_MESSAGES.get(done_ or "", ""))


def _password_errors(current: str, new: str, again: str) -> Errors:
    """What the form can tell without the service: blanks, and two new ones that differ."""
    errors = {
        name: "Required."
        for name, value in zip(PASSWORD_FIELDS, (current, new, again), strict=True)
        if not value
    }
    if len(new) > PASSWORD_MAX:
        errors["new_password"] = f"At most {PASSWORD_MAX} characters."
    if new and again and new != again:
        errors["new_password_again"] = "Does not match the new password."
    return errors


@router.post("/account/password", name="account-password")
def change_password(request: Request, db: Db, viewer: CurrentViewer, form: CheckedForm) -> Response:
    """Change your password, given the current one; your other browser sessions end."""
    # passwords are taken as typed: spaces at either end are part of them
    current, new, again = (str(form.get(name) or "") for name in PASSWORD_FIELDS)
    errors = _password_errors(current, new, again)
    if not errors:
        try:
            users.change_own_password(
                db, viewer.actor, current=current, new=new, keep_session=viewer.session_id
            )
            done(db)
            return RedirectResponse("/account?done=password", status_code=303)
        except ValidationFailed as exc:
            db.rollback()
            errors = errors_of(exc, PASSWORD_FIELDS)
    return _page(request, db, viewer, password_errors=errors, status_code=422)


@router.post("/account/tokens", name="account-token-create")
def create_token(request: Request, db: Db, viewer: CurrentViewer, form: CheckedForm) -> Response:
    """A new personal API token; its secret is shown once, on the page this answers with."""
    values = {name: field_value(form, name) for name in TOKEN_FIELDS}
    data = {"name": values["name"], "expires_in_days": values["expires_in_days"] or None}
    body, errors = validate(TokenCreate, data)
    if body is not None and not errors:
        try:
            user = users.get_user(db, viewer.actor, viewer.user_id)
            token, secret = auth.create_token(
                db, user, name=body.name, days=body.expires_in_days, actor=viewer.actor
            )
            shown = {"id": token.id, "name": token.name, "secret": secret}
            done(db)
            return _page(request, db, viewer, new_token=shown, status_code=201)
        except ValidationFailed as exc:
            db.rollback()
            errors = errors_of(exc, TOKEN_FIELDS)
    return _page(request, db, viewer, token_errors=errors, token_values=values, status_code=422)


@router.post("/account/tokens/{token_id}/revoke", name="account-token-revoke")
def revoke_token(token_id: PathId, db: Db, viewer: CurrentViewer, _form: CheckedForm) -> Response:
    """Revoke one of your tokens: requests with it are refused from now on."""
    user = users.get_user(db, viewer.actor, viewer.user_id)
    auth.revoke_token(db, user, token_id, actor=viewer.actor)
    done(db)
    return RedirectResponse("/account?done=revoked#tokens", status_code=303)
