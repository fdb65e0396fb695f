"""`podium calendar …` on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.models import Calendar, Resource, Task
from tests.factories import make_program, make_project, make_task

runner = CliRunner()


def podium(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def stored(engine: Engine, name: str) -> Calendar | None:
    with Session(engine) as session:
        return session.scalar(select(Calendar).where(Calendar.name == name))


def holidays(engine: Engine, name: str) -> list[dict[str, str]]:
    calendar = stored(engine, name)
    assert calendar is not None
    return calendar.holidays


def extra_workdays(engine: Engine, name: str) -> list[dict[str, str]]:
    calendar = stored(engine, name)
    assert calendar is not None
    return calendar.extra_workdays


def calendars_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Calendar)) or 0


def test_create_stores_the_weekdays_and_description_and_refuses_a_taken_name(
    cli_env: None, engine: Engine
) -> None:
    code, out = podium("calendar", "create", "Head office", "--description", "Paris, France")
    assert code == 0, out
    assert "Created calendar Head office" in out and "worked Mon–Fri" in out
    code, out = podium("calendar", "create", "Plant", "--workdays", "mon, Tue,wed,Thu,Fri,sat")
    assert code == 0, out
    assert "worked Mon–Sat" in out
    office, plant = stored(engine, "Head office"), stored(engine, "Plant")
    assert office is not None and office.weekmask == "1111100"
    assert office.description == "Paris, France" and office.holidays == []
    assert plant is not None and plant.weekmask == "1111110"
    code, out = podium("calendar", "create", "HEAD OFFICE")
    assert code == 1 and "a calendar named Head office already exists" in out
    code, out = podium("calendar", "create", "  ")
    assert code == 1 and "must not be blank" in out
    code, out = podium("calendar", "create", "x" * 101)
    assert code == 1 and "at most 100 characters, not 101" in out
    assert calendars_count(engine) == 2


def test_create_refuses_a_weekday_it_does_not_know(cli_env: None, engine: Engine) -> None:
    code, out = podium("calendar", "create", "Odd", "--workdays", "Mon,Funday")
    assert code == 1
    assert "'Funday' is not one of Mon, Tue, Wed, Thu, Fri, Sat, Sun" in out
    code, out = podium("calendar", "create", "Odd", "--workdays", "Mon,Mon")
    assert code == 1 and "Mon is listed twice" in out
    code, out = podium("calendar", "create", "Odd", "--workdays", "")
    assert code == 1 and "at least one weekday must be worked" in out
    assert calendars_count(engine) == 0


def test_holidays_are_added_and_removed_keeping_the_others_names(
    cli_env: None, engine: Engine
) -> None:
    podium("calendar", "create", "Standard")
    code, out = podium("calendar", "holiday-add", "standard", "2031-12-25", "--name", "Christmas")
    assert code == 0, out
    assert "Added 2031-12-25 (Thu) Christmas to Standard: 1 holiday." in out
    code, out = podium("calendar", "holiday-add", "Standard", "2031-01-01", "--name", "New Year")
    assert code == 0, out
    code, out = podium("calendar", "holiday-add", "Standard", "2031-12-27")
    assert code == 0 and "3 holidays" in out and "Sat is not worked in this calendar" in out
    assert holidays(engine, "Standard") == [
        {"date": "2031-01-01", "name": "New Year"},
        {"date": "2031-12-25", "name": "Christmas"},
        {"date": "2031-12-27", "name": ""},
    ]
    code, out = podium("calendar", "holiday-remove", "STANDARD", "2031-01-01")
    assert code == 0, out
    assert "Removed 2031-01-01 New Year from Standard: 2 holidays left." in out
    assert holidays(engine, "Standard") == [
        {"date": "2031-12-25", "name": "Christmas"},
        {"date": "2031-12-27", "name": ""},
    ]


def test_a_holiday_already_listed_or_not_listed_is_refused(cli_env: None, engine: Engine) -> None:
    podium("calendar", "create", "Standard")
    podium("calendar", "holiday-add", "Standard", "2031-12-25", "--name", "Christmas")
    before = stored(engine, "Standard")
    assert before is not None
    code, out = podium("calendar", "holiday-add", "Standard", "2031-12-25", "--name", "Again")
    assert code == 1 and "2031-12-25 is already a holiday in Standard (Christmas)" in out
    code, out = podium("calendar", "holiday-add", "Standard", "2031-12-26", "--name", "x" * 201)
    assert code == 1 and "--name is at most 200 characters, not 201" in out
    code, out = podium("calendar", "holiday-remove", "Standard", "2031-12-26")
    assert code == 1 and "2031-12-26 is not a holiday in Standard" in out
    after = stored(engine, "Standard")
    assert after is not None and after.version == before.version
    assert after.holidays == [{"date": "2031-12-25", "name": "Christmas"}]


def test_a_date_not_written_yyyy_mm_dd_is_refused(cli_env: None, engine: Engine) -> None:
    podium("calendar", "create", "Standard")
    for bad in ("2031-02-30", "25/12/2031", "christmas"):
        code, out = podium("calendar", "holiday-add", "Standard", bad)
        assert code == 1 and f"DATE must be YYYY-MM-DD, not {bad!r}" in out
        code, out = podium("calendar", "holiday-remove", "Standard", bad)
        assert code == 1 and f"DATE must be YYYY-MM-DD, not {bad!r}" in out
    assert holidays(engine, "Standard") == []


def test_an_unknown_calendar_is_refused_naming_the_known_ones(
    cli_env: None, engine: Engine
) -> None:
    code, out = podium("calendar", "show", "Standard")
    assert code == 1 and "no calendar named 'Standard' (there are: none yet)" in out
    podium("calendar", "create", "Standard")
    podium("calendar", "create", "Plant")
    for command in (
        ("show", "Office"),
        ("holiday-add", "Office", "2031-12-25"),
        ("holiday-remove", "Office", "2031-12-25"),
        ("delete", "Office"),
    ):
        code, out = podium("calendar", *command)
        assert code == 1, command
        assert "no calendar named 'Office' (there are: Plant, Standard)" in out, command
    assert calendars_count(engine) == 2


def test_list_shows_the_week_the_next_holiday_and_the_users(
    cli_env: None, engine: Engine, db: Session
) -> None:
    code, out = podium("calendar", "list")
    assert code == 0 and "No calendar yet" in out
    today = datetime.now(UTC).astimezone().date()  # the day the command reads as today
    podium("calendar", "create", "Standard")
    podium("calendar", "create", "Plant", "--workdays", "Mon,Tue,Wed,Thu,Fri,Sat")
    podium("calendar", "holiday-add", "Standard", str(today - timedelta(days=30)), "--name", "Gone")
    podium("calendar", "holiday-add", "Standard", str(today + timedelta(days=40)), "--name", "Far")
    podium("calendar", "holiday-add", "Standard", str(today + timedelta(days=9)), "--name", "Next")
    podium("calendar", "workday-add", "Standard", "2031-01-04", "--name", "Cutover")
    podium("calendar", "workday-add", "Standard", "2031-01-11")
    standard = stored(engine, "Standard")
    assert standard is not None
    program = make_program(db, key="CLOUD", calendar_id=standard.id)
    project = make_project(db, program, "DATA", calendar_id=standard.id)
    make_task(db, project, "DATA-1", calendar_id=standard.id)
    make_task(db, project, "DATA-2", calendar_id=standard.id)
    db.add(Resource(key="nadia", name="Nadia Haddad", calendar_id=standard.id))
    db.commit()
    code, out = podium("calendar", "list")
    assert code == 0, out
    assert "2 calendar(s)" in out
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if "│" in line}
    cells = [c.strip() for c in rows["Standard"].split("│")[2:-1]]
    assert cells == [
        "Mon–Fri",
        "3",
        f"{today + timedelta(days=9)} Next",
        "2",
        "1 program, 1 project, 2 tasks, 1 resource",
    ]
    cells = [c.strip() for c in rows["Plant"].split("│")[2:-1]]
    assert cells == ["Mon–Sat", "0", "", "0", ""]
    assert "extra days" in out


def test_show_lists_every_holiday_and_who_uses_the_calendar(
    cli_env: None, engine: Engine, db: Session
) -> None:
    podium("calendar", "create", "Standard", "--description", "Head office, France")
    podium("calendar", "holiday-add", "Standard", "2031-12-25", "--name", "Christmas")
    podium("calendar", "holiday-add", "Standard", "2031-05-01", "--name", "Labour Day")
    code, out = podium("calendar", "show", "standard")
    assert code == 0, out
    assert "Head office, France" in out and "Worked: Mon–Fri" in out and "2 holidays" in out
    dated = [line for line in out.splitlines() if "2031-" in line]
    assert [line.split("│")[1:4] for line in dated] == [
        [" 2031-05-01 ", " Thu     ", " Labour Day "],
        [" 2031-12-25 ", " Thu     ", " Christmas  "],
    ]
    assert "No extra working days." in out
    assert "Used by nothing: it can be deleted." in out
    standard = stored(engine, "Standard")
    assert standard is not None
    cloud = make_program(db, key="CLOUD", calendar_id=standard.id)
    make_program(db, key="OPS", calendar_id=standard.id)
    project = make_project(db, cloud, "DATA", calendar_id=standard.id)
    make_task(db, project, "DATA-1", calendar_id=standard.id)
    db.add(Resource(key="nadia", name="Nadia Haddad", calendar_id=standard.id))
    db.commit()
    code, out = podium("calendar", "show", "Standard")
    assert code == 0, out
    assert "Used by programs CLOUD, OPS; project CLOUD/DATA; 1 task; resource nadia." in out


def test_delete_removes_an_unused_calendar_and_refuses_one_in_use(
    cli_env: None, engine: Engine, db: Session
) -> None:
    podium("calendar", "create", "Standard")
    podium("calendar", "create", "Spare")
    standard = stored(engine, "Standard")
    assert standard is not None
    make_program(db, key="CLOUD", calendar_id=standard.id)
    code, out = podium("calendar", "delete", "Standard")
    assert code == 1
    assert "calendar Standard is in use by program CLOUD" in out
    assert stored(engine, "Standard") is not None
    code, out = podium("calendar", "delete", "SPARE")
    assert code == 0 and "Deleted calendar Spare." in out
    assert stored(engine, "Spare") is None and calendars_count(engine) == 1


def _task_on_standard(engine: Engine, db: Session, *, duration: int) -> Callable[[], date | None]:
    """A calendar Standard, made with the CLI, and program CLOUD on it with one task
    DATA-1 of ``duration`` days, scheduled; answers a reader of the task's finish."""
    podium("calendar", "create", "Standard")
    standard = stored(engine, "Standard")
    assert standard is not None
    program = make_program(db, key="CLOUD", start_date=date(2027, 1, 4), calendar_id=standard.id)
    make_task(db, make_project(db, program, "DATA"), "DATA-1", duration=duration)
    # the task is stored unscheduled: a far-off holiday gives it its first dates
    podium("calendar", "holiday-add", "Standard", "2031-01-01")

    def finish() -> date | None:
        with Session(engine) as session:
            return session.scalar(select(Task.early_finish).where(Task.key == "DATA-1"))

    return finish


