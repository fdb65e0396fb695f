"""The organisation's calendars: list, add with named holidays and extra working days,
edit (which reschedules the programs that use the calendar), delete, and who may do what."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Calendar, User
from podium.services import programs
from podium.services.actor import Actor
from podium.services.uow import complete
from tests.browser.conftest import screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]
_numbers = itertools.count(1)


def _use_calendar(engine: Engine, people: WorkPeople, program: WorkProgram, name: str) -> None:
    """Make the calendar named ``name`` ``program``'s default calendar (as its owner)."""
    db = session_factory(engine)()
    try:
        rosa = db.scalar(select(User).where(User.email == people.emails["rosa"]))
        calendar_id = db.scalar(select(Calendar.id).where(Calendar.name == name))
        assert rosa is not None and calendar_id is not None
        programs.update_program(db, Actor.of(rosa), program.id, {"calendar_id": calendar_id})
        complete(db)
    finally:
        db.close()


def add_calendar(
    page: Page, name: str, holidays: Sequence[tuple[str, str]] = (), *, description: str = ""
) -> str:
    """Add a calendar on the page (its name, description and dated, named holidays);
    the address of its page."""
    page.goto("/calendars/new")
    form = page.get_by_test_id("calendar-form")
    form.get_by_label("Name", exact=True).fill(name)
    if description:
        form.get_by_label("Description").fill(description)
    for k, (day, label) in enumerate(holidays, 1):
        form.get_by_label(f"Date of holiday {k}").fill(day)
        form.get_by_label(f"Name of holiday {k}").fill(label)
    form.get_by_role("button", name="Add calendar").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Calendar added")
    return page.url.split("?")[0]


def test_a_manager_adds_a_calendar_with_named_holidays_and_errors_beside_their_rows(
    page_as: OpenPage,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    page.goto(f"/programs/{work_program.id}")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendars").click()
    expect(page.get_by_role("heading", name="Calendars", level=1)).to_be_visible()
    page.get_by_test_id("add-calendar").click()

    name = f"Four-day week {next(_numbers)}"
    form = page.get_by_test_id("calendar-form")
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_label("Fri").uncheck()
    form.get_by_label("Date of holiday 1").fill("2027-12-27")
    form.get_by_label("Name of holiday 1").fill("Christmas (observed)")
    form.get_by_label("Date of holiday 2").fill("2027-12-27")
    form.get_by_label("Name of holiday 2").fill("Listed twice")
    form.get_by_label("Date of holiday 3").fill("2027-01-01")
    form.get_by_label("Name of holiday 3").fill("New Year's Day")
    form.get_by_role("button", name="Add calendar").click()
    expect(page.locator("#f-holidays_1_date-error")).to_contain_text("already listed in row 1")

    form = page.get_by_test_id("calendar-form")
    expect(form.get_by_label("Fri")).not_to_be_checked()  # the form keeps what was sent
    form.get_by_label("Date of holiday 2").fill("")
    form.get_by_label("Name of holiday 2").fill("")
    for day in ("Mon", "Tue", "Wed", "Thu"):
        form.get_by_label(day).uncheck()
    form.get_by_role("button", name="Add calendar").click()
    expect(page.locator("#f-workdays-error")).to_contain_text("At least one weekday must be worked")

    form = page.get_by_test_id("calendar-form")
    for day in ("Mon", "Tue", "Wed", "Thu"):
        form.get_by_label(day).check()
    form.get_by_role("button", name="Add calendar").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Calendar added")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_test_id("calendar-facts")).to_contain_text("Works Mon–Thu")
    expect(page.get_by_test_id("calendar-facts")).to_contain_text("2 holidays")
    holidays = page.get_by_test_id("calendar-holidays")
    expect(holidays.locator('tr[data-date="2027-01-01"]')).to_contain_text("New Year's Day")
    # 31 December 2027 is a Friday: not worked in a four-day week anyway
    expect(holidays.locator('tr[data-date="2027-12-27"]')).to_contain_text("Christmas (observed)")
    expect(page.get_by_test_id("calendar-users")).to_contain_text("No program")

    page.get_by_role("link", name="Calendars", exact=True).first.click()
    row = page.get_by_test_id("calendars").locator(f'tr[data-name="{name}"]')
    expect(row).to_contain_text("Mon–Thu")
    expect(row).to_contain_text("nothing")


def test_a_holiday_added_on_the_page_moves_the_work_of_the_programs_using_it(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
) -> None:
    page = page_as(work_people.emails["rosa"])
    name = f"Office {next(_numbers)}"
    calendar_url = add_calendar(page, name)
    _use_calendar(web_engine, work_people, work_program, name)

    design = f"/tasks/{work_program.task_ids['APP-1']}"
    page.goto(design)  # Design, 5 days from Monday 1 March 2027
    expect(page.get_by_test_id("early-finish")).to_contain_text("5 Mar 2027")

    page.goto(calendar_url)
    expect(page.get_by_test_id("calendar-users")).to_contain_text(work_program.key)
    page.get_by_test_id("edit-calendar").click()
    form = page.get_by_test_id("calendar-form")
    form.get_by_label("Date of holiday 1").fill("2027-03-03")
    form.get_by_label("Name of holiday 1").fill("Office move")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    expect(page.get_by_test_id("calendar-holidays")).to_contain_text("Office move")

    page.goto(design)
    expect(page.get_by_test_id("early-finish")).to_contain_text("8 Mar 2027")

    # in use, it cannot be deleted, and the page says by what
    page.goto(calendar_url)
    page.get_by_test_id("delete-calendar").get_by_role("button").click()
    expect(page.get_by_test_id("calendar-error")).to_contain_text(f"program {work_program.key}")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_a_calendar_nothing_uses_is_deleted(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])  # a program's owner: she edits calendars
    name = f"Temporary {next(_numbers)}"
    add_calendar(page, name)
    page.get_by_test_id("delete-calendar").get_by_role("button").click()
    expect(page.get_by_role("heading", name="Calendars", level=1)).to_be_visible()
    expect(page.get_by_test_id("calendars").locator(f'tr[data-name="{name}"]')).to_have_count(0)


