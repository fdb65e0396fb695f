"""The Members tab in a real browser: an owner adds, changes and removes members (and is
told why when a change is refused); members and viewers read the list and the roles'
legend, with no forms, and a post of theirs is refused."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Membership, Role, User
from podium.services import programs, scenarios
from podium.services.actor import SYSTEM, Actor
from tests.browser.conftest import World, screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram
from tests.factories import make_user

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]
Watch = Callable[[Page], list[str]]
_newcomers = itertools.count(1)


@pytest.fixture
def newcomer(web_engine: Engine) -> str:
    """The email of someone with an account who belongs to no program yet."""
    db = session_factory(web_engine)()
    try:
        user = make_user(db, email=f"newcomer{next(_newcomers)}@example.com", name="Nadia Kaur")
        return user.email
    finally:
        db.close()


def roles_in(engine: Engine, program_id: int) -> dict[str, str]:
    """Email → role of the program's members, as stored."""
    db = session_factory(engine)()
    try:
        rows = db.execute(
            select(User.email, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.program_id == program_id)
        )
        return {email: role.value for email, role in rows}
    finally:
        db.close()


def add_member(engine: Engine, program_id: int, email: str, role: Role) -> None:
    db = session_factory(engine)()
    try:
        programs.add_member(db, SYSTEM, program_id, email=email, role=role)
        db.commit()
    finally:
        db.close()


def set_role(engine: Engine, program_id: int, email: str, role: Role) -> None:
    """Someone else changes a member's role (in another session than the page's)."""
    db = session_factory(engine)()
    try:
        user_id = db.scalar(select(User.id).where(User.email == email))
        assert user_id is not None
        programs.change_member_role(db, SYSTEM, program_id, user_id, role)
        db.commit()
    finally:
        db.close()


def open_members(page: Page, program_id: int) -> None:
    page.goto(f"/programs/{program_id}/members")
    expect(page.get_by_role("heading", name="Members", level=2)).to_be_visible()


def row_of(page: Page, email: str) -> Locator:
    return page.locator(f"tr[data-member-email='{email}']")


def csrf_of(page: Page) -> str:
    return page.locator('meta[name="csrf-token"]').get_attribute("content") or ""


def test_an_owner_adds_a_member_who_can_then_open_the_program(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    newcomer: str,
    console_errors: Watch,
) -> None:
    outsider = page_as(newcomer)
    before = outsider.goto(f"/programs/{work_program.id}")
    assert before is not None and before.status == 404

    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    page.goto(f"/programs/{work_program.id}")
    tabs = page.get_by_role("navigation", name="Program sections")
    tabs.get_by_role("link", name="Members").click()
    expect(page).to_have_url(f"/programs/{work_program.id}/members")
    expect(page.get_by_test_id("members").locator("tbody tr")).to_have_count(3)

    form = page.get_by_test_id("add-member-form")
    form.get_by_label("Email").fill(newcomer.upper())  # addresses are matched in any case
    form.get_by_label("Role", exact=True).select_option("manager")
    form.get_by_role("button", name="Add member").click()

    expect(page.get_by_test_id("flash")).to_have_text(f"Added Nadia Kaur ({newcomer}) as manager.")
    row = row_of(page, newcomer)
    expect(row).to_have_attribute("data-role", "manager")
    expect(row.get_by_label("Role of Nadia Kaur")).to_have_value("manager")
    assert roles_in(web_engine, work_program.id)[newcomer] == "manager"

    opened = outsider.goto(f"/programs/{work_program.id}")
    assert opened is not None and opened.status == 200
    expect(outsider.get_by_role("heading", level=1)).to_contain_text("Customer portal")