def test_a_new_holiday_reschedules_the_programs_using_the_calendar(
    cli_env: None, engine: Engine, db: Session
) -> None:
    finish = _task_on_standard(engine, db, duration=5)
    assert finish() == date(2027, 1, 8)
    code, out = podium("calendar", "holiday-add", "Standard", "2027-01-05", "--name", "Bridge")
    assert code == 0, out
    assert finish() == date(2027, 1, 11)
    code, out = podium("calendar", "holiday-remove", "Standard", "2027-01-05")
    assert code == 0, out
    assert finish() == date(2027, 1, 8)


BANK_HOLIDAYS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:1@test\r\nDTSTART;VALUE=DATE:20311225\r\n"
    "DTEND;VALUE=DATE:20311227\r\nSUMMARY:Christmas\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:2@test\r\nDTSTART:20310310T100000Z\r\nSUMMARY:Meeting\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_holiday_import_adds_an_icalendar_files_days_and_keeps_those_known(
    cli_env: None, engine: Engine, tmp_path: Path
) -> None:
    podium("calendar", "create", "Standard")
    podium("calendar", "holiday-add", "Standard", "2031-12-25")  # known, without a name
    podium("calendar", "holiday-add", "Standard", "2031-01-01", "--name", "New Year")
    feed = tmp_path / "bank-holidays.ics"
    feed.write_text(BANK_HOLIDAYS, encoding="utf-8")
    code, out = podium("calendar", "holiday-import", "standard", str(feed))
    assert code == 0, out
    assert "Added 1 holiday to Standard (1 already there): 3 holidays." in out
    assert "1 timed event(s) skipped" in out
    assert holidays(engine, "Standard") == [
        {"date": "2031-01-01", "name": "New Year"},
        {"date": "2031-12-25", "name": "Christmas"},  # the file names the known day
        {"date": "2031-12-26", "name": "Christmas"},
    ]