def test_a_stale_edit_is_refused_not_saved_over_the_newer_one(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    first = page_as(work_people.emails["rosa"])
    second = page_as(work_people.emails["rosa"])
    name = f"Shared {next(_numbers)}"
    add_calendar(first, name)
    first.get_by_test_id("edit-calendar").click()
    second.goto(first.url)

    first.get_by_test_id("calendar-form").get_by_label("Date of holiday 1").fill("2027-05-03")
    first.get_by_role("button", name="Save changes").click()
    expect(first.get_by_test_id("flash")).to_contain_text("Saved")

    second.get_by_test_id("calendar-form").get_by_label("Date of holiday 1").fill("2027-05-31")
    second.get_by_role("button", name="Save changes").click()
    expect(second.get_by_role("alert")).to_contain_text("changed")
    second.goto(first.url.replace("/edit", ""))
    holidays = second.get_by_test_id("calendar-holidays")
    expect(holidays.locator('tr[data-date="2027-05-03"]')).to_have_count(1)
    expect(holidays.locator('tr[data-date="2027-05-31"]')).to_have_count(0)


def test_a_member_reads_calendars_but_cannot_change_them(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["sam"])
    page.goto("/calendars")
    expect(page.get_by_role("heading", name="Calendars", level=1)).to_be_visible()
    expect(page.get_by_test_id("add-calendar")).to_have_count(0)
    page.goto("/calendars/new")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_screenshots_of_the_calendar_pages(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    name = f"UK office {next(_numbers)}"
    named = [
        ("2027-01-01", "New Year's Day"),
        ("2027-03-26", "Good Friday"),
        ("2027-03-29", "Easter Monday"),
        ("2027-05-03", "Early May bank holiday"),
    ]
    add_calendar(page, name, named[:3], description="Bank holidays in England and Wales.")
    page.get_by_test_id("edit-calendar").click()
    form = page.get_by_test_id("calendar-form")
    form.get_by_label("Date of holiday 4").fill(named[3][0])
    form.get_by_label("Name of holiday 4").fill(named[3][1])
    form.get_by_label("Date of extra working day 1").fill("2027-03-27")
    form.get_by_label("Name of extra working day 1").fill("Data centre cutover")
    screenshot(page, "calendars-form.png", full_page=True)
    form.get_by_role("button", name="Save changes").click()
    _use_calendar(web_engine, work_people, work_program, name)
    page.reload()
    expect(page.get_by_test_id("calendar-holidays")).to_contain_text("Early May bank holiday")
    expect(page.get_by_test_id("calendar-extra-workdays")).to_contain_text("Data centre cutover")
    screenshot(page, "calendars-detail.png", full_page=True)
    page.goto("/calendars")
    screenshot(page, "calendars-list.png", full_page=True)


BANK_HOLIDAYS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    b"BEGIN:VEVENT\r\nUID:1@test\r\nDTSTART;VALUE=DATE:20270830\r\n"
    b"DTEND;VALUE=DATE:20270831\r\nSUMMARY:Summer bank holiday\r\nEND:VEVENT\r\n"
    b"BEGIN:VEVENT\r\nUID:2@test\r\nDTSTART;VALUE=DATE:20271227\r\n"
    b"DTEND;VALUE=DATE:20271229\r\nSUMMARY:Christmas (substitute days)\r\nEND:VEVENT\r\n"
    b"BEGIN:VEVENT\r\nUID:3@test\r\nDTSTART:20270310T100000Z\r\nSUMMARY:Board meeting\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_holidays_are_imported_from_an_icalendar_file_and_a_bad_file_changes_nothing(
    page_as: OpenPage,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    name = f"Imported {next(_numbers)}"
    add_calendar(page, name, [("2027-08-30", "Late summer holiday")])  # the file has it too

    upload = page.get_by_test_id("import-holidays")
    upload.get_by_label("Add holidays from an iCalendar file").set_input_files(
        files=[{"name": "not-a-calendar.ics", "mimeType": "text/calendar", "buffer": b"hello"}]
    )
    upload.get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("calendar-error")).to_contain_text("Not an iCalendar file")
    expect(page.get_by_test_id("calendar-facts")).to_contain_text("1 holiday")

    upload = page.get_by_test_id("import-holidays")
    upload.get_by_label("Add holidays from an iCalendar file").set_input_files(
        files=[{"name": "bank-holidays.ics", "mimeType": "text/calendar", "buffer": BANK_HOLIDAYS}]
    )
    upload.get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("flash")).to_contain_text(
        "2 holidays added from bank-holidays.ics (1 already there)"
    )
    expect(page.get_by_test_id("import-note")).to_contain_text("1 timed event(s) skipped")
    holidays = page.get_by_test_id("calendar-holidays")
    expect(holidays.locator('tr[data-date="2027-08-30"]')).to_contain_text("Late summer holiday")
    expect(holidays.locator('tr[data-date="2027-12-28"]')).to_contain_text("substitute days")
    expect(page.get_by_test_id("calendar-facts")).to_contain_text("3 holidays")


