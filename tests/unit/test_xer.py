"""Reading Primavera P6 XER files into plan-format documents."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from podium.engine import schedule
from podium.interop.plan_format import plan_to_schedule_input, read_plan
from podium.interop.xer import read_xer
from podium.interop.xer._calendars import parse_calendar_data

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "projects"
FILES = sorted(DATA.glob("*.xer"))

WEEK = (
    "(0||CalendarData()((0||DaysOfWeek()((0||1()())"
    + "".join(
        f"(0||{d}()((0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())))" for d in range(2, 7)
    )
    + "(0||7()())))(0||Exceptions()((0||0(d|45658)())(0||1(d|45661)((0||0(s|08:00|f|12:00)())))))))"
)


def xer(tables: dict[str, list[dict[str, str]]], *, end: bool = True) -> bytes:
    """An XER file of these tables (fields: the union of the rows' keys, in order)."""
    lines = ["ERMHDR\t19.12\t2025-01-01\tProject\tadmin\tAdmin\tdb\tProject Management\tUSD"]
    for name, rows in tables.items():
        fields: list[str] = []
        for row in rows:
            fields += [k for k in row if k not in fields]
        lines += [f"%T\t{name}", "%F\t" + "\t".join(fields)]
        lines += ["%R\t" + "\t".join(row.get(f, "") for f in fields) for row in rows]
    if end:
        lines.append("%E")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def task(task_id: str, code: str, hours: str = "40", **fields: str) -> dict[str, str]:
    return {
        "task_id": task_id,
        "proj_id": "1",
        "wbs_id": fields.pop("wbs_id", "11"),
        "clndr_id": fields.pop("clndr_id", "7"),
        "task_code": code,
        "task_name": f"Activity {code}",
        "task_type": fields.pop("task_type", "TT_Task"),
        "status_code": "TK_NotStart",
        "target_drtn_hr_cnt": hours,
        "remain_drtn_hr_cnt": hours,
        **fields,
    }


def sample(**extra: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    tables = {
        "PROJECT": [
            {
                "proj_id": "1",
                "proj_short_name": "BRIDGE 1",
                "plan_start_date": "2025-01-06 08:00",
                "clndr_id": "7",
                "last_recalc_date": "2025-01-06 00:00",
            }
        ],
        "CALENDAR": [
            {"clndr_id": "7", "clndr_name": "Standard", "day_hr_cnt": "8", "clndr_data": WEEK},
            {
                "clndr_id": "8",
                "clndr_name": "Round the clock",
                "day_hr_cnt": "24",
                "clndr_data": "(0||CalendarData()((0||DaysOfWeek()("
                + "".join(f"(0||{d}()((0||0(s|00:00|f|00:00)())))" for d in range(1, 8))
                + "))))",
            },
        ],
        "SCHEDOPTIONS": [
            {"proj_id": "1", "sched_calendar_on_relationship_lag": "rcal_Predecessor"}
        ],
        "PROJWBS": [
            {
                "wbs_id": "10",
                "proj_id": "1",
                "proj_node_flag": "Y",
                "wbs_short_name": "BRIDGE 1",
                "wbs_name": "Bridge",
                "parent_wbs_id": "1",
            },
            {
                "wbs_id": "11",
                "proj_id": "1",
                "proj_node_flag": "N",
                "wbs_short_name": "DES",
                "wbs_name": "Design",
                "parent_wbs_id": "10",
                "seq_num": "1",
            },
            {
                "wbs_id": "12",
                "proj_id": "1",
                "proj_node_flag": "N",
                "wbs_short_name": "BLD",
                "wbs_name": "Build",
                "parent_wbs_id": "10",
                "seq_num": "2",
            },
            {
                "wbs_id": "13",
                "proj_id": "1",
                "proj_node_flag": "N",
                "wbs_short_name": "EMPTY",
                "wbs_name": "Nothing here",
                "parent_wbs_id": "10",
                "seq_num": "3",
            },
        ],
        "TASK": [
            task("100", "A1000", "40", cstr_type="CS_MSOA", cstr_date="2025-01-08 00:00"),
            task("101", "A1010", "20"),
            task("102", "A1020", "48", wbs_id="12", clndr_id="8"),
            task("103", "M1", "0", wbs_id="12", task_type="TT_FinMile", cstr_type="CS_ALAP"),
        ],
        "TASKPRED": [
            {"task_id": "101", "pred_task_id": "100", "pred_type": "PR_FS", "lag_hr_cnt": "16"},
            {"task_id": "102", "pred_task_id": "101", "pred_type": "PR_SS", "lag_hr_cnt": "-8"},
            {"task_id": "103", "pred_task_id": "102", "pred_type": "PR_FF", "lag_hr_cnt": "36"},
            {"task_id": "103", "pred_task_id": "999", "pred_type": "PR_FS", "lag_hr_cnt": "0"},
        ],
    }
    tables.update(extra)
    return tables


def _imported(data: bytes) -> dict[str, Any]:
    result = read_xer(data)
    assert result.problems == []
    read_plan(result.document)
    return result.document


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_xer_file_in_the_data_directory_reads_into_a_valid_plan(path: Path) -> None:
    result = read_xer(path.read_bytes())
    assert result.ok, result.problems
    plan = read_plan(result.document)
    assert set(result.file_dates) == {t.id for t in plan.tasks if t.id.startswith("A")}


def test_twenty_four_hour_calendar_file_keeps_its_finished_activity_and_holidays() -> None:
    result = read_xer((DATA / "mpxj_TwentyFourHourCalendar.xer").read_bytes())
    plan = read_plan(result.document)
    assert [t.id for t in plan.tasks] == ["A1000"]
    (activity,) = plan.tasks
    assert activity.duration == 3  # 24 h on an 8-hour calendar
    assert (activity.actual_start, activity.actual_finish) == (date(2019, 6, 10), date(2019, 6, 12))
    assert activity.percent_complete == 100
    assert activity.constraint is not None and activity.constraint.type == "snet"
    (calendar,) = plan.calendars
    assert calendar.name == "5 Day"
    assert calendar.workdays == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    days = [h.date for h in calendar.holidays]
    assert date(2019, 7, 4) in days and len(days) == 14
    assert plan.program.calendar == "5 Day"


def test_percent_complete_file_gives_the_percent_each_activity_is_named_after() -> None:
    plan = read_plan(read_xer((DATA / "mpxj_percent-complete-8.4.xer").read_bytes()).document)
    assert len(plan.tasks) == 12  # the README's 12 TASK rows
    for t in plan.tasks:
        assert t.percent_complete == float(t.name.split()[-1].rstrip("%")), t.name
        assert t.duration == 100  # 800 h at 8 h a day
    assert plan.calendars[0].name == "Corporate - Standard Full Time"
    assert len(plan.calendars[0].holidays) == 24
    result = read_xer((DATA / "mpxj_percent-complete-8.4.xer").read_bytes())
    planned = result.baseline["A1000"]  # P6's planned (target) dates become the file's baseline
    assert (planned.start, planned.finish, planned.duration) == (
        date(2015, 2, 24),
        date(2015, 7, 13),
        100,
    )


def test_resource_rates_file_merges_five_assignments_of_one_resource() -> None:
    result = read_xer((DATA / "mpxj_resource-rates-test.xer").read_bytes())
    plan = read_plan(result.document)
    (resource,) = plan.resources  # the README's 1 RSRC row
    assert (resource.id, resource.name, resource.kind) == ("R1", "Resource 1", "person")
    assert resource.cost_rate == 1.0  # the rate in force on the project's start
    assert resource.calendar == "Standard 5 Day Workweek"
    (assignment,) = plan.assignments  # 5 TASKRSRC rows on one activity
    assert (assignment.task, assignment.resource, assignment.units) == ("A1000", "R1", 1.0)
    assert assignment.work_hours == 1200  # 5 x 240 h
    assert plan.tasks[0].duration == 30 and plan.tasks[0].budget == 27600
    assert any("5 times" in n for n in result.notes)
    assert any("ROLES" in n for n in result.notes)


def test_wbs_becomes_summary_tasks_and_empty_wbs_nodes_are_left_out() -> None:
    document = _imported(xer(sample()))
    tasks = {t["id"]: t for t in document["tasks"]}
    assert list(tasks) == ["BRIDGE-1.DES", "A1000", "A1010", "BRIDGE-1.BLD", "A1020", "M1"]
    assert tasks["A1000"]["parent"] == "BRIDGE-1.DES"
    assert tasks["M1"]["parent"] == "BRIDGE-1.BLD" and tasks["M1"]["duration"] == 0
    assert document["projects"] == [{"key": "BRIDGE-1", "name": "Bridge"}]


def test_relationships_keep_their_type_and_lags_become_working_days() -> None:
    result = read_xer(xer(sample()))
    links = {(d["from"], d["to"]): d for d in result.document["dependencies"]}
    assert links[("A1000", "A1010")] == {"from": "A1000", "to": "A1010", "type": "FS", "lag": 2}
    assert links[("A1010", "A1020")]["type"] == "SS" and links[("A1010", "A1020")]["lag"] == -1
    # lag on the predecessor's 24-hour calendar: 36 h = 1.5 days, rounded to 2
    assert links[("A1020", "M1")] == {"from": "A1020", "to": "M1", "type": "FF", "lag": 2}
    assert len(links) == 3  # the link from an activity outside the file is left out
    assert any("outside the file" in n for n in result.notes)
    assert any("rounded" in n and "A1020 → M1" in n for n in result.notes)


def test_lags_follow_the_projects_relationship_lag_calendar() -> None:
    options = [{"proj_id": "1", "sched_calendar_on_relationship_lag": "rcal_24Hour"}]
    document = _imported(xer(sample(SCHEDOPTIONS=options)))
    lags = {(d["from"], d["to"]): d.get("lag", 0) for d in document["dependencies"]}
    assert lags[("A1000", "A1010")] == 1  # 16 h of a 24-hour day, rounded


def test_calendars_durations_constraints_and_file_dates() -> None:
    result = read_xer(xer(sample()))
    document = result.document
    calendars = {c["name"]: c for c in document["calendars"]}
    # 2025-01-01 is a day off; 2025-01-04 (a Saturday) worked is an extra working day
    assert calendars["Standard"]["holidays"] == ["2025-01-01"]
    assert calendars["Standard"]["extra_workdays"] == ["2025-01-04"]
    assert calendars["Round the clock"]["extra_workdays"] == []
    assert calendars["Round the clock"]["workdays"] == [
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
    ]
    tasks = {t["id"]: t for t in document["tasks"]}
    assert tasks["A1000"]["duration"] == 5
    assert tasks["A1000"]["constraint"] == {"type": "snet", "date": "2025-01-08"}
    assert tasks["A1020"]["duration"] == 2 and tasks["A1020"]["calendar"] == "Round the clock"
    assert "as-late-as-possible" in result.file_dates["M1"].note
    assert not any("extra working days" in n for n in result.notes)


def test_several_projects_make_one_program_with_one_project_each() -> None:
    tables = sample()
    tables["PROJECT"].append(
        {
            "proj_id": "2",
            "proj_short_name": "ROAD",
            "plan_start_date": "2025-01-02 08:00",
            "clndr_id": "7",
        }
    )
    tables["PROJWBS"].append(
        {
            "wbs_id": "20",
            "proj_id": "2",
            "proj_node_flag": "Y",
            "wbs_short_name": "ROAD",
            "wbs_name": "Road",
        }
    )
    tables["TASK"].append(task("200", "A1000", "8", wbs_id="20") | {"proj_id": "2"})
    document = _imported(xer(tables))
    assert [p["key"] for p in document["projects"]] == ["BRIDGE-1", "ROAD"]
    assert document["program"]["start"] == "2025-01-02"
    assert {t["id"] for t in document["tasks"] if t["project"] == "ROAD"} == {"ROAD.A1000"}
    notes = read_xer(xer(tables)).notes
    assert (
        "1 activity code was used before (in another project or by a WBS node) and was "
        "given a new key: A1000 → ROAD.A1000"
    ) in notes, notes


def test_resources_units_and_costs() -> None:
    document = _imported(
        xer(
            sample(
                RSRC=[
                    {
                        "rsrc_id": "5",
                        "rsrc_short_name": "ana",
                        "rsrc_name": "Ana",
                        "rsrc_type": "RT_Labor",
                        "clndr_id": "7",
                    },
                    {
                        "rsrc_id": "6",
                        "rsrc_short_name": "crane",
                        "rsrc_name": "Crane",
                        "rsrc_type": "RT_Equip",
                    },
                    {
                        "rsrc_id": "7",
                        "rsrc_short_name": "idle",
                        "rsrc_name": "Idle",
                        "rsrc_type": "RT_Labor",
                    },
                ],
                RSRCRATE=[
                    {
                        "rsrc_id": "5",
                        "max_qty_per_hr": "1",
                        "cost_per_qty": "80",
                        "start_date": "2020-01-01 00:00",
                    }
                ],
                TASKRSRC=[
                    {
                        "task_id": "100",
                        "rsrc_id": "5",
                        "target_qty_per_hr": "0.5",
                        "target_qty": "20",
                        "target_cost": "1600",
                    },
                    {
                        "task_id": "102",
                        "rsrc_id": "6",
                        "target_qty_per_hr": "1",
                        "target_qty": "48",
                    },
                    {"task_id": "103", "rsrc_id": "5", "target_qty_per_hr": "1", "target_qty": "0"},
                ],
            )
        )
    )
    resources = {r["id"]: r for r in document["resources"]}
    assert set(resources) == {"ana", "crane"}  # without assignments: left out
    assert resources["ana"]["cost_rate"] == 80 and resources["crane"]["kind"] == "equipment"
    assert document["assignments"] == [
        {"task": "A1000", "resource": "ana", "units": 0.5, "work_hours": 20.0},
        {"task": "A1020", "resource": "crane", "units": 1.0, "work_hours": 48.0},
    ]  # none on the milestone
    assert next(t for t in document["tasks"] if t["id"] == "A1000")["budget"] == 1600


def test_a_damaged_file_gives_located_problems_and_no_document() -> None:
    tables = sample()
    tables["TASK"][1]["target_drtn_hr_cnt"] = "forty"
    tables["TASK"][2]["act_start_date"] = "2025-13-45 08:00"
    tables["TASKPRED"][0]["pred_type"] = "PR_XX"
    result = read_xer(xer(tables))
    assert result.document == {}
    locations = [p.location for p in result.problems]
    assert any(loc.startswith("TASK row 2 (task_code A1010, line ") for loc in locations)
    assert any(loc.startswith("TASK row 3 (task_code A1020") for loc in locations)
    assert any(loc.startswith("TASKPRED row 1") for loc in locations)
    assert any("forty" in p.message for p in result.problems)


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e999"])
def test_a_number_that_is_no_finite_number_is_located(value: str) -> None:
    tables = sample()
    tables["TASK"][1]["target_drtn_hr_cnt"] = value
    result = read_xer(xer(tables))
    assert result.document == {}
    assert {p.location.split(", line")[0] for p in result.problems} == {
        "TASK row 2 (task_code A1010"
    }
    assert f"target_drtn_hr_cnt {value!r} is not a number" in result.problems[0].message


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (b"<Project/>", "line 1", "not a Primavera P6 XER file"),
        (xer(sample(), end=False), "line ", "cut short"),
        (
            xer(sample()).replace(b"%T\tTASKPRED\r\n%F", b"%T\tTASKPRED\r\n%X"),
            "line ",
            "unexpected line",
        ),
        (b"ERMHDR\t8\r\n%R\t1\t2\r\n%E\r\n", "line 2", "%R before"),
        (xer({"CALENDAR": sample()["CALENDAR"]}), "PROJECT", "no project"),
    ],
)
def test_broken_structure_is_reported_by_line(data: bytes, where: str, message: str) -> None:
    result = read_xer(data)
    assert not result.ok and result.document == {}
    assert any(p.location.startswith(where) and message in p.message for p in result.problems)


