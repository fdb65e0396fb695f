"""Failed sign-ins are counted in the database: two server processes on one database (two
apps, each with its own engine) refuse the same email after the same ten failures, through
the API, the sign-in form and the password change."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from podium.app import create_app
from podium.config import Settings
from podium.db import make_engine
from podium.models import WebSession, utcnow
from podium.models.users import SignInFailure
from podium.services import auth
from tests.api.conftest import Browser, Cast
from tests.factories import PASSWORD, assert_error

WRONG = "wrong password"
NEW_PASSWORD = "a brand new secret"
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def other_app(engine: Engine, settings: Settings) -> Iterator[FastAPI]:
    """A second server process: its own app and engine (connections) on the same database."""
    other_engine = make_engine(engine.url.render_as_string(hide_password=False))
    yield create_app(settings, engine=other_engine)
    other_engine.dispose()


@pytest.fixture
def other(other_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(other_app) as client:
        yield client


def api_sign_in(client: TestClient, email: str, password: str) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def form_sign_in(client: TestClient, email: str, password: str) -> httpx.Response:
    form = client.get("/login")
    token = FORM_TOKEN.search(form.text)
    assert token is not None, form.text
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )


def stored(db: Session) -> list[SignInFailure]:
    db.expire_all()
    return list(db.scalars(select(SignInFailure).order_by(SignInFailure.failed_at)))


def test_two_server_processes_share_one_count_through_the_api(
    app_client: TestClient, other: TestClient, cast: Cast, db: Session
) -> None:
    for client in (app_client, other) * 5:
        assert_error(api_sign_in(client, "viewer@example.com", WRONG), 401)
    assert len(stored(db)) == 10
    for client in (app_client, other):
        refused = api_sign_in(client, "viewer@example.com", PASSWORD)  # even the right one
        error = assert_error(refused, 429, "too_many_attempts")
        assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
        assert error["details"]["retry_after"] == int(refused.headers["Retry-After"])
    assert len(stored(db)) == 10  # a refusal is not one more failure


def test_the_sign_in_form_and_the_api_count_together(
    app_client: TestClient, other: TestClient, cast: Cast
) -> None:
    for _ in range(5):
        failed = form_sign_in(app_client, "viewer@example.com", WRONG)
        assert failed.status_code == 422 and "Wrong email or password." in failed.text
        assert_error(api_sign_in(other, "viewer@example.com", WRONG), 401)
    refused = form_sign_in(other, "viewer@example.com", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed sign-ins for this email" in refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert_error(api_sign_in(app_client, "viewer@example.com", PASSWORD), 429, "too_many_attempts")


def test_an_email_without_an_account_is_counted_the_same_way(
    app_client: TestClient, other: TestClient, cast: Cast
) -> None:
    for client in (app_client, other) * 5:
        assert_error(api_sign_in(client, "nobody@example.com", WRONG), 401)
    assert_error(api_sign_in(app_client, "nobody@example.com", WRONG), 429, "too_many_attempts")
    assert api_sign_in(other, "viewer@example.com", PASSWORD).status_code == 200


def test_a_success_in_one_process_clears_the_count_for_all(
    app_client: TestClient, other: TestClient, cast: Cast, db: Session
) -> None:
    for _ in range(9):
        assert_error(api_sign_in(app_client, "member@example.com", WRONG), 401)
    assert_error(api_sign_in(app_client, "viewer@example.com", WRONG), 401)
    assert form_sign_in(other, "member@example.com", PASSWORD).status_code == 303
    assert [f.key_hash for f in stored(db)] == [auth.sign_in_key("viewer@example.com")]
    for _ in range(9):
        assert_error(api_sign_in(app_client, "member@example.com", WRONG), 401)
    assert api_sign_in(other, "member@example.com", PASSWORD).status_code == 200


def test_failures_written_by_another_machine_count_and_retry_after_follows_them(
    app_client: TestClient, cast: Cast, db: Session
) -> None:
    now = utcnow()
    key = auth.sign_in_key("viewer@example.com")
    # ten within the window, the oldest ten minutes ago: refused for five more minutes
    db.add_all(
        SignInFailure(key_hash=key, failed_at=now - timedelta(minutes=10, seconds=i))
        for i in range(10)
    )
    db.add(SignInFailure(key_hash=key, failed_at=now - timedelta(minutes=16)))  # aged out
    db.commit()
    refused = api_sign_in(app_client, "Viewer@Example.com", PASSWORD)
    assert_error(refused, 429, "too_many_attempts")
    assert 5 * 60 - 15 <= int(refused.headers["Retry-After"]) <= 5 * 60 + 1
    assert "try again in 5 minute(s)" in refused.json()["error"]["message"]


def test_failures_older_than_the_window_no_longer_count(
    app_client: TestClient, cast: Cast, db: Session
) -> None:
    key = auth.sign_in_key("viewer@example.com")
    long_ago = utcnow() - auth.SIGNIN_WINDOW - timedelta(seconds=1)
    db.add_all(
        SignInFailure(key_hash=key, failed_at=long_ago - timedelta(seconds=i)) for i in range(10)
    )
    db.commit()
    assert api_sign_in(app_client, "viewer@example.com", PASSWORD).status_code == 200


def test_the_email_typed_is_never_stored_only_its_hash(
    app_client: TestClient, cast: Cast, db: Session
) -> None:
    assert_error(api_sign_in(app_client, "  Viewer@Example.COM ", WRONG), 401)
    # the form takes any text: a password typed into the email field, say
    failed = form_sign_in(app_client, "my-secret-password-typed-as-email", WRONG)
    assert failed.status_code == 422
    rows = stored(db)
    assert {row.key_hash for row in rows} == {
        hashlib.sha256(b"viewer@example.com").hexdigest(),
        hashlib.sha256(b"my-secret-password-typed-as-email").hexdigest(),
    }
    everything = repr([(row.key_hash, row.failed_at) for row in rows]).lower()
    assert "viewer@" not in everything and "secret" not in everything


# --- the current-password check when changing one's password -------------------------


def change_own(client: Any, current: str, new: str = NEW_PASSWORD) -> httpx.Response:
    body = {"current_password": current, "new_password": new}
    response: httpx.Response = client.post("/api/v1/users/me/password", json=body)
    return response


def test_a_wrong_current_password_counts_as_a_failed_sign_in(
    other: TestClient, cast: Cast, db: Session
) -> None:
    viewer_id = cast.viewer.user.id
    web, _secret = auth.start_session(db, cast.viewer.user, days=1)
    db.commit()
    for _ in range(10):  # a fresh token: each of these requests also writes its last use
        error = assert_error(change_own(cast.viewer, WRONG), 422, "validation_failed")
        assert [d["field"] for d in error["details"]] == ["current_password"]
    assert_error(change_own(cast.viewer, PASSWORD), 429, "too_many_attempts")
    assert_error(api_sign_in(other, "viewer@example.com", PASSWORD), 429, "too_many_attempts")
    # nothing else of those requests was kept: the password and the sessions are as they were
    db.expire_all()
    assert db.scalars(select(WebSession.id).where(WebSession.user_id == viewer_id)).all() == [
        web.id
    ]
    assert len(stored(db)) == 10
    db.query(SignInFailure).delete()
    db.commit()
    assert api_sign_in(other, "viewer@example.com", PASSWORD).status_code == 200


def test_the_account_page_password_form_is_throttled_too(
    browser_as: Any, other: TestClient, cast: Cast
) -> None:
    viewer: Browser = browser_as("viewer@example.com")
    wrong = {"current_password": WRONG, "new_password": NEW_PASSWORD}
    wrong["new_password_again"] = NEW_PASSWORD
    for _ in range(10):
        page = viewer.post("/account/password", wrong)
        assert page.status_code == 422 and "not your current password" in page.text
    right = {**wrong, "current_password": PASSWORD}
    refused = viewer.post("/account/password", right)
    assert refused.status_code == 429
    assert "too many failed sign-ins for this email" in refused.text
    assert 14 * 60 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert_error(api_sign_in(other, "viewer@example.com", PASSWORD), 429, "too_many_attempts")
