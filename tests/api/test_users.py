"""Sign-in, users and personal API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from podium.models import ApiToken, utcnow
from tests.api.conftest import Cast
from tests.api.test_programs import assert_error
from tests.factories import PASSWORD, make_user


def test_password_login_sets_a_session_cookie_that_reads_the_api(
    app_client: TestClient, cast: Cast
) -> None:
    response = app_client.post(
        "/api/v1/auth/login", json={"email": "viewer@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == "viewer@example.com"
    assert "podium_session" in response.cookies
    programs = app_client.get("/api/v1/programs").json()
    assert [p["key"] for p in programs["items"]] == ["CLOUD"]


def test_an_intranet_address_signs_in_as_on_the_sign_in_page(
    app_client: TestClient, cast: Cast, db: Session
) -> None:
    """The demo's accounts are ``…@podium.local``: a reserved name, but an account."""
    make_user(db, email="pmo@podium.local")
    db.commit()
    response = app_client.post(
        "/api/v1/auth/login", json={"email": "PMO@podium.local ", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == "pmo@podium.local"


@pytest.mark.parametrize("email", ["no-at-sign", "two@@signs", "a b@example.com", "x@", ""])
def test_something_that_is_no_email_is_422_at_sign_in(
    app_client: TestClient, cast: Cast, email: str
) -> None:
    response = app_client.post("/api/v1/auth/login", json={"email": email, "password": "x"})
    assert_error(response, 422, "validation_failed")


def test_wrong_password_and_unknown_email_are_the_same_401(
    app_client: TestClient, cast: Cast
) -> None:
    wrong = app_client.post(
        "/api/v1/auth/login", json={"email": "viewer@example.com", "password": "nope-nope"}
    )
    unknown = app_client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "nope-nope"}
    )
    assert_error(wrong, 401, "unauthorized")
    assert_error(unknown, 401, "unauthorized")
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]