def test_holiday_import_of_a_bad_file_changes_nothing(
    cli_env: None, engine: Engine, tmp_path: Path
) -> None:
    podium("calendar", "create", "Standard")
    bad = tmp_path / "not-a-calendar.ics"
    bad.write_text("hello", encoding="utf-8")
    code, out = podium("calendar", "holiday-import", "Standard", str(bad))
    assert code == 1 and "not an iCalendar file" in out
    assert holidays(engine, "Standard") == []
    code, out = podium("calendar", "holiday-import", "Standard", str(tmp_path / "missing.ics"))
    assert code == 2 and "does not exist" in out


# --- extra working days ----------------------------------------------------------------


def test_extra_working_days_are_added_and_removed_and_show_lists_them(
    cli_env: None, engine: Engine
) -> None:
    podium("calendar", "create", "Standard")
    code, out = podium("calendar", "workday-add", "standard", "2031-01-11", "--name", "Cutover")
    assert code == 0, out
    assert "Added 2031-01-11 (Sat) Cutover to Standard: 1 extra working day." in out
    assert "anyway" not in out
    code, out = podium("calendar", "workday-add", "Standard", "2031-01-04")
    assert code == 0 and "2031-01-04 (Sat) to Standard: 2 extra working days." in out
    code, out = podium(
        "calendar", "workday-add", "Standard", "2031-01-08", "--name", "Already worked"
    )
    assert code == 0, out
    assert "Wed is worked in this calendar anyway: it changes nothing." in out
    assert extra_workdays(engine, "Standard") == [
        {"date": "2031-01-04", "name": ""},
        {"date": "2031-01-08", "name": "Already worked"},
        {"date": "2031-01-11", "name": "Cutover"},
    ]

    code, out = podium("calendar", "show", "Standard")
    assert code == 0, out
    assert "3 extra working days" in out and "No holidays." in out
    dated = [line for line in out.splitlines() if "2031-" in line]
    assert [[cell.strip() for cell in line.split("│")[1:5]] for line in dated] == [
        ["2031-01-04", "Sat", "", ""],
        ["2031-01-08", "Wed", "Already worked", "worked anyway: changes nothing"],
        ["2031-01-11", "Sat", "Cutover", ""],
    ]

    code, out = podium("calendar", "workday-remove", "STANDARD", "2031-01-11")
    assert code == 0, out
    assert "Removed 2031-01-11 Cutover from Standard: 2 extra working days left." in out
    assert [e["date"] for e in extra_workdays(engine, "Standard")] == ["2031-01-04", "2031-01-08"]
    assert holidays(engine, "Standard") == []