def test_extra_working_days_are_edited_on_the_form_and_move_the_work_of_the_programs(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    name = f"Cutover weekends {next(_numbers)}"
    calendar_url = add_calendar(page, name, [("2027-03-03", "Office move")])
    expect(page.get_by_test_id("calendar-extra-workdays")).to_contain_text("No extra working days")
    _use_calendar(web_engine, work_people, work_program, name)
    design = f"/tasks/{work_program.task_ids['APP-1']}"
    page.goto(design)  # Design, 5 days from Monday 1 March 2027, Wednesday 3 off
    expect(page.get_by_test_id("early-finish")).to_contain_text("8 Mar 2027")

    page.goto(calendar_url)
    page.get_by_test_id("edit-calendar").click()
    form = page.get_by_test_id("calendar-form")
    form.get_by_label("Date of extra working day 1").fill("2027-03-06")
    form.get_by_label("Name of extra working day 1").fill("Cutover")
    form.get_by_label("Date of extra working day 2").fill("2027-03-06")
    form.get_by_role("button", name="Save changes").click()
    expect(page.locator("#f-extra_workdays_1_date-error")).to_have_text(
        "2027-03-06 is already listed in row 1."
    )

    # the form keeps what was sent, with two new blank rows
    form = page.get_by_test_id("calendar-form")
    expect(form.get_by_label("Name of extra working day 1")).to_have_value("Cutover")
    expect(form.get_by_label("Date of extra working day 4")).to_have_value("")
    form.get_by_label("Date of extra working day 2").fill("2027-03-03")  # the office move
    form.get_by_label("Name of extra working day 2").fill("Catch-up")
    form.get_by_role("button", name="Save changes").click()
    error = page.locator("#f-extra_workdays_1_date-error")
    expect(error).to_contain_text("both a holiday (Office move) and an extra working day")
    expect(error).to_contain_text("(Catch-up)")
    screenshot(page, "calendars-extra-workdays-error.png", full_page=True)

    form = page.get_by_test_id("calendar-form")
    form.get_by_label("Date of extra working day 2").fill("2027-03-10")  # a Wednesday
    form.get_by_label("Name of extra working day 2").fill("Already worked")
    form.get_by_label("Date of extra working day 3").fill("2026-01-03")  # a past Saturday
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    expect(page.get_by_test_id("calendar-facts")).to_contain_text("3 extra working days")
    extra = page.get_by_test_id("calendar-extra-workdays")
    expect(extra.locator("tbody tr")).to_have_count(3)
    saturday = extra.locator('tr[data-date="2027-03-06"]')
    expect(saturday).to_contain_text("Sat")
    expect(saturday).to_contain_text("Cutover")
    expect(saturday).not_to_contain_text("anyway")
    expect(extra.locator('tr[data-date="2027-03-10"]')).to_contain_text("a working day anyway")
    expect(extra.locator('tr[data-date="2026-01-03"]')).to_have_class("cal-past")
    expect(saturday).not_to_have_class("cal-past")
    screenshot(page, "calendars-extra-workdays-detail.png", full_page=True)

    page.goto(design)  # Mon 1, Tue 2, Thu 4, Fri 5 and the cutover Saturday
    expect(page.get_by_test_id("early-finish")).to_contain_text("6 Mar 2027")

    page.goto("/calendars")
    row = page.get_by_test_id("calendars").locator(f'tr[data-name="{name}"]')
    expect(row.get_by_test_id("extra-workdays-count")).to_have_text("3")

    # removing the rows takes the days away, and the work moves back
    page.goto(f"{calendar_url}/edit")
    form = page.get_by_test_id("calendar-form")
    for k in (1, 2, 3):
        form.get_by_label(f"Date of extra working day {k}").fill("")
        form.get_by_label(f"Name of extra working day {k}").fill("")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("calendar-extra-workdays")).to_contain_text("No extra working days")
    page.goto(design)
    expect(page.get_by_test_id("early-finish")).to_contain_text("8 Mar 2027")


def test_a_stale_form_of_extra_working_days_is_412_and_saves_nothing(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    first = page_as(work_people.emails["rosa"])
    second = page_as(work_people.emails["rosa"])
    name = f"Weekend shifts {next(_numbers)}"
    add_calendar(first, name)
    first.get_by_test_id("edit-calendar").click()
    second.goto(first.url)

    first.get_by_test_id("calendar-form").get_by_label("Date of extra working day 1").fill(
        "2027-05-08"
    )
    first.get_by_role("button", name="Save changes").click()
    expect(first.get_by_test_id("flash")).to_contain_text("Saved")

    second.get_by_test_id("calendar-form").get_by_label("Date of extra working day 1").fill(
        "2027-05-15"
    )
    with second.expect_response(lambda r: r.request.method == "POST") as answer:
        second.get_by_role("button", name="Save changes").click()
    assert answer.value.status == 412
    expect(second.get_by_role("alert")).to_contain_text("changed")
    second.goto(first.url.replace("/edit", ""))
    extra = second.get_by_test_id("calendar-extra-workdays")
    expect(extra.locator('tr[data-date="2027-05-08"]')).to_have_count(1)
    expect(extra.locator('tr[data-date="2027-05-15"]')).to_have_count(0)