def test_unreadable_calendar_data_names_the_calendar() -> None:
    tables = sample()
    tables["CALENDAR"][0]["clndr_data"] = "(0||CalendarData()((0||DaysOfWeek()("
    result = read_xer(xer(tables))
    assert [p.location.split(" (")[0] for p in result.problems] == ["CALENDAR row 1"]
    assert "clndr_name Standard" in result.problems[0].location


def test_calendar_data_counts_hours_and_reads_day_numbers() -> None:
    data = parse_calendar_data(WEEK)
    assert data.week is not None and data.week["Mon"] == 8 and data.week["Sun"] == 0
    assert data.days_off == [date(2025, 1, 1)] and data.working_days == [date(2025, 1, 4)]


def _week_with(*exceptions: tuple[date, bool]) -> str:
    """The Mon-Fri week of ``WEEK`` with these exceptions (a day, worked or not)."""
    week = WEEK.split("(0||Exceptions()")[0]
    nodes = "".join(
        f"(0||{n}(d|{(day - date(1899, 12, 30)).days})("
        + ("(0||0(s|08:00|f|12:00)())" if worked else "")
        + "))"
        for n, (day, worked) in enumerate(exceptions)
    )
    return f"{week}(0||Exceptions()({nodes}))))"


def test_exceptions_with_work_on_days_off_of_the_week_are_extra_working_days() -> None:
    tables = sample()
    tables["CALENDAR"][0]["clndr_data"] = _week_with(
        (date(2025, 1, 11), True),  # a Saturday worked
        (date(2025, 1, 12), True),  # a Sunday worked ...
        (date(2025, 1, 19), True),  # ... and another, also off: not worked
        (date(2025, 1, 19), False),
        (date(2025, 1, 15), True),  # a Wednesday with hours of its own: nothing to carry
        (date(2025, 1, 20), False),  # a Monday off: a holiday
        (date(2025, 1, 25), False),  # a Saturday off: off anyway
    )
    result = read_xer(xer(tables))
    assert result.ok, result.problems
    read_plan(result.document)
    calendars = {c["name"]: c for c in result.document["calendars"]}
    assert calendars["Standard"]["extra_workdays"] == ["2025-01-11", "2025-01-12"]
    assert calendars["Standard"]["holidays"] == ["2025-01-20"]
    assert calendars["Round the clock"]["extra_workdays"] == []
    assert [n for n in result.notes if "calendar" in n] == [
        "calendar 'Standard': 1 exception day(s) with work on working weekdays "
        "(first 2025-01-15) change only the working hours, which are not carried over"
    ]


def test_the_extra_working_saturday_of_a_file_is_worked_by_its_activities() -> None:
    def finish(*exceptions: tuple[date, bool]) -> date:
        tables = sample()
        tables["CALENDAR"][0]["clndr_data"] = _week_with(*exceptions)
        plan = read_plan(_imported(xer(tables)))
        return schedule(plan_to_schedule_input(plan))["A1000"].early_finish

    # A1000: 5 days from Wednesday 8 January 2025 (its snet constraint)
    assert finish() == date(2025, 1, 14)
    assert finish((date(2025, 1, 11), True)) == date(2025, 1, 13)