def test_an_extra_working_day_already_listed_on_a_holiday_or_not_listed_is_refused(
    cli_env: None, engine: Engine
) -> None:
    podium("calendar", "create", "Standard")
    podium("calendar", "workday-add", "Standard", "2031-01-11", "--name", "Cutover")
    podium("calendar", "holiday-add", "Standard", "2031-12-27", "--name", "Boxing Day (sub)")
    before = stored(engine, "Standard")
    assert before is not None
    refusals = [
        (
            ("workday-add", "Standard", "2031-01-11", "--name", "Again"),
            "2031-01-11 is already an extra working day in Standard (Cutover)",
        ),
        (
            ("workday-add", "Standard", "2031-12-27"),
            "2031-12-27 is a holiday in Standard (Boxing Day (sub)): remove it first",
        ),
        (
            ("holiday-add", "Standard", "2031-01-11"),
            "2031-01-11 is an extra working day in Standard (Cutover): remove it first",
        ),
        (
            ("workday-add", "Standard", "2031-01-18", "--name", "x" * 201),
            "--name is at most 200 characters, not 201",
        ),
        (
            ("workday-remove", "Standard", "2031-01-18"),
            "2031-01-18 is not an extra working day in Standard",
        ),
        (("workday-add", "Standard", "18/01/2031"), "DATE must be YYYY-MM-DD, not '18/01/2031'"),
        (("workday-remove", "Standard", "2031-02-30"), "DATE must be YYYY-MM-DD, not '2031-02-30'"),
        (
            ("workday-add", "Office", "2031-01-18"),
            "no calendar named 'Office' (there are: Standard)",
        ),
        (
            ("workday-remove", "Office", "2031-01-11"),
            "no calendar named 'Office' (there are: Standard)",
        ),
    ]
    for command, message in refusals:
        code, out = podium("calendar", *command)
        assert code == 1, (command, out)
        assert message in " ".join(out.split()), (command, out)
        assert "Traceback" not in out
    after = stored(engine, "Standard")
    assert after is not None and after.version == before.version
    assert after.extra_workdays == [{"date": "2031-01-11", "name": "Cutover"}]
    assert after.holidays == [{"date": "2031-12-27", "name": "Boxing Day (sub)"}]


