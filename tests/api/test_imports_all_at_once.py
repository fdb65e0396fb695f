"""POST /api/v1/imports and the import page list every problem of a file at once: the
reader's with the plan's own checks (cycles, unknown references, dates outside the
window, control characters), so that fixing the list does not uncover a second one; and a
hostile file (empty, of another format than the one chosen, huge numbers, another
encoding, a byte-order mark, ids used twice, nesting past any plan) is refused in words,
never with a server error, and writes nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.models import Program
from tests.api.conftest import Browser, Cast
from tests.factories import assert_error

pytestmark = pytest.mark.db

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "projects"
WINDOW = "is outside the dates a plan may hold (1900-01-01 to 2200-12-31): check the year"
PYTHON_WORDS = re.compile(
    r"invalid literal|out of range for month|bad month number|Exceeds the limit|syntax error|"
    r"field limit|Expecting|Traceback|Error\b|codec|NoneType|index out of range"
)

CSV = (
    b"ID,Name,Duration,Predecessors,Start\n"
    b"1,Survey,x,2,2027-01-04\n"
    b"2,Design,3,1,2027-01-04\n"
    b"3,Build,2,,3027-01-04\n"
    b"4,Te\x07st,2,,\n"
)
CSV_PROBLEMS = [
    ("line 2, column Duration", "'x' is not a duration (5, 5d, 3w, 16h)"),
    ("line 2, column Predecessors", "dependency cycle: 2 → 1 → 2"),
    ("line 4, column Start", f"3027-01-04 {WINDOW}"),
    (
        "line 5, column Name",
        "contains a control character (\\x07): only tabs and line breaks are text",
    ),
]


def _plan(**parts: object) -> bytes:
    plan = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "ATONCE", "name": "At once", "start": "2027-01-04"},
        "projects": [{"key": "A", "name": "A"}],
        "tasks": [
            {"id": "A-1", "project": "A", "name": "One", "duration": "x"},
            {"id": "A-2", "project": "A", "name": "Tw\x07o", "duration": 2},
            {"id": 3, "project": "A", "name": "Three", "duration": 2},
            {"id": "A-4", "project": "A", "name": "Four", "duration": 2, "deadline": "3027-01-01"},
        ],
        "dependencies": [{"from": "3", "to": "A-2"}, {"from": "A-2", "to": "Z"}],
    }
    return json.dumps(plan | parts).encode()


PLAN_PROBLEMS = [
    ("tasks[0].duration", "Input should be a valid integer"),
    ("tasks[2].id", "Input should be a valid string"),
    ("dependencies[1].to", "unknown task or milestone 'Z'"),
    ("tasks[1].name", "contains a control character (\\x07): only tabs and line breaks are text"),
    ("tasks[3].deadline", f"3027-01-01 {WINDOW}"),
]


def _programs(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Program)) or 0


def _listed(details: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(p["location"], p["message"]) for p in details]


@pytest.mark.parametrize(
    ("name", "data", "problems"),
    [("tasks.csv", CSV, CSV_PROBLEMS), ("plan.json", _plan(), PLAN_PROBLEMS)],
    ids=["csv", "plan"],
)
def test_every_problem_of_a_file_is_in_one_refusal(
    cast: Cast, db: Session, name: str, data: bytes, problems: list[tuple[str, str]]
) -> None:
    before = _programs(db)
    response = cast.member.post("/api/v1/imports", files={"file": (name, data)})
    error = assert_error(response, 422, "invalid_file")
    assert _listed(error["details"]) == problems
    assert error["message"].endswith(f"(and {len(problems) - 1} more problems)")
    assert _programs(db) == before


def test_a_csv_whose_rows_read_lists_its_plan_problems_together(cast: Cast, db: Session) -> None:
    # no problem the reader sees: the control character, the cycle and the far date come
    # out of the plan's checks, in one list in the order of the lines
    data = CSV.replace(b"1,Survey,x,", b"1,Survey,2,")
    error = assert_error(
        cast.member.post("/api/v1/imports", files={"file": ("tasks.csv", data)}), 422
    )
    assert _listed(error["details"]) == CSV_PROBLEMS[1:]


def test_the_csv_mapping_step_lists_every_problem_at_once(
    cast: Cast, browser_as: Callable[[str], Browser], db: Session
) -> None:
    before = _programs(db)
    member = browser_as("member@example.com")
    uploaded = member.client.post(
        "/import",
        data={"csrf_token": member.csrf},
        files={"file": ("tasks.csv", CSV)},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303, uploaded.text
    step = uploaded.headers["location"]
    chosen = {
        "map-id": "ID",
        "map-name": "Name",
        "map-duration": "Duration",
        "map-predecessors": "Predecessors",
        "map-start": "Start",
    }
    response = member.post(step, chosen)
    assert response.status_code == 422, response.text
    rows = re.findall(r"<tr><td class=\"nowrap\">(.*?)</td><td>(.*?)</td></tr>", response.text)
    assert [where for where, _ in rows] == [where for where, _ in CSV_PROBLEMS]
    assert _programs(db) == before


XER = DATA / "mpxj_TwentyFourHourCalendar.xer"
MSPDI = DATA / "mpxj_task-links-project2003-mspdi.xml"
PLAN = _plan(tasks=[{"id": "A-1", "project": "A", "name": "One", "duration": 2}], dependencies=[])
CSV_OK = b"ID,Name,Duration,Predecessors\n1,One,2,\n2,Two,3,1\n"


def _hostile() -> dict[str, bytes]:
    files = {
        "empty": b"",
        "blank lines": b"\n \r\n",
        "byte-order mark only": b"\xef\xbb\xbf",
        "UTF-16 mark only": b"\xff\xfe",
        "plan in UTF-16": b"\xff\xfe" + PLAN.decode().encode("utf-16-le"),
        "plan in Windows-1252": PLAN.replace(b'"One"', '"Caf\u00e9"'.encode("cp1252")),
        "plan with a mark": b"\xef\xbb\xbf" + PLAN,
        "plan of a huge number": PLAN.replace(b'"duration": 2', b'"duration": ' + b"9" * 5000),
        "plan of a huge float": PLAN.replace(b'"duration": 2', b'"duration": 1e999'),
        "plan with ids used twice": _plan(
            tasks=[{"id": "A-1", "project": "A", "name": n, "duration": 2} for n in "XY"],
            dependencies=[],
        ),
        "plan with a half character": PLAN.replace(b'"One"', b'"\\ud83d"'),
        "plan nested deeply": b'{"format": "podium-plan", "version": 1, "x": '
        + b"[" * 50_000
        + b"]" * 50_000
        + b"}",
        "plan nested past any plan": b'{"format": "podium-plan", "version": 1, "x": '
        + b"[" * 500
        + b"]" * 500
        + b"}",
        "csv with ids used twice": b"ID,Name,Duration\n1,One,2\n1,Two,3\n",
        "csv of huge numbers": b"ID,Name,Duration,% Complete,Start\n1,One,"
        + b"9" * 5000
        + b","
        + b"9" * 5000
        + b",2027-01-04\n",
        "csv with an open quote": b'ID,Name,Duration\n1,"One,2\n2,Two,3\n',
        "csv with a long field": b"ID,Name\n1," + b"x" * 200_000 + b"\n",
        "csv in UTF-16": b"\xff\xfe" + CSV_OK.decode().encode("utf-16-le"),
        "xer cut short": b"ERMHDR\t19.12\n%T\tTASK\n",
        "xer of huge numbers": b"ERMHDR\t19.12\n%T\tCALENDAR\n%F\tclndr_id\tday_hr_cnt\n%R\t1\t"
        + b"9" * 5000
        + b"\n%E\n",
        "xer nested calendar": b"ERMHDR\t19.12\n%T\tCALENDAR\n%F\tclndr_id\tclndr_name\t"
        b"clndr_data\n%R\t1\tStd\t" + b"(0||a()(" * 5000 + b"\n%E\n",
        "xml nested deeply": b'<Project xmlns="http://schemas.microsoft.com/project">'
        + b"<a>" * 50_000
        + b"</a>" * 50_000
        + b"</Project>",
        "xml of a huge uid": b'<Project xmlns="http://schemas.microsoft.com/project">'
        b"<StartDate>2027-01-04T08:00:00</StartDate><Tasks><Task><UID>"
        + b"9" * 5000
        + b"</UID><Name>T</Name></Task></Tasks></Project>",
    }
    if XER.exists() and MSPDI.exists():
        files["xer with a mark"] = b"\xef\xbb\xbf" + XER.read_bytes()
        files["xml in UTF-16"] = b"\xff\xfe" + MSPDI.read_bytes().decode().encode("utf-16-le")
    return files


HOSTILE = _hostile()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_is_refused_in_words_whatever_format_is_chosen(
    cast: Cast, db: Session, name: str
) -> None:
    before = _programs(db)
    for chosen in (None, "mspdi", "xer", "csv", "podium-plan"):
        form = {"format": chosen} if chosen else {}
        response = cast.member.post(
            "/api/v1/imports", files={"file": ("upload.dat", HOSTILE[name])}, data=form
        )
        assert response.status_code in (201, 409, 422), (chosen, response.text)
        if response.status_code == 201:  # a file some reader reads (its mark, its encoding)
            assert cast.member.delete(f"/api/v1/programs/{response.json()['program_id']}")
            continue
        error = assert_error(response, response.status_code)
        words = error["message"] + json.dumps(error["details"], ensure_ascii=False)
        assert not PYTHON_WORDS.search(words), (chosen, words[:400])
    assert _programs(db) == before
