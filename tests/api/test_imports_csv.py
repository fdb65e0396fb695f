"""A CSV through the API: POST /api/v1/imports/inspect, then POST /api/v1/imports with a mapping."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from podium.interop.csv_plan import FIELDS
from podium.interop.imported import MAX_IMPORT_BYTES
from podium.models import Program, Task
from tests.api.conftest import Cast
from tests.factories import assert_error

UNUSUAL = (
    b"ID,Activity Title,Length,Needs,Start Date,Crew\n"
    b"1,Survey the site,3,,2026-03-02,Ana\n"
    b"2,Pour the slab,2,1FS+1,,Ana\n"
    b"3,Cure,5,2,,\n"
)
CHOSEN = {
    "id": "ID",
    "name": "Activity Title",
    "duration": "Length",
    "predecessors": "Needs",
    "start": "Start Date",
    "resources": "Crew",
}


def _post(user: Any, url: str, data: bytes, name: str = "plan.csv", **form: str) -> Any:
    return user.post(url, files={"file": (name, data, "text/csv")}, data=form)


def _counts(cast: Cast) -> tuple[int, int]:
    cast.db.expire_all()
    programs = cast.db.scalar(select(func.count()).select_from(Program)) or 0
    tasks = cast.db.scalar(select(func.count()).select_from(Task)) or 0
    return programs, tasks


def test_inspect_gives_columns_suggested_mapping_fields_and_first_rows(cast: Cast) -> None:
    before = _counts(cast)
    response = _post(cast.member, "/api/v1/imports/inspect", UNUSUAL)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["format"] == "csv" and body["format_name"] == "CSV"
    assert body["columns"] == ["ID", "Activity Title", "Length", "Needs", "Start Date", "Crew"]
    assert body["mapping"] == {"id": "ID", "start": "Start Date"}  # the others are unusual names
    fields = {f["name"]: f for f in body["fields"]}
    assert set(fields) == set(FIELDS)
    assert fields["name"] == {
        "name": "name",
        "label": "Task name",
        "required": True,
        "hint": "every row needs one",
    }
    assert [f for f in fields.values() if f["required"]] == [fields["name"]]
    assert body["rows"][0] == ["1", "Survey the site", "3", "", "2026-03-02", "Ana"]
    assert len(body["rows"]) == 3
    assert _counts(cast) == before


def test_inspect_of_a_file_that_is_not_csv_gives_its_format_only(cast: Cast) -> None:
    plan = b'{"format": "podium-plan", "version": 1}'
    body = _post(cast.member, "/api/v1/imports/inspect", plan, "plan.json").json()
    assert body["format"] == "podium-plan"
    assert body["columns"] is None and body["mapping"] is None and body["rows"] is None


def test_inspect_refuses_a_file_above_the_limit_and_needs_a_user(cast: Cast) -> None:
    response = _post(cast.member, "/api/v1/imports/inspect", b" " * (MAX_IMPORT_BYTES + 1))
    assert_error(response, 413, "payload_too_large")
    anonymous = cast.member.client.post(
        "/api/v1/imports/inspect", files={"file": ("plan.csv", UNUSUAL, "text/csv")}
    )
    assert anonymous.status_code == 401


def test_an_import_with_a_mapping_uses_the_chosen_columns(cast: Cast) -> None:
    response = _post(
        cast.member, "/api/v1/imports", UNUSUAL, key="SLAB", mapping=json.dumps(CHOSEN)
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["format"] == "csv" and body["program_key"] == "SLAB"
    assert body["counts"]["tasks"] == 3 and body["counts"]["dependencies"] == 2
    assert body["counts"]["resources"] == 1 and body["counts"]["assignments"] == 2
    tasks = cast.member.get(f"/api/v1/tasks?program_id={body['program_id']}").json()
    durations = {t["name"]: t["duration"] for t in tasks["items"]}
    assert durations == {"Survey the site": 3, "Pour the slab": 2, "Cure": 5}


def test_without_a_mapping_the_suggested_one_is_used(cast: Cast) -> None:
    before = _counts(cast)
    error = assert_error(_post(cast.member, "/api/v1/imports", UNUSUAL), 422, "invalid_file")
    assert error["details"] == [
        {
            "location": "line 1",
            "message": "no column for the task name (columns: ID, Activity Title, Length, "
            "Needs, Start Date, Crew)",
        }
    ]
    assert _counts(cast) == before
    usual = UNUSUAL.replace(b"Activity Title,Length", b"Task Name,Duration")
    body = _post(cast.member, "/api/v1/imports", usual, key="AUTO").json()
    assert body["counts"]["tasks"] == 3
    assert body["counts"]["dependencies"] == 0  # "Needs" is not a common name
    assert "columns not imported: Needs, Crew" in body["notes"]


def test_a_mapping_that_is_not_a_json_object_of_known_fields_is_refused(cast: Cast) -> None:
    before = _counts(cast)
    cases = {
        "{not json": "not valid JSON",
        '["name"]': "a JSON object",
        '{"name": 3}': "a JSON object",
        '{"title": "Activity Title"}': "unknown field 'title'",
    }
    for sent, expected in cases.items():
        error = assert_error(
            _post(cast.member, "/api/v1/imports", UNUSUAL, mapping=sent), 422, "validation_failed"
        )
        assert expected in error["message"], sent
        assert error["details"][0]["field"] == "mapping"
    assert _counts(cast) == before


def test_a_mapping_to_a_column_not_in_the_file_is_refused_as_a_located_problem(
    cast: Cast,
) -> None:
    sent = json.dumps({"name": "Activity Title", "duration": "Days"})
    error = assert_error(
        _post(cast.member, "/api/v1/imports", UNUSUAL, mapping=sent), 422, "invalid_file"
    )
    assert error["details"] == [
        {"location": "mapping", "message": "duration: no column 'Days' in the file"}
    ]


def test_a_mapping_for_a_file_that_is_not_csv_is_refused(cast: Cast) -> None:
    plan = b'{"format": "podium-plan", "version": 1}'
    response = _post(cast.member, "/api/v1/imports", plan, "plan.json", mapping='{"name": "x"}')
    error = assert_error(response, 422, "validation_failed")
    assert "no columns to map" in error["message"]


def test_a_bad_csv_writes_nothing_and_locates_every_problem(cast: Cast) -> None:
    before = _counts(cast)
    bad = UNUSUAL.replace(b"Pour the slab,2,", b"Pour the slab,two,").replace(b",2,,\n", b",9,,\n")
    response = _post(cast.member, "/api/v1/imports", bad, mapping=json.dumps(CHOSEN))
    error = assert_error(response, 422, "invalid_file")
    assert [p["location"] for p in error["details"]] == [
        "line 3, column Length",
        "line 4, column Needs",
    ]
    assert _counts(cast) == before


def test_a_csv_above_the_limit_is_refused_with_413(cast: Cast) -> None:
    big = b"Name\n" + b"x\n" * (MAX_IMPORT_BYTES // 2 + 1)
    response = _post(cast.member, "/api/v1/imports", big, mapping='{"name": "Name"}')
    assert_error(response, 413, "payload_too_large")


def test_a_nul_character_in_a_csv_is_refused_and_writes_nothing(cast: Cast) -> None:
    # PostgreSQL cannot store it (it failed inside the import's writes there)
    before = _counts(cast)
    bad = UNUSUAL.replace(b"Pour the slab", b"Pour the\x00slab")
    response = _post(cast.member, "/api/v1/imports", bad, mapping=json.dumps(CHOSEN))
    error = assert_error(response, 422, "invalid_file")
    nul = {
        "location": "line 3, column Activity Title",
        "path": "tasks[1].name",
        "message": "contains a NUL character",
    }
    assert error["details"] == [nul]
    # in a resource's name, which the import looks up among the stored resources
    bad = UNUSUAL.replace(b",Ana\n", b",An\x00a\n")
    response = _post(cast.member, "/api/v1/imports", bad, mapping=json.dumps(CHOSEN))
    error = assert_error(response, 422, "invalid_file")
    assert {p["message"] for p in error["details"]} == {"contains a NUL character"}
    # any control character but tab and line breaks, as the API refuses them
    bad = UNUSUAL.replace(b"Pour the slab", b"Pour the\x1b[2Jslab")
    response = _post(cast.member, "/api/v1/imports", bad, mapping=json.dumps(CHOSEN))
    error = assert_error(response, 422, "invalid_file")
    assert error["details"] == [
        {
            **nul,
            "message": "contains a control character (\\x1b): only tabs and line breaks are text",
        }
    ]
    assert _counts(cast) == before