def test_cookie_writes_need_the_csrf_token(app_client: TestClient, cast: Cast) -> None:
    login = app_client.post(
        "/api/v1/auth/login", json={"email": "owner@example.com", "password": PASSWORD}
    )
    csrf = login.json()["csrf_token"]
    url = f"/api/v1/programs/{cast.program.id}"
    assert_error(app_client.patch(url, json={"name": "x"}), 403, "csrf_failed")
    assert_error(
        app_client.patch(url, json={"name": "x"}, headers={"X-CSRF-Token": "forged"}),
        403,
        "csrf_failed",
    )
    ok = app_client.patch(url, json={"name": "Renamed"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200, ok.text


def test_logout_ends_the_session(app_client: TestClient, cast: Cast) -> None:
    app_client.post("/api/v1/auth/login", json={"email": "owner@example.com", "password": PASSWORD})
    assert app_client.get("/api/v1/users/me").status_code == 200
    assert app_client.post("/api/v1/auth/logout").status_code == 204
    assert_error(app_client.get("/api/v1/users/me"), 401)


def test_me_describes_the_token_owner(cast: Cast) -> None:
    me = cast.manager.get("/api/v1/users/me").json()
    assert me["email"] == "manager@example.com" and me["is_admin"] is False


def test_users_can_be_searched_by_email(cast: Cast) -> None:
    found = cast.owner.get("/api/v1/users", params={"q": "view"}).json()
    assert [u["email"] for u in found["items"]] == ["viewer@example.com"]


@pytest.mark.parametrize(("role", "expected"), [("admin", 201), ("owner", 403), ("viewer", 403)])
def test_only_admins_create_users(cast: Cast, role: str, expected: int) -> None:
    response = cast.by_role(role).post(
        "/api/v1/users", json={"email": "new@example.com", "password": "long enough"}
    )
    assert response.status_code == expected, response.text


def test_creating_a_user_twice_or_with_a_bad_email_fails_clearly(cast: Cast) -> None:
    assert_error(
        cast.admin.post("/api/v1/users", json={"email": "owner@example.com"}), 409, "conflict"
    )
    error = assert_error(cast.admin.post("/api/v1/users", json={"email": "not-an-email"}), 422)
    assert error["details"][0]["field"] == "email"
    error = assert_error(
        cast.admin.post("/api/v1/users", json={"email": "x@example.com", "password": "short"}), 422
    )
    assert error["details"][0]["field"] == "password"


def _new_token(client: TestClient, email: str, **body: object) -> Any:
    """A token made as the Account page makes it: signed in (a token cannot make one)."""
    login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    headers = {"X-CSRF-Token": login.json()["csrf_token"]}
    return client.post("/api/v1/tokens", json=body, headers=headers)


def test_a_token_cannot_make_another(app_client: TestClient, cast: Cast) -> None:
    made = cast.viewer.post("/api/v1/tokens", json={"name": "forever"})
    assert_error(made, 403, "token_from_token")
    assert _new_token(app_client, "viewer@example.com", name="ok").status_code == 201


def test_a_new_token_is_shown_once_and_works(app_client: TestClient, cast: Cast) -> None:
    created = _new_token(app_client, "viewer@example.com", name="reporting", expires_in_days=30)
    assert created.status_code == 201, created.text
    secret = created.json()["token"]
    assert secret.startswith("pod_")
    listed = cast.viewer.get("/api/v1/tokens").json()["items"]
    assert "token" not in listed[-1] and listed[-1]["name"] == "reporting"
    me = app_client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["email"] == "viewer@example.com"


def test_a_revoked_token_no_longer_works(app_client: TestClient, cast: Cast) -> None:
    created = _new_token(app_client, "viewer@example.com", name="temp").json()
    assert cast.viewer.delete(f"/api/v1/tokens/{created['id']}").status_code == 204
    assert_error(
        app_client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {created['token']}"}),
        401,
    )


def test_someone_elses_token_cannot_be_revoked(app_client: TestClient, cast: Cast) -> None:
    created = _new_token(app_client, "viewer@example.com", name="mine").json()
    assert_error(cast.owner.delete(f"/api/v1/tokens/{created['id']}"), 404)


def test_an_expired_token_is_401(app_client: TestClient, cast: Cast, db: Session) -> None:
    created = _new_token(app_client, "viewer@example.com", name="old", expires_in_days=1).json()
    token = db.get(ApiToken, created["id"])
    assert token is not None
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.commit()
    assert_error(
        app_client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {created['token']}"}),
        401,
    )


def test_a_tokens_last_use_is_kept_even_when_its_request_fails(
    app_client: TestClient, cast: Cast, db: Session
) -> None:
    created = _new_token(app_client, "viewer@example.com", name="script").json()
    bearer = {"Authorization": f"Bearer {created['token']}"}

    def last_used() -> str | None:
        listed = {t["id"]: t for t in cast.viewer.get("/api/v1/tokens").json()["items"]}
        used: str | None = listed[created["id"]]["last_used_at"]
        return used

    assert last_used() is None
    assert_error(app_client.get("/api/v1/programs/999999", headers=bearer), 404)
    first = last_used()
    assert first is not None
    # written at most every five minutes, not on every request
    token = db.get(ApiToken, created["id"])
    assert token is not None and token.last_used_at is not None
    token.last_used_at -= timedelta(minutes=4)
    db.commit()
    kept = last_used()
    assert app_client.get("/api/v1/users/me", headers=bearer).status_code == 200
    assert last_used() == kept != first
    token.last_used_at -= timedelta(minutes=2)
    db.commit()
    assert app_client.get("/api/v1/users/me", headers=bearer).status_code == 200
    assert last_used() not in (kept, None)


def test_a_token_needs_a_name(cast: Cast) -> None:
    assert_error(cast.viewer.post("/api/v1/tokens", json={"name": ""}), 422)


def test_sign_ins_are_refused_for_a_while_after_ten_failures(
    app_client: TestClient, cast: Cast
) -> None:
    def attempt(email: str, password: str) -> Any:
        return app_client.post("/api/v1/auth/login", json={"email": email, "password": password})

    for _ in range(10):
        assert_error(attempt("viewer@example.com", "wrong password"), 401)
    refused = attempt("viewer@example.com", PASSWORD)  # even the right one, for now
    error = assert_error(refused, 429, "too_many_attempts")
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert error["details"]["retry_after"] == int(refused.headers["Retry-After"])
    # an email with no account is counted the same way: the refusal tells nothing
    for _ in range(10):
        assert_error(attempt("nobody@example.com", "wrong password"), 401)
    assert_error(attempt("nobody@example.com", "wrong password"), 429, "too_many_attempts")
    # another account is not affected, and a success clears its own count
    for _ in range(9):
        assert_error(attempt("member@example.com", "wrong password"), 401)
    assert attempt("member@example.com", PASSWORD).status_code == 200
    assert_error(attempt("member@example.com", "wrong password"), 401)
