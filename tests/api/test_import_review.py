"""Dates outside the window of plan dates in an imported file: refused at their place in
the file (a CSV's line and column, a plan's path), all at once, nothing written."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from podium.models import Program
from tests.api.conftest import Cast
from tests.factories import assert_error

WINDOW = "is outside the dates a plan may hold (1900-01-01 to 2200-12-31): check the year"


def _post(user: Any, data: bytes, name: str, **form: str) -> Any:
    return user.post("/api/v1/imports", files={"file": (name, data)}, data=form)


def _programs(cast: Cast) -> int:
    cast.db.expire_all()
    return cast.db.scalar(select(func.count()).select_from(Program)) or 0


def test_csv_dates_with_a_wrong_year_are_refused_at_their_line_and_column(cast: Cast) -> None:
    before = _programs(cast)
    data = (
        b"ID,Name,Duration,Start,Finish,% Complete\n"
        b"1,Survey,3,1850-01-06,,\n"
        b"2,Pour,2,2027-01-04,,\n"
        b"3,Cure,2,2027-01-04,2300-01-05,100\n"
    )
    response = _post(cast.member, data, "site.csv", key="SITE")
    error = assert_error(response, 422, "invalid_file")
    assert error["details"] == [
        {
            "location": "line 2, column Start",
            "message": f"1850-01-06 {WINDOW}",
            "path": "tasks[0].constraint.date",
        },
        {
            "location": "line 4, column Finish",
            "message": f"2300-01-05 {WINDOW}",
            "path": "tasks[2].actual_finish",
        },
    ]
    assert _programs(cast) == before


def test_plan_file_dates_with_a_wrong_year_are_refused_at_their_path(cast: Cast) -> None:
    before = _programs(cast)
    plan = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "WIN", "name": "Window", "start": "1899-12-29"},
        "calendars": [{"name": "win-cal", "holidays": ["2027-05-31", "2227-05-31"]}],
        "projects": [{"key": "P", "name": "P"}],
        "tasks": [
            {"id": "T1", "project": "P", "name": "A", "duration": 5, "deadline": "9999-12-31"}
        ],
        "milestones": [{"id": "M1", "name": "Done", "target": "0201-01-01"}],
    }
    response = _post(cast.member, json.dumps(plan).encode(), "plan.json")
    error = assert_error(response, 422, "invalid_file")
    assert [(d["location"], d["message"]) for d in error["details"]] == [
        ("program.start", f"1899-12-29 {WINDOW}"),
        ("calendars[0].holidays[1]", f"2227-05-31 {WINDOW}"),
        ("tasks[0].deadline", f"9999-12-31 {WINDOW}"),
        ("milestones[0].target", f"0201-01-01 {WINDOW}"),
    ]
    assert _programs(cast) == before


def test_dates_inside_the_window_import_as_before(cast: Cast) -> None:
    data = b"ID,Name,Duration,Start\n1,Survey,3,1900-01-01\n2,Pour,2,2200-12-01\n"
    response = _post(cast.member, data, "site.csv", key="EDGE")
    assert response.status_code == 201, response.text


XLSX_HEAD = b"PK\x03\x04\x14\x00\x00\x00\x00\x00" + bytes(range(256))


def test_a_workbook_is_refused_by_the_mapping_step_not_shown_as_columns(cast: Cast) -> None:
    response = cast.member.post("/api/v1/imports/inspect", files={"file": ("plan.xlsx", XLSX_HEAD)})
    error = assert_error(response, 422, "invalid_file")
    assert error["details"] == [
        {
            "location": "file",
            "message": "it is a zip archive (an Excel .xlsx workbook? Save the sheet as CSV), "
            "not a format Podium reads (it reads Microsoft Project XML, Primavera P6 XER, CSV "
            "and Podium plan JSON)",
        }
    ]
    before = _programs(cast)
    assert_error(_post(cast.member, XLSX_HEAD, "plan.xlsx"), 422, "invalid_file")
    assert _programs(cast) == before


DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "projects"


def test_a_project_xml_start_with_a_wrong_year_is_refused_at_its_element(cast: Cast) -> None:
    data = (DATA / "ganttproject_issue1520.xml").read_bytes()
    far = re.sub(rb"<StartDate>\d{4}", b"<StartDate>1800", data, count=1)
    assert far != data
    error = assert_error(_post(cast.member, far, "plan.xml"), 422, "invalid_file")
    assert [(d["location"], d["path"]) for d in error["details"]] == [
        ("Project/StartDate", "program.start")
    ]
    assert error["details"][0]["message"].startswith("1800-")
