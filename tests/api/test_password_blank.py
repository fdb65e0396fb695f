"""A password of only spaces is refused wherever a password is set — a new account, an
admin's reset, one's own change, on the API and the Users and Account pages (the command
line: tests/integration/test_cli_password_blank.py) — as a short one is; a password with
spaces in it is kept as typed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from podium.services import auth
from tests.api.conftest import Browser, Cast
from tests.factories import PASSWORD, assert_error

pytestmark = pytest.mark.db

BLANK = " " * 12
WORDS = "must not be only spaces"


def _refused(response: object, field: str) -> None:
    error = assert_error(response, 422, "validation_failed")
    assert [(d["field"], d["message"]) for d in error["details"]] == [(field, WORDS)], error


def test_the_api_refuses_a_blank_password_for_a_new_account_a_reset_and_a_change(
    cast: Cast, db: Session
) -> None:
    _refused(
        cast.admin.post("/api/v1/users", json={"email": "x@y.z", "password": BLANK}), "password"
    )
    assert auth.find_user(db, "x@y.z") is None
    viewer = cast.viewer.user.id
    _refused(
        cast.admin.post(f"/api/v1/users/{viewer}/password", json={"password": BLANK}), "password"
    )
    body = {"current_password": PASSWORD, "new_password": "\t" + BLANK}
    _refused(cast.member.post("/api/v1/users/me/password", json=body), "new_password")
    # spaces inside or around a real password are part of it
    made = cast.admin.post("/api/v1/users", json={"email": "x@y.z", "password": "  open sesame "})
    assert made.status_code == 201, made.text
    assert auth.authenticate_password(db, "x@y.z", "  open sesame ").email == "x@y.z"


def test_the_pages_say_a_blank_password_at_its_field(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    admin = browser_as("admin@example.com")
    added = admin.post("/users", {"email": "x@y.z", "name": "", "password": BLANK})
    assert added.status_code == 422 and "Must not be only spaces" in added.text, added.text
    viewer = cast.viewer.user.id
    reset = admin.post(f"/users/{viewer}/password", {"password": BLANK})
    assert reset.status_code == 422 and "Must not be only spaces" in reset.text
    member = browser_as("member@example.com")
    form = {"current_password": PASSWORD, "new_password": BLANK, "new_password_again": BLANK}
    changed = member.post("/account/password", form)
    assert changed.status_code == 422 and "Must not be only spaces" in changed.text
