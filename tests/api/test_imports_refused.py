"""POST /api/v1/imports refuses what it cannot import with the code docs/api.md gives:
a file in a format Podium does not read says what it seems to be and which formats
Podium reads (never echoing control characters); a key or name sent beside the file is a
field (422 `validation_failed`); a key already taken is a conflict (409), as anywhere."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.models import Program
from tests.api.conftest import Browser, Cast
from tests.factories import ApiUser, assert_error

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "projects"
XER = DATA / "mpxj_TwentyFourHourCalendar.xer"
READS = (
    "not a format Podium reads (it reads Microsoft Project XML, Primavera P6 XER, CSV and "
    "Podium plan JSON)"
)
MSPDI_ROOT = '<Project xmlns="http://schemas.microsoft.com/project">'

pytestmark = pytest.mark.skipif(not XER.exists(), reason="the shared project files are not here")


def _upload(user: ApiUser, data: bytes, name: str, **form: str) -> object:
    return user.post("/api/v1/imports", files={"file": (name, data)}, data=form)


def _programs(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Program)) or 0


def _printable(text: str) -> bool:
    return all(c.isprintable() for c in text)


UNREAD = {
    "taskjuggler_todolist.tjp": (
        f"it is a TaskJuggler project, {READS}; TaskJuggler can export it as Microsoft Project XML"
    ),
    "taskjuggler_tutorial.tjp": (  # a comment first, and the whole file read as one
        f"it is a TaskJuggler project, {READS}; TaskJuggler can export it as Microsoft Project XML"
    ),
    "ganttproject_HouseBuildingSample.gan": (
        f"it is a GanttProject file (XML whose root element is <project>), {READS}; "
        "GanttProject can export it as Microsoft Project XML"
    ),
}


@pytest.mark.parametrize("name", sorted(UNREAD))
@pytest.mark.parametrize("route", ["/api/v1/imports", "/api/v1/imports/inspect"])
def test_a_file_of_another_tool_says_what_it_is_and_what_podium_reads(
    cast: Cast, db: Session, name: str, route: str
) -> None:
    before = _programs(db)
    data = (DATA / name).read_bytes()
    for filename in (name, "upload.dat"):  # found from the content, whatever the name
        response = cast.member.post(route, files={"file": (filename, data)})
        error = assert_error(response, 422, "invalid_file")
        assert error["message"] == f"cannot import this file: {UNREAD[name]}"
        assert error["details"] == [{"location": "file", "message": UNREAD[name]}]
    assert _programs(db) == before


def test_xml_that_is_not_microsoft_project_xml_names_its_root_element(cast: Cast) -> None:
    data = b'<?xml version="1.0"?>\n<!-- a page -->\n<html lang="en"><body/></html>'
    error = assert_error(_upload(cast.member, data, "page.xml"), 422, "invalid_file")
    assert error["message"] == (
        f"cannot import this file: it is XML whose root element is <html>, {READS}; "
        f"Microsoft Project XML has the root element {MSPDI_ROOT}"
    )


@pytest.mark.parametrize("format", [None, "csv", "mspdi", "podium-plan"])
def test_binary_data_is_refused_as_such_without_its_control_characters(
    cast: Cast, db: Session, format: str | None
) -> None:
    before = _programs(db)
    data = bytes(range(256)) * 4 + os.urandom(2000)
    form = {"format": format} if format else {}
    error = assert_error(_upload(cast.member, data, "plan.csv", **form), 422, "invalid_file")
    assert error["message"] == f"cannot import this file: it is binary data, {READS}"
    assert _printable(error["message"])
    assert all(_printable(p["message"]) and _printable(p["location"]) for p in error["details"])
    assert _programs(db) == before


def test_control_characters_quoted_from_a_text_file_are_escaped(cast: Cast) -> None:
    # a few stray ones do not make a file binary: it is read, and what it says quotes them
    data = b"Len\x01gth,Wh\x1b[31men\n" + b"3,4\n" * 50
    error = assert_error(_upload(cast.member, data, "plan.csv"), 422, "invalid_file")
    assert "Len\\x01gth, Wh\\x1b[31men" in error["message"]
    assert _printable(error["message"])
    assert all(_printable(p["message"]) for p in error["details"])
    data = b"Name,\x1b[31mLength\n" + b"Dig,3\n" * 50
    report = _upload(cast.member, data, "plan.csv")
    assert report.status_code == 201, report.text  # type: ignore[attr-defined]
    notes = report.json()["notes"]  # type: ignore[attr-defined]
    assert "columns not imported: \\x1b[31mLength" in notes
    assert all(_printable(note) for note in notes)


def _plan(budget: str) -> bytes:
    task = f'{{"id": "BIG-1", "project": "BIG", "name": "Dig", "duration": 1, "budget": {budget}}}'
    return (
        '{"format": "podium-plan", "version": 1, "program": {"key": "BIG", "name": "Big", '
        '"start": "2027-01-04"}, "projects": [{"key": "BIG", "name": "Big"}], '
        f'"tasks": [{task}, {task.replace("BIG-1", "BIG-2")}]}}'
    ).encode()


MSPDI_COST = (
    f'<?xml version="1.0"?>\n{MSPDI_ROOT}<Title>Big</Title><StartDate>2027-01-04T08:00:00'
    "</StartDate><Tasks><Task><UID>1</UID><Name>Dig</Name><Duration>PT8H0M0S</Duration>"
    "<Baseline><Number>0</Number><Start>2027-01-04T08:00:00</Start><Cost>1e300</Cost>"
    "</Baseline></Task></Tasks></Project>"
).encode()


@pytest.mark.parametrize(
    ("name", "data", "location", "message"),
    [
        (
            "big.json",
            _plan("1" + "0" * 5000),
            "",
            "not a plan: a number at line 1 column 235 has 5,001 digits (at most 4,300 are read)",
        ),
        (
            "big.json",
            _plan("1e308"),  # two of them: their sum is no float (a report answered 500)
            "tasks[0].budget",
            "Input should be less than or equal to 1000000000000",
        ),
        (
            "big.xml",
            MSPDI_COST,
            "line 2, Task UID 1 (Dig) (budget)",
            "Input should be less than or equal to 1000000000000",
        ),
    ],
    ids=["digits", "plan-budget", "mspdi-baseline-cost"],
)
def test_a_number_larger_than_podium_keeps_is_refused_as_the_api_refuses_it(
    cast: Cast, db: Session, name: str, data: bytes, location: str, message: str
) -> None:
    before = _programs(db)
    error = assert_error(_upload(cast.member, data, name), 422, "invalid_file")
    assert error["details"][0]["location"] == location
    assert error["details"][0]["message"] == message
    assert _programs(db) == before


def test_a_malformed_key_is_a_field_error_like_a_too_long_one(cast: Cast, db: Session) -> None:
    before = _programs(db)
    data = XER.read_bytes()
    too_long = assert_error(_upload(cast.member, data, "p.xer", key="K" * 21), 422)
    malformed = assert_error(_upload(cast.member, data, "p.xer", key="1bad"), 422)
    for error in (too_long, malformed):
        assert error["code"] == "validation_failed"
        assert [p["field"] for p in error["details"]] == ["key"]
    assert malformed["message"] == "key: a letter, then up to 19 letters, digits, - or _"
    assert "cannot import" not in malformed["message"]
    assert _programs(db) == before


def test_a_key_already_taken_is_a_conflict_as_when_a_program_is_renamed(
    cast: Cast, db: Session
) -> None:
    before = _programs(db)
    error = assert_error(_upload(cast.member, XER.read_bytes(), "p.xer", key="CLOUD"), 409)
    assert error["code"] == "conflict"
    assert error["message"] == "a program with key 'CLOUD' already exists"
    assert error["details"] == [{"field": "key", "message": error["message"]}]
    # in any case, as program keys are unique ignoring case
    assert_error(_upload(cast.member, XER.read_bytes(), "p.xer", key="cloud"), 409, "conflict")
    assert _programs(db) == before
    made = {"key": "cloud", "name": "x", "start_date": "2027-01-04"}
    assert_error(cast.admin.post("/api/v1/programs", json=made), 409, "conflict")  # as here


def test_a_key_in_the_file_already_taken_is_a_conflict_at_its_place(
    cast: Cast, db: Session
) -> None:
    first = _upload(cast.member, XER.read_bytes(), "p.xer")
    assert first.status_code == 201, first.text  # type: ignore[attr-defined]
    before = _programs(db)
    error = assert_error(_upload(cast.member, XER.read_bytes(), "p.xer"), 409, "conflict")
    assert error["message"].startswith("cannot import this file: ")
    assert error["message"].endswith("already exists")
    assert [p["location"] for p in error["details"]] == ["program.key"]
    assert _programs(db) == before


def test_the_web_import_page_says_the_same_as_the_api(
    cast: Cast, browser_as: Callable[[str], Browser], db: Session
) -> None:
    member = browser_as("member@example.com")
    for name, data, said in (
        ("todo.tjp", (DATA / "taskjuggler_todolist.tjp").read_bytes(), "TaskJuggler project"),
        ("p.xer", XER.read_bytes(), "a program with key &#39;CLOUD&#39; already exists"),
    ):
        response = member.client.post(
            "/import",
            data={"csrf_token": member.csrf, "key": "CLOUD"},
            files={"file": (name, data)},
            follow_redirects=False,
        )
        assert response.status_code in (409, 422), response.text
        assert "Nothing was imported." in response.text and said in response.text
        assert "/import/csv/" not in response.headers.get("location", "")  # no mapping step
