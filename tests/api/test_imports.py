"""POST /api/v1/imports and GET /api/v1/programs/{id}/export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podium.interop.imported import MAX_IMPORT_BYTES
from podium.interop.mspdi import read_mspdi
from tests.api.conftest import Cast
from tests.api.test_programs import assert_error

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "projects"
LINKS = DATA / "mpxj_task-links-project2003-mspdi.xml"

pytestmark = pytest.mark.skipif(not LINKS.exists(), reason="the shared project files are not here")


def _upload(user: object, data: bytes, name: str = "plan.xml", **form: str) -> object:
    return user.post(  # type: ignore[attr-defined]
        "/api/v1/imports", files={"file": (name, data, "application/xml")}, data=form
    )


def test_an_upload_creates_a_program_and_reports_the_dates(cast: Cast) -> None:
    response = _upload(cast.member, LINKS.read_bytes(), key="LINKS")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["format"] == "mspdi" and body["program_key"] == "LINKS"
    assert body["counts"]["tasks"] == 16 and body["counts"]["dependencies"] == 8
    assert body["compared"] == 16 and body["matching_percent"] == 100.0
    program = cast.member.get(f"/api/v1/programs/{body['program_id']}")
    assert program.status_code == 200


def test_a_bad_file_is_refused_with_located_problems_and_nothing_written(cast: Cast) -> None:
    before = cast.admin.get("/api/v1/programs").json()
    response = _upload(cast.member, LINKS.read_bytes()[:3000])
    error = assert_error(response, 422, "invalid_file")
    assert error["details"][0]["location"].startswith("line ")
    assert cast.admin.get("/api/v1/programs").json() == before


def test_an_entity_declaration_is_refused(cast: Cast) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]><Project>&a;</Project>'
    error = assert_error(_upload(cast.member, bomb), 422, "invalid_file")
    assert "DTD" in error["message"]


def test_a_file_above_the_limit_is_refused_with_413(cast: Cast) -> None:
    response = _upload(cast.member, b" " * (MAX_IMPORT_BYTES + 1))
    assert_error(response, 413, "payload_too_large")


def test_importing_needs_a_signed_in_user(cast: Cast) -> None:
    response = cast.member.client.post(
        "/api/v1/imports", files={"file": ("plan.xml", LINKS.read_bytes(), "application/xml")}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("manager", 200), ("member", 200), ("viewer", 200), ("outsider", 404)],
)
def test_export_follows_the_program_roles(cast: Cast, who: str, status: int) -> None:
    user = getattr(cast, who)
    response = user.get(f"/api/v1/programs/{cast.program.id}/export?format=json")
    assert response.status_code == status


def test_export_as_microsoft_project_reads_back(cast: Cast) -> None:
    created = _upload(cast.member, LINKS.read_bytes(), key="LINKS").json()
    response = cast.member.get(f"/api/v1/programs/{created['program_id']}/export?format=mspdi")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    again = read_mspdi(response.content)
    assert again.ok and len(again.document["tasks"]) == 16
    assert len(again.document["dependencies"]) == 8


def test_a_plan_with_a_name_longer_than_stored_is_refused_on_every_database(cast: Cast) -> None:
    plan = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "LONG", "name": "Long names", "start": "2027-01-04"},
        "projects": [{"key": "A", "name": "A"}],
        "tasks": [{"id": "A-1", "project": "A", "name": "Build", "duration": 5}],
        "milestones": [{"id": "M1", "name": "m" * 301}],
    }
    before = cast.admin.get("/api/v1/programs").json()
    response = _upload(cast.member, json.dumps(plan).encode(), name="plan.json")
    error = assert_error(response, 422, "invalid_file")
    assert error["details"] == [
        {"location": "milestones[0].name", "message": "String should have at most 300 characters"}
    ]
    assert cast.admin.get("/api/v1/programs").json() == before
    plan["milestones"][0]["name"] = "m" * 300
    assert _upload(cast.member, json.dumps(plan).encode(), name="plan.json").status_code == 201


def test_a_task_uid_the_database_cannot_keep_is_refused_on_every_database(cast: Cast) -> None:
    # PostgreSQL refused the project's next task number (UID + 1) inside the writes: a 500
    data = (
        b'<?xml version="1.0"?><Project xmlns="http://schemas.microsoft.com/project">'
        b"<Title>Big</Title><StartDate>2027-01-04T08:00:00</StartDate><Tasks>"
        b"<Task><UID>3000000000</UID><Name>Build</Name><OutlineLevel>1</OutlineLevel>"
        b"<Duration>PT16H0M0S</Duration></Task></Tasks></Project>"
    )
    before = cast.admin.get("/api/v1/programs").json()
    error = assert_error(_upload(cast.member, data), 422, "invalid_file")
    assert error["details"] == [
        {
            "location": "line 1, Task UID 3000000000 (Build) (id)",
            "message": "task number 3000000000 is above 2147483646, the largest Podium keeps",
            "path": "tasks[0].id",
        }
    ]
    assert cast.admin.get("/api/v1/programs").json() == before
