"""Managing accounts through the API: reading, listing, changing and deactivating them,
resetting a password (admins), and changing one's own password (everyone)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.errors import Unauthorized
from podium.models import AuditEntry, User, WebSession
from podium.services import auth
from tests.api.conftest import ROLES, Cast
from tests.factories import PASSWORD, ApiUser, assert_error, make_user

URL = "/api/v1/users"
NON_ADMINS = [role for role in ROLES if role != "admin"]
NEW_PASSWORD = "a brand new secret"


def url_of(api: ApiUser, suffix: str = "") -> str:
    return f"{URL}/{api.user.id}{suffix}"


def stored(db: Session, user_id: int) -> User:
    db.expire_all()
    user = db.get(User, user_id)
    assert user is not None
    return user


def sessions_of(db: Session, user_id: int) -> list[int]:
    db.expire_all()
    return list(db.scalars(select(WebSession.id).where(WebSession.user_id == user_id)))


def start_session(db: Session, user_id: int) -> int:
    """A browser session of the user, as signing in to the web makes one."""
    web, _secret = auth.start_session(db, stored(db, user_id), days=1)
    db.commit()
    return web.id


def password_works(db: Session, email: str, password: str) -> bool:
    db.expire_all()
    try:
        auth.authenticate_password(db, email, password)
    except Unauthorized:
        return False
    finally:
        db.rollback()
    return True


def find(db: Session, email: str) -> int:
    user = auth.find_user(db, email)
    assert user is not None
    return user.id


def emails(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [u["email"] for u in response.json()["items"]]


# --- reading an account ---------------------------------------------------------


def test_admins_read_any_account_with_its_version_as_etag(cast: Cast) -> None:
    response = cast.admin.get(url_of(cast.viewer))
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"1"'
    body = response.json()
    assert body["id"] == cast.viewer.user.id and body["email"] == "viewer@example.com"
    assert (body["is_admin"], body["is_active"], body["version"]) == (False, True, 1)


def test_everyone_reads_their_own_account_but_not_others(cast: Cast) -> None:
    own = cast.viewer.get(url_of(cast.viewer))
    assert own.status_code == 200 and own.json()["email"] == "viewer@example.com"
    assert own.headers["ETag"] == '"1"'
    assert_error(cast.viewer.get(url_of(cast.owner)), 403, "forbidden")
    assert_error(cast.owner.get(url_of(cast.admin)), 403, "forbidden")


def test_me_still_answers_and_carries_the_version(cast: Cast) -> None:
    me = cast.manager.get(f"{URL}/me")
    assert me.status_code == 200, me.text
    assert me.json()["email"] == "manager@example.com" and me.json()["version"] == 1


def test_unknown_accounts_are_404_and_a_non_number_is_422(cast: Cast) -> None:
    for response in (
        cast.admin.get(f"{URL}/999999"),
        cast.admin.patch(f"{URL}/999999", json={"name": "x"}),
        cast.admin.post(f"{URL}/999999/password", json={"password": NEW_PASSWORD}),
    ):
        assert_error(response, 404, "not_found")
    for beyond in ("someone", "0", str(2**40)):  # not an id at all
        assert_error(cast.admin.get(f"{URL}/{beyond}"), 422, "validation_failed")


# --- listing ----------------------------------------------------------------------


def test_the_member_picker_lists_active_users_only(cast: Cast, db: Session) -> None:
    make_user(db, email="gone@example.com")
    gone = cast.admin.patch(f"{URL}/{find(db, 'gone@example.com')}", json={"is_active": False})
    assert gone.status_code == 200, gone.text
    listed = emails(cast.viewer.get(URL))
    assert "gone@example.com" not in listed and "viewer@example.com" in listed
    assert "gone@example.com" not in emails(cast.admin.get(URL))
    assert "gone@example.com" not in emails(cast.admin.get(URL, params={"inactive": "false"}))


def test_one_who_is_not_an_admin_sees_the_people_of_their_programs_only(
    cast: Cast, db: Session
) -> None:
    make_user(db, email="stranger@example.com")
    seen = emails(cast.viewer.get(URL, params={"limit": 500}))
    assert "stranger@example.com" not in seen and "admin@example.com" not in seen
    assert {"owner@example.com", "manager@example.com", "viewer@example.com"} <= set(seen)
    # an exact email finds the account, as adding it as a member would
    exact = emails(cast.owner.get(URL, params={"q": "Stranger@example.com "}))
    assert exact == ["stranger@example.com"]
    assert emails(cast.owner.get(URL, params={"q": "stranger"})) == []
    assert emails(cast.outsider.get(URL)) == ["outsider@example.com"]
    assert "stranger@example.com" in emails(cast.admin.get(URL, params={"limit": 500}))


def test_admins_list_deactivated_accounts_too_after_the_active_ones(
    cast: Cast, db: Session
) -> None:
    make_user(db, email="aaron@example.com", name="Aaron Gone")
    gone = cast.admin.patch(f"{URL}/{find(db, 'aaron@example.com')}", json={"is_active": False})
    assert gone.status_code == 200, gone.text
    response = cast.admin.get(URL, params={"inactive": "true"})
    listed = emails(response)
    assert listed[-1] == "aaron@example.com" and len(listed) == 7
    assert listed[:-1] == sorted(listed[:-1])
    assert response.json()["total"] == 7
    assert response.json()["items"][-1]["is_active"] is False
    found = cast.admin.get(URL, params={"inactive": "true", "q": "GONE"})
    assert emails(found) == ["aaron@example.com"]
    page = cast.admin.get(URL, params={"inactive": "true", "limit": 2, "offset": 6}).json()
    assert (page["total"], [u["email"] for u in page["items"]]) == (7, ["aaron@example.com"])


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_list_deactivated_accounts(cast: Cast, role: str) -> None:
    assert_error(cast.by_role(role).get(URL, params={"inactive": "true"}), 403, "forbidden")


# --- changing an account ------------------------------------------------------------


def test_an_admin_renames_an_account_and_makes_it_an_admin(cast: Cast, db: Session) -> None:
    response = cast.admin.patch(
        url_of(cast.viewer), json={"name": "  Vera Viewer ", "is_admin": True}
    )
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'
    body = response.json()
    assert (body["name"], body["is_admin"], body["version"]) == ("Vera Viewer", True, 2)
    user = stored(db, cast.viewer.user.id)
    assert (user.name, user.is_admin, user.is_active, user.version) == (
        "Vera Viewer",
        True,
        True,
        2,
    )
    audit = db.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "user",
            AuditEntry.entity_id == user.id,
            AuditEntry.action == "update",
        )
    ).one()
    assert audit.user_email == "admin@example.com"
    assert audit.changes == {"name": ["viewer", "Vera Viewer"], "is_admin": [False, True]}


def test_a_blank_name_becomes_the_emails_name(cast: Cast, db: Session) -> None:
    cast.admin.patch(url_of(cast.viewer), json={"name": "Vera"})
    response = cast.admin.patch(url_of(cast.viewer), json={"name": "   "})
    assert response.status_code == 200, response.text
    assert stored(db, cast.viewer.user.id).name == "viewer"


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_change_accounts_even_their_own(cast: Cast, db: Session, role: str) -> None:
    api = cast.by_role(role)
    assert_error(api.patch(url_of(api), json={"is_admin": True}), 403, "forbidden")
    assert_error(api.patch(url_of(cast.viewer), json={"name": "Hacked"}), 403, "forbidden")
    assert stored(db, api.user.id).is_admin is False
    assert stored(db, cast.viewer.user.id).name == "viewer"


def test_a_stale_if_match_is_412_and_changes_nothing(cast: Cast, db: Session) -> None:
    url = url_of(cast.viewer)
    ok = cast.admin.patch(url, json={"name": "First"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    stale = cast.admin.patch(url, json={"name": "Second"}, headers={"If-Match": '"1"'})
    error = assert_error(stale, 412, "stale_version")
    assert error["details"] == {"expected": 1, "current": 2}
    assert stored(db, cast.viewer.user.id).name == "First"
    again = cast.admin.patch(url, json={"name": "Second"}, headers={"If-Match": 'W/"2"'})
    assert again.status_code == 200 and again.json()["name"] == "Second"
    assert_error(cast.admin.patch(url, json={"name": "x"}, headers={"If-Match": "two"}), 400)


@pytest.mark.parametrize("change", [{"is_admin": False}, {"is_active": False}])
def test_the_last_active_admin_stays_one(cast: Cast, db: Session, change: dict) -> None:
    error = assert_error(cast.admin.patch(url_of(cast.admin), json=change), 409, "last_admin")
    assert "admin@example.com" in error["message"]
    admin = stored(db, cast.admin.user.id)
    assert (admin.is_admin, admin.is_active, admin.version) == (True, True, 1)


def test_a_deactivated_admin_does_not_count_as_another_admin(cast: Cast, db: Session) -> None:
    cast.admin.patch(url_of(cast.manager), json={"is_admin": True, "is_active": False})
    assert_error(cast.admin.patch(url_of(cast.admin), json={"is_admin": False}), 409, "last_admin")
    assert cast.admin.patch(url_of(cast.manager), json={"is_active": True}).status_code == 200
    response = cast.admin.patch(url_of(cast.admin), json={"is_admin": False})
    assert response.status_code == 200, response.text
    assert stored(db, cast.admin.user.id).is_admin is False
    assert stored(db, cast.manager.user.id).is_admin is True


def test_a_programs_only_active_owner_is_not_deactivated(cast: Cast, db: Session) -> None:
    error = assert_error(cast.admin.patch(url_of(cast.owner), json={"is_active": False}), 409)
    assert error["code"] == "last_owner" and error["details"] == {"programs": ["CLOUD"]}
    assert error["message"] == (
        "owner@example.com is the only active owner of CLOUD: "
        "make someone else an owner there first"
    )
    assert stored(db, cast.owner.user.id).is_active is True
    members = f"/api/v1/programs/{cast.program.id}/members/{cast.manager.user.id}"
    assert cast.owner.patch(members, json={"role": "owner"}).status_code == 200
    response = cast.admin.patch(url_of(cast.owner), json={"is_active": False})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "new@example.com"}, "email"),
        ({"name": None}, "name"),
        ({"is_admin": None}, "is_admin"),
        ({"is_active": None}, "is_active"),
        ({"is_admin": "maybe"}, "is_admin"),
        ({"name": "x" * 201}, "name"),
        ({"password": NEW_PASSWORD}, "password"),
    ],
)
def test_bad_changes_are_422_naming_the_field(
    cast: Cast, db: Session, body: dict, field: str
) -> None:
    error = assert_error(cast.admin.patch(url_of(cast.viewer), json=body), 422, "validation_failed")
    assert [d["field"] for d in error["details"]] == [field]
    user = stored(db, cast.viewer.user.id)
    assert (user.email, user.name, user.is_admin, user.is_active, user.version) == (
        "viewer@example.com",
        "viewer",
        False,
        True,
        1,
    )


# --- deactivating ---------------------------------------------------------------------


def test_a_deactivated_accounts_token_and_sessions_stop_at_once(
    cast: Cast, db: Session, app_client: TestClient
) -> None:
    viewer_id = cast.viewer.user.id
    start_session(db, viewer_id)
    kept = start_session(db, cast.owner.user.id)
    assert cast.viewer.get(f"{URL}/me").status_code == 200
    response = cast.admin.patch(url_of(cast.viewer), json={"is_active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert_error(cast.viewer.get(f"{URL}/me"), 401, "unauthorized")
    assert_error(cast.viewer.get("/api/v1/programs"), 401, "unauthorized")
    assert sessions_of(db, viewer_id) == []
    assert sessions_of(db, cast.owner.user.id) == [kept]
    signin = app_client.post(
        "/api/v1/auth/login", json={"email": "viewer@example.com", "password": PASSWORD}
    )
    assert_error(signin, 401)
    assert cast.admin.patch(url_of(cast.viewer), json={"is_active": True}).status_code == 200
    assert cast.viewer.get(f"{URL}/me").status_code == 200


# --- an admin resets a password ---------------------------------------------------------


def test_a_reset_password_replaces_the_old_one_and_ends_the_accounts_sessions(
    cast: Cast, db: Session
) -> None:
    viewer_id = cast.viewer.user.id
    start_session(db, viewer_id)
    start_session(db, viewer_id)
    kept = start_session(db, cast.owner.user.id)
    response = cast.admin.post(url_of(cast.viewer, "/password"), json={"password": NEW_PASSWORD})
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert sessions_of(db, viewer_id) == []
    assert sessions_of(db, cast.owner.user.id) == [kept]
    assert password_works(db, "viewer@example.com", NEW_PASSWORD)
    assert not password_works(db, "viewer@example.com", PASSWORD)
    audit = db.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "user",
            AuditEntry.entity_id == viewer_id,
            AuditEntry.action == "update",
        )
    ).one()
    assert audit.changes == {"password": [None, "reset by an admin"]}  # never the hash


def test_a_password_is_kept_as_typed_spaces_included(cast: Cast, db: Session) -> None:
    response = cast.admin.post(url_of(cast.viewer, "/password"), json={"password": " spaced out "})
    assert response.status_code == 204, response.text
    assert password_works(db, "viewer@example.com", " spaced out ")
    assert not password_works(db, "viewer@example.com", "spaced out")


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_reset_passwords(cast: Cast, db: Session, role: str) -> None:
    api = cast.by_role(role)
    for target in (cast.viewer, api):
        response = api.post(url_of(target, "/password"), json={"password": NEW_PASSWORD})
        assert_error(response, 403, "forbidden")
    assert password_works(db, "viewer@example.com", PASSWORD)
    assert password_works(db, api.user.email, PASSWORD)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": "x" * (auth.MIN_PASSWORD_LENGTH - 1)}, "password"),
        ({}, "password"),
        ({"password": None}, "password"),
        ({"password": NEW_PASSWORD, "notify": True}, "notify"),
    ],
)
def test_a_bad_reset_is_422_and_keeps_the_password(
    cast: Cast, db: Session, body: dict, field: str
) -> None:
    start_session(db, cast.viewer.user.id)
    response = cast.admin.post(url_of(cast.viewer, "/password"), json=body)
    error = assert_error(response, 422, "validation_failed")
    assert [d["field"] for d in error["details"]] == [field]
    assert password_works(db, "viewer@example.com", PASSWORD)
    assert len(sessions_of(db, cast.viewer.user.id)) == 1


# --- everyone changes their own password --------------------------------------------------


def change_own(api: ApiUser | TestClient, body: dict, **headers: str) -> Any:
    return api.post(f"{URL}/me/password", json=body, headers=headers)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_changes_their_own_password(cast: Cast, db: Session, role: str) -> None:
    api = cast.by_role(role)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    response = change_own(api, body)
    assert response.status_code == 204, response.text
    assert password_works(db, api.user.email, NEW_PASSWORD)
    assert not password_works(db, api.user.email, PASSWORD)
    other = cast.owner if role != "owner" else cast.viewer
    assert password_works(db, other.user.email, PASSWORD)
    audit = db.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_id == api.user.id, AuditEntry.entity_type == "user"
        )
    ).all()
    assert [a.changes for a in audit if a.action == "update"] == [
        {"password": [None, "changed by its owner"]}
    ]


def test_a_wrong_current_password_is_422_beside_it_and_changes_nothing(
    cast: Cast, db: Session
) -> None:
    session_id = start_session(db, cast.viewer.user.id)
    body = {"current_password": "not my password", "new_password": NEW_PASSWORD}
    error = assert_error(change_own(cast.viewer, body), 422, "validation_failed")
    assert error["details"] == [
        {"field": "current_password", "message": "is not your current password"}
    ]
    assert password_works(db, "viewer@example.com", PASSWORD)
    assert not password_works(db, "viewer@example.com", NEW_PASSWORD)
    assert sessions_of(db, cast.viewer.user.id) == [session_id]


@pytest.mark.parametrize(
    "body",
    [
        {"current_password": PASSWORD, "new_password": "short"},
        {"current_password": PASSWORD, "new_password": PASSWORD},
        {"current_password": PASSWORD},
        {"current_password": PASSWORD, "new_password": None},
    ],
)
def test_a_bad_new_password_is_422_beside_it(cast: Cast, db: Session, body: dict) -> None:
    error = assert_error(change_own(cast.viewer, body), 422, "validation_failed")
    assert [d["field"] for d in error["details"]] == ["new_password"]
    assert password_works(db, "viewer@example.com", PASSWORD)


def test_changing_ones_password_needs_to_be_signed_in_and_well_formed(
    cast: Cast, app_client: TestClient
) -> None:
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert_error(app_client.post(f"{URL}/me/password", json=body), 401, "unauthorized")
    error = assert_error(change_own(cast.viewer, {**body, "user_id": 1}), 422)
    assert [d["field"] for d in error["details"]] == ["user_id"]
    error = assert_error(change_own(cast.viewer, {"new_password": NEW_PASSWORD}), 422)
    assert [d["field"] for d in error["details"]] == ["current_password"]


def test_with_a_token_every_browser_session_ends(cast: Cast, db: Session) -> None:
    start_session(db, cast.viewer.user.id)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert change_own(cast.viewer, body).status_code == 204
    assert sessions_of(db, cast.viewer.user.id) == []
    assert cast.viewer.get(f"{URL}/me").status_code == 200  # tokens are not sessions


def test_in_the_browser_the_session_in_use_is_kept_and_the_others_end(
    cast: Cast, db: Session, app_client: TestClient
) -> None:
    other = start_session(db, cast.viewer.user.id)
    login = app_client.post(
        "/api/v1/auth/login", json={"email": "viewer@example.com", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    csrf = login.json()["csrf_token"]
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert_error(change_own(app_client, body), 403, "csrf_failed")
    assert password_works(db, "viewer@example.com", PASSWORD)
    response = change_own(app_client, body, **{"X-CSRF-Token": csrf})
    assert response.status_code == 204, response.text
    remaining = sessions_of(db, cast.viewer.user.id)
    assert len(remaining) == 1 and other not in remaining
    me = app_client.get(f"{URL}/me")
    assert me.status_code == 200 and me.json()["email"] == "viewer@example.com"
    assert password_works(db, "viewer@example.com", NEW_PASSWORD)


def test_a_token_beside_a_cookie_keeps_no_session(
    cast: Cast, db: Session, app_client: TestClient
) -> None:
    app_client.post(
        "/api/v1/auth/login", json={"email": "viewer@example.com", "password": PASSWORD}
    )
    assert len(sessions_of(db, cast.viewer.user.id)) == 1
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    response = app_client.post(f"{URL}/me/password", json=body, headers=cast.viewer.headers)
    assert response.status_code == 204, response.text
    assert sessions_of(db, cast.viewer.user.id) == []


def test_a_password_with_spaces_at_its_ends_signs_in_as_typed(
    cast: Cast, app_client: TestClient
) -> None:
    made = cast.admin.post(
        "/api/v1/users", json={"email": "spaced@example.com", "password": "  two spaces  "}
    )
    assert made.status_code == 201, made.text
    login = app_client.post(
        "/api/v1/auth/login", json={"email": "spaced@example.com", "password": "  two spaces  "}
    )
    assert login.status_code == 200, login.text
    trimmed = app_client.post(
        "/api/v1/auth/login", json={"email": "spaced@example.com", "password": "two spaces"}
    )
    assert_error(trimmed, 401)


def test_an_admin_lists_and_revokes_another_accounts_tokens(
    cast: Cast, db: Session, browser_as: Any
) -> None:
    from podium.models import User
    from podium.services import auth

    viewer = db.get(User, cast.viewer.user.id)
    assert viewer is not None
    token, secret = auth.create_token(db, viewer, name="nightly export")
    db.commit()
    url = f"{URL}/{viewer.id}/tokens"
    listed = cast.admin.get(url).json()
    mine = [t for t in listed["items"] if t["name"] == "nightly export"]
    assert len(mine) == 1 and "token" not in mine[0]  # never the secret
    assert cast.viewer.get(url).status_code == 200  # one's own, too
    assert_error(cast.member.get(url), 403)
    assert_error(cast.member.delete(f"{url}/{token.id}"), 403)
    assert_error(cast.admin.delete(f"{url}/999999"), 404)
    # the web user page lists it with a Revoke button
    admin = browser_as("admin@example.com")
    page = admin.get(f"/users/{viewer.id}")
    assert "nightly export" in page and f"/users/{viewer.id}/tokens/{token.id}/revoke" in page
    revoked = admin.post(f"/users/{viewer.id}/tokens/{token.id}/revoke")
    assert revoked.status_code == 303, revoked.headers.get("location")
    after = [t for t in cast.admin.get(url).json()["items"] if t["id"] == token.id]
    assert after[0]["revoked_at"] is not None
    assert cast.admin.delete(f"{url}/{token.id}").status_code == 204  # already: still revoked
    stolen = cast.viewer.client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {secret}"}
    )
    assert_error(stolen, 401)
    assert (
        browser_as("member@example.com")
        .post(f"/users/{viewer.id}/tokens/{token.id}/revoke")
        .status_code
        == 403
    )
