"""The organisation's accounts (admins): the list with its search and the add form, and
one account's page to rename it, make it an admin or not, deactivate or reactivate it,
set it a new password, and see the programs it belongs to.

The add form is checked with the API's own input schema (``UserCreate``), so the page
refuses what the API refuses, with the message beside its field. The service keeps
the rules: the last active admin stays one, a deactivated account's sessions and
tokens stop at once, a new password signs the account's browsers out.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.schemas import PathId
from podium.api.users import UserCreate
from podium.errors import Conflict, Forbidden, StaleVersion, ValidationFailed
from podium.models import User, utcnow
from podium.services import auth, users
from podium.web.account import token_rows
from podium.web.form_errors import GENERAL, Errors, errors_of, validate
from podium.web.programs import Pager
from podium.web.session import CheckedForm, CurrentViewer, Viewer
from podium.web.tasks import checkbox, done, field_value, version_of
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
NAME_MAX = 200  # as the API's ``UserCreate.name``
PASSWORD_MAX = 1000  # as the API's password fields
ADD_FIELDS = ("email", "name", "password", "is_admin")
EDIT_FIELDS = ("name", "is_admin", "is_active")
DONE_MESSAGES = {
    "created": "User added: they can sign in with the password you gave them.",
    "saved": "Saved.",
    "password": (
        "New password set: their browser sessions are signed out and their API tokens and "
        "calendar feeds revoked."
    ),
    "token": "Token revoked: it works no more.",
}


def _admins_only(viewer: Viewer) -> None:
    """These pages are the admins' (the service lets anyone read their own account:
    that is what ``/account`` shows)."""
    if not viewer.is_admin:
        raise Forbidden("only an admin can manage users")


def _list_page(
    request: Request,
    db: Db,
    viewer: Viewer,
    *,
    q: str = "",
    number: int = 1,
    add_values: dict[str, Any] | None = None,
    add_errors: Errors | None = None,
    status_code: int = 200,
) -> Response:
    offset = Pager(number=number, size=PAGE_SIZE, total=0).offset
    found, total = users.list_accounts(
        db, viewer.actor, q=q or None, limit=PAGE_SIZE, offset=offset
    )
    context = {
        "accounts": found,
        "programs": users.program_counts(db, viewer.actor, [u.id for u in found]),
        "pager": Pager(number=number, size=PAGE_SIZE, total=total),
        "q": q,
        "add_values": add_values or {},
        "add_errors": add_errors or {},
    }
    return render(request, "users/list.html", context, status_code=status_code)


@router.get("/users", name="users")
def user_list(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Every account, active first: name, email, admin, active, how many programs."""
    _admins_only(viewer)
    return _list_page(request, db, viewer, q=(q or "").strip(), number=page)


def _sentence(message: str) -> str:
    """A service message as a sentence; one that starts with an email keeps it as it is
    (``humanize`` would capitalise it and turn its underscores into spaces)."""
    first = message.split(" ", 1)[0]
    return (message if "@" in first else message[:1].upper() + message[1:]) + "."


def _password_errors(password: str) -> Errors:
    if not password:
        return {"password": "Required."}
    if len(password) < auth.MIN_PASSWORD_LENGTH:
        return {"password": f"Must be at least {auth.MIN_PASSWORD_LENGTH} characters."}
    if len(password) > PASSWORD_MAX:
        return {"password": f"At most {PASSWORD_MAX} characters."}
    return {}


@router.post("/users", name="user-create")
def create_user(request: Request, db: Db, viewer: CurrentViewer, form: CheckedForm) -> Response:
    """Add an account; back to the list with the errors beside their fields."""
    _admins_only(viewer)
    values: dict[str, Any] = {name: field_value(form, name) for name in ("email", "name")}
    values["is_admin"] = checkbox(form, "is_admin")
    password = str(form.get("password") or "")  # taken as typed, never sent back
    body, errors = validate(UserCreate, {**values, "password": password or None})
    errors.update(_password_errors(password))
    if not values["email"]:
        errors["email"] = "Required."
    if body is not None and not errors:
        try:
            user = auth.add_user(
                db,
                viewer.actor,
                email=body.email,
                password=password,  # as typed: the schema strips spaces
                name=body.name,
                is_admin=body.is_admin,
            )
            done(db)
            return RedirectResponse(f"/users/{user.id}?done=created", status_code=303)
        except Conflict as exc:  # the email is taken
            db.rollback()
            errors = {"email": _sentence(exc.message)}
        except ValidationFailed as exc:
            db.rollback()
            errors = errors_of(exc, ADD_FIELDS)
    return _list_page(request, db, viewer, add_values=values, add_errors=errors, status_code=422)


