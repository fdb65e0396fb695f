"""MSPDI → plan → MSPDI → plan compares equal, for every real file and generated plans."""

from __future__ import annotations

from pathlib import Path

import pytest

from podium.interop.mspdi import read_mspdi, write_mspdi
from podium.interop.mspdi._xml import Q, parse, text
from podium.interop.plan_format import plan_to_json, read_plan

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "projects"
FILES = sorted(p.name for p in DATA.glob("*.xml")) if DATA.exists() else []


@pytest.mark.parametrize("name", FILES)
def test_a_file_read_written_and_read_again_is_the_same_plan(name: str) -> None:
    first = read_mspdi((DATA / name).read_bytes())
    assert first.ok
    written = write_mspdi(first.document)
    second = read_mspdi(written)
    assert second.ok, second.problems
    assert plan_to_json(read_plan(second.document)) == plan_to_json(read_plan(first.document))


def test_the_written_dates_are_the_schedule_podium_computes() -> None:
    document = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "RT", "name": "RT", "start": "2027-01-04"},
        "calendars": [{"name": "standard", "holidays": ["2027-01-06"]}],
        "projects": [{"key": "RT", "name": "Round trip"}],
        "tasks": [
            {"id": "RT-1", "project": "RT", "name": "Design", "duration": 3},
            {"id": "RT-2", "project": "RT", "name": "Build", "duration": 2},
        ],
        "dependencies": [{"from": "RT-1", "to": "RT-2", "type": "FS", "lag": 1}],
    }
    document["program"]["calendar"] = "standard"
    again = read_mspdi(write_mspdi(document))
    assert again.ok
    dates = again.file_dates
    assert (str(dates["RT-1"].start), str(dates["RT-1"].finish)) == ("2027-01-04", "2027-01-07")
    assert str(dates["RT-2"].start) == "2027-01-11"
    assert again.document["dependencies"] == [
        {"from": "RT-1", "to": "RT-2", "type": "FS", "lag": 1}
    ]


NAMED_HOLIDAYS = [
    {"date": "2027-12-24", "name": "Christmas Eve"},
    {"date": "2027-12-27", "name": "Christmas break"},
    {"date": "2027-12-28", "name": "Christmas break"},
    {"date": "2027-12-29", "name": "Year-end stocktake"},
    "2027-12-30",
]


def test_holiday_names_are_written_as_exception_names_and_read_back() -> None:
    document = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "HN", "name": "HN", "start": "2027-12-20", "calendar": "office"},
        "calendars": [{"name": "office", "holidays": NAMED_HOLIDAYS}],
        "projects": [{"key": "HN", "name": "Holiday names"}],
        "tasks": [{"id": "HN-1", "project": "HN", "name": "Close", "duration": 3}],
    }
    written = write_mspdi(document)
    root, _ = parse(written)
    exceptions = [
        (text(e, f"TimePeriod/{Q}FromDate"), text(e, "Name"))
        for e in root.findall(f"{Q}Calendars/{Q}Calendar/{Q}Exceptions/{Q}Exception")
    ]
    # one exception per run of days of one name; an unnamed holiday has no name
    assert exceptions == [
        ("2027-12-24T00:00:00", "Christmas Eve"),
        ("2027-12-27T00:00:00", "Christmas break"),
        ("2027-12-29T00:00:00", "Year-end stocktake"),
        ("2027-12-30T00:00:00", None),
    ]
    again = read_mspdi(written)
    assert again.ok, again.problems
    (calendar,) = again.document["calendars"]
    assert calendar["holidays"] == NAMED_HOLIDAYS


def test_people_teams_and_equipment_are_written_as_work_resources_and_read_back_as_such() -> None:
    document = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "RK", "name": "RK", "start": "2027-01-04"},
        "projects": [{"key": "RK", "name": "Resource kinds"}],
        "tasks": [{"id": "RK-1", "project": "RK", "name": "Pour", "duration": 2}],
        "resources": [
            {"id": "R1", "name": "Ada", "kind": "person"},
            {"id": "R2", "name": "Crew", "kind": "team", "capacity": 3.0},
            {"id": "R3", "name": "Crane", "kind": "equipment", "capacity": 2.0},
        ],
        "assignments": [{"task": "RK-1", "resource": "R3", "units": 2.0}],
    }
    written = write_mspdi(document)
    root, _ = parse(written)
    resources = {
        text(r, "Name"): (text(r, "Type"), text(r, "Group"))
        for r in root.findall(f"{Q}Resources/{Q}Resource")
    }
    assert resources == {
        "Ada": ("1", None),
        "Crew": ("1", "Team"),
        "Crane": ("1", "Equipment"),
    }
    again = read_mspdi(written)
    assert again.ok, again.problems
    assert [(r["name"], r["kind"], r["capacity"]) for r in again.document["resources"]] == [
        ("Ada", "person", 1.0),
        ("Crew", "team", 3.0),
        ("Crane", "equipment", 2.0),
    ]
    assert not any("material" in n for n in again.notes)