def test_an_unknown_a_malformed_and_a_present_email_are_refused_beside_the_field(
    page_as: OpenPage, web_engine: Engine, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    open_members(page, work_program.id)
    cases = (
        ("nobody@example.com", "No user with email nobody@example.com.", 422),
        ("not-an-email", "Enter an email address, like name@example.com.", 422),
        (work_people.emails["sam"], f"{work_people.emails['sam']} is already a member", 409),
    )
    for email, message, status in cases:
        form = page.get_by_test_id("add-member-form")
        form.get_by_label("Email").fill(email)
        form.get_by_label("Role", exact=True).select_option("viewer")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            form.get_by_role("button", name="Add member").click()
        assert answer.value.status == status, email

        form = page.get_by_test_id("add-member-form")
        error = form.locator("[data-error-for='email']")
        expect(error).to_contain_text(message)
        email_field = form.get_by_label("Email")
        expect(email_field).to_have_value(email)
        expect(email_field).to_have_attribute("aria-invalid", "true")
        expect(form.get_by_label("Role", exact=True)).to_have_value("viewer")  # kept as chosen
        expect(page.get_by_test_id("flash")).to_have_count(0)

    assert roles_in(web_engine, work_program.id) == {
        work_people.emails["rosa"]: "owner",
        work_people.emails["sam"]: "member",
        work_people.emails["uma"]: "viewer",
    }


def test_an_owner_changes_a_role_and_a_form_read_before_another_change_is_refused(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Watch,
) -> None:
    sam = work_people.emails["sam"]
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    open_members(page, work_program.id)

    row_of(page, sam).get_by_label("Role of Sam Tran").select_option("manager")
    row_of(page, sam).get_by_role("button", name="Change").click()
    expect(page.get_by_test_id("flash")).to_have_text(f"Sam Tran ({sam}) is now manager.")
    expect(row_of(page, sam)).to_have_attribute("data-role", "manager")
    assert roles_in(web_engine, work_program.id)[sam] == "manager"

    set_role(web_engine, work_program.id, sam, Role.VIEWER)  # while the page is open
    row_of(page, sam).get_by_label("Role of Sam Tran").select_option("owner")
    row_of(page, sam).get_by_role("button", name="Change").click()

    expect(page.get_by_test_id("row-error")).to_contain_text("changed by someone else")
    expect(page.get_by_test_id("flash")).to_have_count(0)
    expect(row_of(page, sam)).to_have_attribute("data-role", "viewer")  # as it is now
    expect(row_of(page, sam).get_by_label("Role of Sam Tran")).to_have_value("viewer")
    assert roles_in(web_engine, work_program.id)[sam] == "viewer"  # not overwritten

    row_of(page, sam).get_by_label("Role of Sam Tran").select_option("owner")
    row_of(page, sam).get_by_role("button", name="Change").click()  # on the fresh version
    expect(page.get_by_test_id("flash")).to_have_text(f"Sam Tran ({sam}) is now owner.")
    assert roles_in(web_engine, work_program.id)[sam] == "owner"
    # Sam is a plain member everywhere else: an owner may edit calendars and resources,
    # which other tests check Sam may not
    set_role(web_engine, work_program.id, sam, Role.MEMBER)


def test_the_last_owner_can_be_neither_demoted_nor_removed(
    page_as: OpenPage, web_engine: Engine, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    rosa = work_people.emails["rosa"]
    page = page_as(rosa)
    open_members(page, work_program.id)
    expect(row_of(page, rosa).get_by_test_id("you")).to_be_visible()

    row_of(page, rosa).get_by_label("Role of Rosa Quinn").select_option("manager")
    row_of(page, rosa).get_by_role("button", name="Change").click()
    refusal = page.get_by_test_id("row-error")
    expect(refusal).to_have_text("A program must keep at least one owner.")
    expect(row_of(page, rosa).get_by_label("Role of Rosa Quinn")).to_have_value("owner")

    row_of(page, rosa).get_by_role("button", name="Remove").click()
    expect(refusal).to_have_text("A program must keep at least one owner.")
    expect(page.get_by_test_id("members").locator("tr[data-member-email]")).to_have_count(3)
    assert roles_in(web_engine, work_program.id)[rosa] == "owner"


def test_an_owner_removes_a_member_who_then_no_longer_sees_the_program(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Watch,
) -> None:
    uma = work_people.emails["uma"]
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    open_members(page, work_program.id)

    row_of(page, uma).get_by_role("button", name="Remove Uma Patel").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Removed from the program")
    expect(row_of(page, uma)).to_have_count(0)
    expect(page.get_by_test_id("member-count")).to_have_text("2")
    assert uma not in roles_in(web_engine, work_program.id)

    gone = page_as(uma).goto(f"/programs/{work_program.id}/members")
    assert gone is not None and gone.status == 404


def test_an_owner_who_steps_down_or_leaves_lands_on_a_page_not_an_error(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    newcomer: str,
    console_errors: Watch,
) -> None:
    rosa = work_people.emails["rosa"]
    add_member(web_engine, work_program.id, newcomer, Role.OWNER)

    page = page_as(rosa)
    console_errors(page)
    open_members(page, work_program.id)
    row_of(page, rosa).get_by_label("Role of Rosa Quinn").select_option("manager")
    row_of(page, rosa).get_by_role("button", name="Change").click()
    expect(page.get_by_test_id("flash")).to_have_text(f"Rosa Quinn ({rosa}) is now manager.")
    expect(page.get_by_test_id("owners-only")).to_contain_text("Your role here is manager")
    expect(page.get_by_test_id("add-member-form")).to_have_count(0)

    other = page_as(newcomer)
    console_errors(other)
    open_members(other, work_program.id)
    row_of(other, rosa).get_by_label("Role of Rosa Quinn").select_option("owner")
    row_of(other, rosa).get_by_role("button", name="Change").click()
    expect(other.get_by_test_id("flash")).to_contain_text("is now owner")
    row_of(other, newcomer).get_by_role("button", name="Remove").click()

    expect(other).to_have_url("/")
    expect(other.get_by_role("heading", name="Programs", level=1)).to_be_visible()
    expect(other.get_by_text("Customer portal")).to_have_count(0)
    assert roles_in(web_engine, work_program.id) == {
        rosa: "owner",
        work_people.emails["sam"]: "member",
        work_people.emails["uma"]: "viewer",
    }


@pytest.mark.parametrize("who", ["sam", "uma"])
def test_members_and_viewers_read_the_list_without_forms_and_their_posts_are_refused(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    who: str,
) -> None:
    page = page_as(work_people.emails[who])
    open_members(page, work_program.id)

    table = page.get_by_test_id("members")
    expect(table.locator("tr[data-member-email]")).to_have_count(3)
    expect(row_of(page, work_people.emails["rosa"]).get_by_test_id("role")).to_have_text("owner")
    expect(row_of(page, work_people.emails["sam"])).to_contain_text("Sam Tran")
    expect(row_of(page, work_people.emails["uma"]).get_by_test_id("role")).to_have_text("viewer")
    legend = page.get_by_test_id("role-legend")
    expect(legend).to_contain_text("Also reports progress on the tasks assigned to them")
    expect(legend).to_contain_text("Also plans: projects, tasks, milestones, dependencies")
    role = {"sam": "member", "uma": "viewer"}[who]
    expect(page.get_by_test_id("owners-only")).to_contain_text(f"Your role here is {role}")
    expect(page.get_by_test_id("add-member-form")).to_have_count(0)
    expect(page.locator("main form")).to_have_count(0)
    expect(page.locator("main select, main button")).to_have_count(0)

    db = session_factory(web_engine)()
    try:
        rosa_id = db.scalar(select(User.id).where(User.email == work_people.emails["rosa"]))
        me_id = db.scalar(select(User.id).where(User.email == work_people.emails[who]))
    finally:
        db.close()
    base = f"/programs/{work_program.id}/members"
    for path, form in (
        (base, {"email": work_people.emails["rosa"], "role": "owner"}),
        (f"{base}/{me_id}", {"role": "owner", "version": "1"}),
        (f"{base}/{rosa_id}/delete", {}),
    ):
        forged = page.request.post(path, form={"csrf_token": csrf_of(page), **form})
        assert forged.status == 403, path
        assert 'data-testid="error-page"' in forged.text()
    assert roles_in(web_engine, work_program.id)[work_people.emails[who]] == role
    assert work_people.emails["rosa"] in roles_in(web_engine, work_program.id)


def test_someone_outside_the_program_gets_the_not_found_page(
    page_as: OpenPage, world: World, work_program: WorkProgram
) -> None:
    page = page_as(world.emails["cleo"])
    response = page.goto(f"/programs/{work_program.id}/members")
    assert response is not None and response.status == 404
    expect(page.get_by_test_id("error-page")).to_have_attribute("data-status", "404")
    expect(page.get_by_text("Rosa Quinn")).to_have_count(0)


def test_a_scenario_copy_lists_the_live_members_and_refuses_changes(
    page_as: OpenPage, web_engine: Engine, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    db = session_factory(web_engine)()
    try:
        rosa = db.scalars(select(User).where(User.email == work_people.emails["rosa"])).one()
        scenario = scenarios.create_scenario(
            db, Actor.of(rosa), work_program.id, name="Later launch"
        )
        copy_id = scenario.copy_program_id
        db.commit()
    finally:
        db.close()
    assert copy_id is not None

    page = page_as(work_people.emails["rosa"])
    open_members(page, copy_id)
    expect(page.get_by_test_id("scenario-banner")).to_be_visible()
    expect(page.get_by_test_id("copy-note")).to_be_visible()
    expect(page.get_by_test_id("members").locator("tr[data-member-email]")).to_have_count(3)
    expect(page.get_by_test_id("add-member-form")).to_have_count(0)

    forged = page.request.post(
        f"/programs/{copy_id}/members",
        form={"csrf_token": csrf_of(page), "email": work_people.emails["sam"], "role": "owner"},
    )
    assert forged.status == 409
    assert "scenario" in forged.text() and "change them there" in forged.text()
    assert roles_in(web_engine, copy_id) == {}
    page.get_by_test_id("copy-note").get_by_role("link", name="Change them there").click()
    expect(page).to_have_url(f"/programs/{work_program.id}/members")
    expect(page.get_by_test_id("add-member-form")).to_be_visible()


def test_screenshot_of_the_members_tab(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram, newcomer: str
) -> None:
    page = page_as(work_people.emails["rosa"])
    open_members(page, work_program.id)
    form = page.get_by_test_id("add-member-form")
    form.get_by_label("Email").fill(newcomer)
    form.get_by_label("Role", exact=True).select_option("manager")
    form.get_by_role("button", name="Add member").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Added Nadia Kaur")
    expect(page.get_by_test_id("members").locator("tr[data-member-email]")).to_have_count(4)
    screenshot(page, "members.png", full_page=True)