def _values_of(user: User) -> dict[str, Any]:
    return {"name": user.name, "is_admin": user.is_admin, "is_active": user.is_active}


def _user_page(
    request: Request,
    db: Db,
    viewer: Viewer,
    user: User,
    *,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    password_errors: Errors | None = None,
    flash: str = "",
    status_code: int = 200,
) -> Response:
    context = {
        "account": user,
        "is_self": user.id == viewer.user_id,
        "memberships": users.memberships_of(db, viewer.actor, user.id),
        "tokens": token_rows(users.account_tokens(db, viewer.actor, user.id), utcnow()),
        "values": values if values is not None else _values_of(user),
        "errors": errors or {},
        "password_errors": password_errors or {},
        "flash": flash,
    }
    return render(request, "users/page.html", context, status_code=status_code)


@router.get("/users/{user_id}", name="user")
def show_user(
    request: Request,
    user_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    done_: Annotated[str | None, Query(alias="done", max_length=20)] = None,
) -> Response:
    """One account: its form, a new password, and the programs it belongs to."""
    _admins_only(viewer)
    user = users.get_user(db, viewer.actor, user_id)
    return _user_page(request, db, viewer, user, flash=DONE_MESSAGES.get(done_ or "", ""))


def _edit_values(form: FormData) -> dict[str, Any]:
    return {
        "name": field_value(form, "name"),
        "is_admin": checkbox(form, "is_admin"),
        "is_active": checkbox(form, "is_active"),
    }


@router.post("/users/{user_id}", name="user-update")
def update_user(
    request: Request, user_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Save an account's form (checked against the version it was read at)."""
    _admins_only(viewer)
    user = users.get_user(db, viewer.actor, user_id)
    values = _edit_values(form)
    errors: Errors = {}
    status_code = 422
    if len(values["name"]) > NAME_MAX:
        errors["name"] = f"At most {NAME_MAX} characters."
    else:
        try:
            saved = users.update_user(
                db, viewer.actor, user_id, values, expected_version=version_of(form)
            )
            demoted_self = saved.id == viewer.user_id and not saved.is_admin
            done(db)
            target = "/account" if demoted_self else f"/users/{user_id}?done=saved"
            return RedirectResponse(target, status_code=303)
        except Conflict as exc:  # the last active admin
            db.rollback()
            errors, status_code = {GENERAL: _sentence(exc.message)}, exc.status
        except StaleVersion as exc:
            # 409, not the API's 412: the page answers a form, not an If-Match header
            db.rollback()
            errors, status_code = errors_of(exc, EDIT_FIELDS), 409
        except ValidationFailed as exc:
            db.rollback()
            errors = errors_of(exc, EDIT_FIELDS)
    db.refresh(user)
    return _user_page(
        request, db, viewer, user, values=values, errors=errors, status_code=status_code
    )


@router.post("/users/{user_id}/password", name="user-password")
def set_password(
    request: Request, user_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Give an account a new password; its browser sessions end."""
    _admins_only(viewer)
    user = users.get_user(db, viewer.actor, user_id)
    password = str(form.get("password") or "")
    errors = _password_errors(password)
    if not errors:
        try:
            users.reset_password(db, viewer.actor, user_id, password)
            done(db)
            return RedirectResponse(f"/users/{user_id}?done=password", status_code=303)
        except ValidationFailed as exc:
            db.rollback()
            errors = errors_of(exc, ("password",))
    db.refresh(user)
    return _user_page(request, db, viewer, user, password_errors=errors, status_code=422)


@router.post("/users/{user_id}/tokens/{token_id}/revoke", name="user-token-revoke")
def revoke_token(
    user_id: PathId, token_id: PathId, db: Db, viewer: CurrentViewer, _form: CheckedForm
) -> Response:
    """Revoke one of an account's API tokens (admins): it stops at once."""
    _admins_only(viewer)
    users.revoke_account_token(db, viewer.actor, user_id, token_id)
    done(db)
    return RedirectResponse(f"/users/{user_id}?done=token#tokens", status_code=303)