def test_a_material_resource_comes_back_as_equipment_from_a_work_resource() -> None:
    first = read_mspdi((DATA / "mpxj_mspdiresource.xml").read_bytes())
    kinds = {r["name"]: r["kind"] for r in first.document["resources"]}
    assert kinds["Concrete"] == "equipment"  # Type 0 in the file
    root, _ = parse(write_mspdi(first.document))
    concrete = next(
        r for r in root.findall(f"{Q}Resources/{Q}Resource") if text(r, "Name") == "Concrete"
    )
    assert (text(concrete, "Type"), text(concrete, "Group")) == ("1", "Equipment")
    again = read_mspdi(write_mspdi(first.document))
    assert {r["name"]: r["kind"] for r in again.document["resources"]} == kinds


def test_a_work_resource_of_another_group_is_a_person() -> None:
    imported = read_mspdi((DATA / "mpxj_mspdiresource.xml").read_bytes())
    kinds = {r["name"]: r["kind"] for r in imported.document["resources"]}
    assert kinds["Wade Golden"] == "person"  # Group "Steelray"


def test_characters_xml_cannot_hold_are_replaced_so_the_file_still_reads() -> None:
    document = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "RT", "name": "Bell \u0007 program", "start": "2027-01-04"},
        "projects": [{"key": "RT", "name": "Round \ufffe trip"}],
        "tasks": [
            {"id": "RT-1", "project": "RT", "name": "Vendor \u0001\u000b call", "duration": 3}
        ],
    }
    back = read_mspdi(write_mspdi(document))
    assert back.ok, back.problems
    (task,) = back.document["tasks"]
    assert task["name"] == "Vendor \ufffd\ufffd call"


def test_the_currency_is_the_files_currency_code_both_ways() -> None:
    document = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "RT", "name": "RT", "start": "2027-01-04", "currency": "CHF"},
        "projects": [{"key": "RT", "name": "Round trip"}],
        "tasks": [{"id": "RT-1", "project": "RT", "name": "Design", "duration": 3}],
    }
    written = write_mspdi(document)
    assert text(parse(written)[0], "CurrencyCode") == "CHF"
    assert read_mspdi(written).document["program"]["currency"] == "CHF"
    del document["program"]["currency"]
    bare = write_mspdi(document)
    assert b"CurrencyCode" not in bare and "currency" not in read_mspdi(bare).document["program"]
    odd = read_mspdi(
        bare.replace(b"<CalendarUID>", b"<CurrencyCode>EURO</CurrencyCode><CalendarUID>")
    )
    assert odd.ok and "currency" not in odd.document["program"]
    assert "currency code 'EURO' is not ISO 4217: amounts imported without a currency" in odd.notes


@pytest.mark.skipif(not FILES, reason="the shared project files are not here")
def test_a_project_files_currency_code_becomes_the_programs() -> None:
    read = read_mspdi((DATA / "mpxj_mspdirelations.xml").read_bytes())
    assert read.ok and read.document["program"]["currency"] == "GBP"


def test_a_tasks_actual_cost_is_written_in_hundredths_and_read_back() -> None:
    document = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "PLAT", "name": "Platform", "start": "2027-01-04"},
        "projects": [{"key": "PLAT", "name": "Platform"}],
        "tasks": [
            {"id": "PLAT-1", "project": "PLAT", "name": "Pilot", "duration": 3,
             "actual_start": "2027-01-04", "percent_complete": 50, "actual_cost": 20700.25},
            {"id": "PLAT-2", "project": "PLAT", "name": "Roll out", "duration": 2},
        ],
    }  # fmt: skip
    written = write_mspdi(document)
    costs = [text(t, "ActualCost") for t in parse(written)[0].findall(f"{Q}Tasks/{Q}Task")]
    assert costs == [None, "2070025", None]  # the project summary task, then the tasks
    again = read_mspdi(written)
    assert again.ok, again.problems
    assert [t.get("actual_cost") for t in again.document["tasks"]] == [20700.25, None]
