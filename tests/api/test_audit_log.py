"""The audit log: the whole system's (admins), what it records of members, cascaded
dependencies, tokens, feeds and deletes, and what the history pages show of them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.conftest import Browser, Cast, Net

pytestmark = pytest.mark.db


def _entries(client: Any, url: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(url, params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _made(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def _rows(page: str) -> list[str]:
    """Each row of a history table as its words."""
    found = re.findall(r"<tr data-entry-id=.*?</tr>", page, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in found]


def test_the_whole_system_log_holds_users_calendars_and_deleted_programs_for_admins(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    made = cast.admin.post(
        "/api/v1/users", json={"email": "maria@example.com", "password": "long enough"}
    )
    assert made.status_code == 201, made.text
    calendar = cast.admin.post("/api/v1/calendars", json={"name": "Plant"})
    assert calendar.status_code == 201, calendar.text
    doomed = cast.owner.post(
        "/api/v1/programs", json={"key": "GONE", "name": "Gone", "start_date": "2027-01-04"}
    )
    assert doomed.status_code == 201, doomed.text
    gone_id = doomed.json()["id"]
    assert cast.owner.delete(f"/api/v1/programs/{gone_id}").status_code == 204

    everything = _entries(cast.admin, "/api/v1/audit")
    kinds = {(e["entity_type"], e["action"], e["entity_label"]) for e in everything}
    assert ("user", "create", "maria@example.com") in kinds
    assert ("calendar", "create", "Plant") in kinds
    # the deleted program's entries, who deleted it among them, are read by its id
    gone = _entries(cast.admin, "/api/v1/audit", program_id=gone_id)
    assert [(e["action"], e["user_email"]) for e in gone] == [
        ("delete", "owner@example.com"),
        ("create", "owner@example.com"),
    ]
    assert gone[0]["program_id"] == gone_id and gone[0]["changes"]["key"] == ["GONE", None]
    users = _entries(cast.admin, "/api/v1/audit", entity_type="user")
    assert {e["entity_type"] for e in users} == {"user"}
    by_owner = _entries(cast.admin, "/api/v1/audit", user_email="OWNER@example.com")
    assert by_owner and {e["user_email"] for e in by_owner} == {"owner@example.com"}
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert _entries(cast.admin, "/api/v1/audit", until=yesterday) == []
    assert len(_entries(cast.admin, "/api/v1/audit", since=yesterday)) == len(everything)

    refused = cast.owner.get("/api/v1/audit")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"

    # the page: the same entries, each with its program (a deleted one named as it was)
    rows = _rows(browser_as("admin@example.com").get(f"/audit?program={gone_id}"))
    assert len(rows) == 2 and all(" GONE deleted " in row for row in rows), rows
    page = browser_as("admin@example.com").get("/audit?entity_type=calendar")
    assert "Created calendar Plant" in " | ".join(_rows(page))
    assert 'href="/audit"' in page  # the top bar's link, for admins
    owner = browser_as("owner@example.com")
    assert owner.client.get("/audit").status_code == 403
    assert 'href="/audit"' not in owner.get("/")


def test_an_unknown_kind_of_record_is_refused_naming_the_kinds(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    for client, url in (
        (cast.viewer, f"/api/v1/programs/{cast.program.id}/audit"),
        (cast.admin, "/api/v1/audit"),
    ):
        response = client.get(url, params={"entity_type": "nonsense"})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "validation_failed"
        assert "'nonsense' is not a kind of record" in error["message"]
        (detail,) = error["details"]
        assert detail["field"] == "entity_type"
        assert {"task", "membership", "token", "feed"} <= set(detail["allowed"])
    page = browser_as("admin@example.com").client.get("/audit?entity_type=nonsense")
    assert page.status_code == 422
    assert (
        'id="audit-entity_type-error"' in page.text and "Choose a kind from the list" in page.text
    )
    known = cast.viewer.get(
        f"/api/v1/programs/{cast.program.id}/audit", params={"entity_type": "token"}
    )
    assert known.status_code == 200 and known.json()["items"] == []


def test_membership_changes_name_the_member(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    url = f"/api/v1/programs/{cast.program.id}/members/{cast.viewer.user.id}"
    assert cast.owner.patch(url, json={"role": "member"}).status_code == 200
    assert cast.owner.delete(url).status_code == 204

    entries = _entries(
        cast.owner, f"/api/v1/programs/{cast.program.id}/audit", entity_type="membership"
    )
    removed, changed = entries[:2]
    assert changed["entity_label"] == removed["entity_label"] == "viewer@example.com"
    assert changed["changes"] == {"role": ["viewer", "member"]}
    assert removed["changes"] == {"user": ["viewer@example.com", None], "role": ["member", None]}
    rows = _rows(browser_as("owner@example.com").get(f"/programs/{cast.program.id}/history"))
    assert "Changed membership viewer@example.com Role viewer → member" in rows[1]
    assert "Deleted membership viewer@example.com" in rows[0] and "Role member" in rows[0]


def test_a_dependency_deleted_with_its_task_stays_in_the_other_tasks_history(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    deleted = cast.manager.delete(f"/api/v1/tasks/{net.plat['id']}", params={"cascade": "true"})
    assert deleted.status_code == 204, deleted.text
    link = next(
        e
        for e in _entries(
            cast.viewer, f"/api/v1/programs/{cast.program.id}/audit", entity_type="dependency"
        )
        if e["action"] == "delete"
    )
    label = f"{net.plat['key']} → {net.train['key']}"
    assert link["entity_label"] == label
    assert link["changes"]["predecessor"] == [f"task {net.plat['key']}", None]
    page = browser_as("viewer@example.com").get(f"/tasks/{net.train['id']}/history")
    assert f"Deleted dependency {label}" in " | ".join(_rows(page))


def test_tokens_and_feeds_are_audited_never_their_secrets(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    viewer = browser_as("viewer@example.com")
    headers = {"X-CSRF-Token": viewer.csrf}
    made = viewer.client.post(
        "/api/v1/tokens", json={"name": "my script", "expires_in_days": 30}, headers=headers
    )
    assert made.status_code == 201, made.text
    token = made.json()
    revoked = viewer.client.delete(f"/api/v1/tokens/{token['id']}", headers=headers)
    assert revoked.status_code == 204
    feed = cast.viewer.post(f"/api/v1/programs/{cast.program.id}/feeds")
    assert feed.status_code == 201, feed.text
    assert cast.admin.delete(f"/api/v1/feeds/{feed.json()['id']}").status_code == 204

    log = cast.admin.get("/api/v1/audit", params={"limit": 500})
    secret = feed.json()["url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert token["token"] not in log.text and secret not in log.text
    tokens = [e for e in log.json()["items"] if e["entity_id"] == token["id"]]
    tokens = [e for e in tokens if e["entity_type"] == "token"]
    assert [(e["action"], e["user_email"]) for e in tokens] == [
        ("update", "viewer@example.com"),
        ("create", "viewer@example.com"),
    ]
    assert tokens[1]["entity_label"] == "my script of viewer@example.com"
    assert tokens[1]["changes"]["expires_at"][1][:10] == token["expires_at"][:10]
    assert tokens[0]["changes"]["revoked_at"][0] is None
    # a program's feed is in its history: who made it, who revoked it
    feeds = _entries(cast.viewer, f"/api/v1/programs/{cast.program.id}/audit", entity_type="feed")
    assert [(e["action"], e["user_email"]) for e in feeds] == [
        ("update", "admin@example.com"),
        ("create", "viewer@example.com"),
    ]
    assert feeds[0]["entity_label"] == "dates of CLOUD for viewer@example.com"
    # an admin revoking someone's token is recorded on the token, by the admin
    spare = viewer.client.post("/api/v1/tokens", json={"name": "spare"}, headers=headers).json()
    url = f"/api/v1/users/{cast.viewer.user.id}/tokens/{spare['id']}"
    assert cast.admin.delete(url).status_code == 204
    (last,) = _entries(cast.admin, "/api/v1/audit", entity_type="token", entity_id=spare["id"])[:1]
    assert (last["action"], last["user_email"]) == ("update", "admin@example.com")
    assert last["entity_label"] == "spare of viewer@example.com"


def test_deletes_keep_what_was_deleted_and_the_history_shows_it(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    pid = cast.program.id
    risk = _made(
        cast.manager.post(
            "/api/v1/risks",
            json={
                "program_id": pid,
                "title": "Vendor",
                "probability": 3,
                "impact": 4,
                "level": "program",
            },
        )
    )
    _made(
        cast.manager.post(f"/api/v1/risks/{risk['id']}/actions", json={"title": "Second supplier"})
    )
    assert cast.manager.delete(f"/api/v1/risks/{risk['id']}").status_code == 204
    baseline = _made(
        cast.manager.post(
            f"/api/v1/programs/{pid}/baselines", json={"name": "Plan", "description": "Signed off"}
        )
    )
    assert cast.manager.delete(f"/api/v1/baselines/{baseline['id']}").status_code == 204
    benefit = _made(
        cast.manager.post(
            "/api/v1/benefits",
            json={
                "program_id": pid,
                "name": "Cost per user",
                "baseline_value": 10,
                "target_value": 5,
                "target_date": "2028-01-01",
                "direction": "down",
            },
        )
    )
    reading = _made(
        cast.manager.post(
            f"/api/v1/benefits/{benefit['id']}/measurements",
            json={"measured_on": "2027-03-01", "value": 9},
        )
    )
    gone = cast.manager.delete(f"/api/v1/benefits/{benefit['id']}/measurements/{reading['id']}")
    assert gone.status_code == 204, gone.text

    deletes = {
        e["entity_type"]: e
        for e in _entries(cast.viewer, f"/api/v1/programs/{pid}/audit")
        if e["action"] == "delete"
    }
    assert deletes["risk action"]["entity_label"] == "Second supplier"
    assert deletes["risk action"]["changes"]["title"] == ["Second supplier", None]
    kept = deletes["baseline"]["changes"]
    assert kept["description"] == ["Signed off", None] and kept["items"] == [0, None]
    assert kept["taken_at"][0][:10] == baseline["taken_at"][:10]
    assert deletes["benefit measurement"]["entity_label"] == "Cost per user on 2027-03-01"

    rows = _rows(browser_as("viewer@example.com").get(f"/programs/{pid}/history"))
    baseline_row = next(r for r in rows if "Deleted baseline" in r)
    assert "Description Signed off" in baseline_row and "Removed." not in baseline_row
    measurement = next(r for r in rows if "Deleted benefit measurement" in r)
    assert "Cost per user on 2027-03-01" in measurement and "Value 9" in measurement