def test_a_calendar_takes_at_most_five_thousand_extra_working_days(
    cli_env: None, engine: Engine, db: Session
) -> None:
    first = date(2030, 1, 5)  # a Saturday: one a week
    full = Calendar(
        name="Busy",
        weekmask="1111100",
        holidays=[],
        extra_workdays=[
            {"date": (first + timedelta(weeks=k)).isoformat(), "name": ""} for k in range(5_000)
        ],
    )
    db.add(full)
    db.commit()
    code, out = podium("calendar", "workday-add", "Busy", "2020-01-04")
    assert code == 1 and "Traceback" not in out
    assert "a calendar has at most 5000 extra working days, not 5001" in out
    assert len(extra_workdays(engine, "Busy")) == 5_000


def test_an_extra_saturday_reschedules_the_programs_using_the_calendar(
    cli_env: None, engine: Engine, db: Session
) -> None:
    finish = _task_on_standard(engine, db, duration=10)
    assert finish() == date(2027, 1, 15)  # ten days: Mon 4 – Fri 15 Jan
    code, out = podium("calendar", "workday-add", "Standard", "2027-01-09", "--name", "Cutover")
    assert code == 0, out
    assert finish() == date(2027, 1, 14)  # 4–8, Sat 9, 11–14
    code, out = podium("calendar", "workday-remove", "Standard", "2027-01-09")
    assert code == 0, out
    assert finish() == date(2027, 1, 15)
