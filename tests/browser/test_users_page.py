"""The Users pages (admins): the list and its search, adding an account, renaming it,
making it an admin, deactivating it (its browsers are signed out), a new password,
the last active admin kept, a stale form refused; everyone else gets the 403 page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Membership, Role, User
from podium.services import users
from podium.services.actor import SYSTEM
from podium.services.uow import complete
from tests.browser.conftest import VIEWPORT, World, new_person, screenshot, sign_in
from tests.factories import PASSWORD, make_program

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]


def _person_id(engine: Engine, email: str) -> int:
    db = session_factory(engine)()
    try:
        user_id = db.scalar(select(User.id).where(User.email == email))
        assert user_id is not None
        return user_id
    finally:
        db.close()


def _account(engine: Engine, user_id: int) -> User:
    db = session_factory(engine)()
    try:
        user = db.get(User, user_id)
        assert user is not None
        db.expunge(user)
        return user
    finally:
        db.close()


def _csrf_of(page: Page) -> str:
    return page.locator('meta[name="csrf-token"]').get_attribute("content") or ""


def test_someone_not_an_admin_has_no_users_link_and_gets_the_403_page(
    page_as: OpenPage, world: World, web_engine: Engine
) -> None:
    page = page_as(world.emails["ben"])
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Calendars")).to_be_visible()
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)

    ben = _person_id(web_engine, world.emails["ben"])
    for path in ("/users", f"/users/{ben}"):  # not even their own account's admin page
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    forged = page.request.post(
        f"/users/{ben}",
        form={"csrf_token": _csrf_of(page), "name": "Ben", "is_admin": "1", "is_active": "1"},
    )
    assert forged.status == 403
    assert not _account(web_engine, ben).is_admin


def test_an_admin_adds_a_user_with_errors_beside_their_fields(
    page_as: OpenPage,
    browser: Browser,
    live_server: str,
    web_engine: Engine,
    world: World,
    console_errors: Callable[[Page], list[str]],
) -> None:
    admin = new_person(web_engine, "Ada Lindgren", admin=True)
    page = page_as(admin.email)
    console_errors(page)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()

    form = page.get_by_test_id("add-user-form")
    form.get_by_label("Email").fill("not an email")
    form.get_by_label("Password").fill("short")
    form.get_by_role("button", name="Add user").click()
    expect(page.locator("#add-email-error")).to_contain_text("not a valid email address")
    expect(page.locator("#add-password-error")).to_contain_text("at least 8 characters")

    form = page.get_by_test_id("add-user-form")
    form.get_by_label("Email").fill(world.emails["cleo"].upper())
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Add user").click()
    expect(page.locator("#add-email-error")).to_have_text(
        f"A user with email {world.emails['cleo']} already exists."
    )

    email = f"noor.haddad.{uuid.uuid4().hex[:6]}@example.com"
    form = page.get_by_test_id("add-user-form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Name").fill("Noor Haddad")
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Add user").click()
    expect(page.get_by_test_id("flash")).to_contain_text("User added")
    expect(page.get_by_role("heading", name="Noor Haddad", level=1)).to_be_visible()
    expect(page.get_by_test_id("user-facts")).to_contain_text("Not an admin")

    page.goto("/users")
    page.get_by_role("searchbox", name="Search users").fill("noor hadd")
    page.get_by_role("button", name="Search").click()
    rows = page.get_by_test_id("users").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-email", email)

    newcomer = browser.new_context(base_url=live_server, viewport=VIEWPORT).new_page()
    sign_in(newcomer, email)
    expect(newcomer.get_by_test_id("signed-in-user")).to_have_text("Noor Haddad")
    newcomer.context.close()


def test_an_admin_renames_a_user_makes_them_admin_and_deactivates_them(
    page_as: OpenPage,
    web_engine: Engine,
    console_errors: Callable[[Page], list[str]],
) -> None:
    admin = new_person(web_engine, "Bea Novak", admin=True)
    person = new_person(web_engine, "Otto Brandt")
    db = session_factory(web_engine)()
    try:
        owner = db.get(User, person.id)
        program = make_program(db, owner=owner, key=f"U{uuid.uuid4().hex[:6].upper()}")
        program_id, key = program.id, program.key
    finally:
        db.close()
    theirs = page_as(person.email)  # their own browser, open on a page
    theirs.goto("/account")
    page = page_as(admin.email)
    console_errors(page)

    page.goto("/users")
    row = page.locator(f'tr[data-email="{person.email}"]')
    expect(row.get_by_test_id("programs")).to_have_text("1")
    row.get_by_role("link", name="Otto Brandt").click()
    programs = page.get_by_test_id("memberships")
    expect(programs.locator(f'tr[data-program-key="{key}"]')).to_contain_text("owner")
    expect(programs.get_by_role("link", name=re.compile(key))).to_have_attribute(
        "href", f"/programs/{program_id}"
    )

    form = page.get_by_test_id("user-form")
    form.get_by_label("Name").fill("Otto B. Brandt")
    form.get_by_label("Admin", exact=True).check()
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("flash")).to_have_text("Saved.")
    expect(page.get_by_role("heading", name="Otto B. Brandt", level=1)).to_be_visible()
    expect(page.get_by_test_id("user-facts")).to_contain_text("Admin")
    assert _account(web_engine, person.id).is_admin

    theirs.reload()  # still signed in, now with the admins' Users link
    expect(theirs.get_by_test_id("signed-in-user")).to_have_text("Otto B. Brandt")
    nav = theirs.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Users")).to_be_visible()

    form = page.get_by_test_id("user-form")
    form.get_by_label("Active", exact=True).uncheck()
    form.get_by_role("button", name="Save changes").click()
    # the program's only active owner: someone else must own it first
    expect(page.get_by_test_id("form-error")).to_contain_text(
        f"{person.email} is the only active owner of {key}"
    )
    db = session_factory(web_engine)()
    try:
        db.add(Membership(program_id=program_id, user_id=admin.id, role=Role.OWNER))
        db.commit()
    finally:
        db.close()
    page.goto(f"/users/{person.id}")
    form = page.get_by_test_id("user-form")
    form.get_by_label("Active", exact=True).uncheck()
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("flash")).to_have_text("Saved.")
    expect(page.get_by_test_id("user-state")).to_have_text("Deactivated")

    theirs.reload()
    expect(theirs).to_have_url(re.compile(r"/login"))

    page.goto(f"/users?q={person.email}")
    row = page.locator(f'tr[data-email="{person.email}"]')
    expect(row.get_by_test_id("active")).to_have_text("Deactivated")
    expect(row).to_have_class(re.compile("rs-inactive"))


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(
    page_as: OpenPage, web_engine: Engine
) -> None:
    admin = new_person(web_engine, "Carl Petersen", admin=True)
    # make this admin the organisation's only active one (other tests make their own)
    db = session_factory(web_engine)()
    try:
        others = db.scalars(
            select(User.id).where(User.is_admin.is_(True), User.id != admin.id)
        ).all()
        for other in others:
            users.update_user(db, SYSTEM, other, {"is_admin": False})
        complete(db)
    finally:
        db.close()
    page = page_as(admin.email)
    page.goto(f"/users/{admin.id}")

    for box in ("Admin", "Active"):
        form = page.get_by_test_id("user-form")
        form.get_by_label(box, exact=True).uncheck()
        form.get_by_role("button", name="Save changes").click()
        expect(page.get_by_test_id("form-error")).to_contain_text(
            f"{admin.email} is the only active admin: make someone else an admin first"
        )
        expect(page.get_by_test_id("user-form").get_by_label(box, exact=True)).not_to_be_checked()
        page.goto(f"/users/{admin.id}")
    account = _account(web_engine, admin.id)
    assert account.is_admin and account.is_active


def test_a_form_read_before_someone_else_saved_is_refused(
    page_as: OpenPage, web_engine: Engine, console_errors: Callable[[Page], list[str]]
) -> None:
    admin = new_person(web_engine, "Dora Silva", admin=True)
    person = new_person(web_engine, "Pia Kovac")
    page = page_as(admin.email)
    console_errors(page)
    page.goto(f"/users/{person.id}")

    db = session_factory(web_engine)()
    try:
        users.update_user(db, SYSTEM, person.id, {"name": "Pia Kovač"})
        complete(db)
    finally:
        db.close()

    form = page.get_by_test_id("user-form")
    form.get_by_label("Name").fill("Pia K.")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.get_by_role("button", name="Save changes").click()
    assert answer.value.status == 409
    expect(page.get_by_test_id("form-error")).to_contain_text("changed by someone else")
    assert _account(web_engine, person.id).name == "Pia Kovač"

    # saved again as it is, it is refused again: it still holds what was read before
    form = page.get_by_test_id("user-form")
    with page.expect_response(lambda r: r.request.method == "POST") as again:
        form.get_by_role("button", name="Save changes").click()
    assert again.value.status == 409
    assert _account(web_engine, person.id).name == "Pia Kovač"

    page.goto(f"/users/{person.id}")  # reloaded: the other change shows, then is changed
    form = page.get_by_test_id("user-form")
    expect(form.get_by_label("Name")).to_have_value("Pia Kovač")
    form.get_by_label("Name").fill("Pia K.")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("flash")).to_have_text("Saved.")
    assert _account(web_engine, person.id).name == "Pia K."


def test_an_admin_sets_a_new_password_and_the_old_one_stops_working(
    page_as: OpenPage,
    browser: Browser,
    live_server: str,
    web_engine: Engine,
    console_errors: Callable[[Page], list[str]],
) -> None:
    admin = new_person(web_engine, "Emil Sorensen", admin=True)
    person = new_person(web_engine, "Quinn Reyes")
    theirs = page_as(person.email)
    theirs.goto("/")
    page = page_as(admin.email)
    console_errors(page)
    page.goto(f"/users/{person.id}")

    form = page.get_by_test_id("password-form")
    expect(page.locator("#p-password-hint")).to_contain_text(
        "signed out of every browser; their API tokens and calendar feeds are revoked."
    )
    form.get_by_label("New password").fill("short")
    form.get_by_role("button", name="Set password").click()
    expect(page.locator("#p-password-error")).to_have_text("Must be at least 8 characters.")

    page.get_by_test_id("password-form").get_by_label("New password").fill("a fresh passphrase")
    page.get_by_test_id("password-form").get_by_role("button", name="Set password").click()
    expect(page.get_by_test_id("flash")).to_have_text(
        "New password set: their browser sessions are signed out and their API tokens and "
        "calendar feeds revoked."
    )
    theirs.reload()
    expect(theirs).to_have_url(re.compile(r"/login"))

    fresh = browser.new_context(base_url=live_server, viewport=VIEWPORT).new_page()
    fresh.goto("/login")
    fresh.get_by_label("Email").fill(person.email)
    fresh.get_by_label("Password").fill(PASSWORD)
    fresh.get_by_role("button", name="Sign in").click()
    expect(fresh.get_by_role("alert")).to_have_text("Wrong email or password.")
    sign_in(fresh, person.email, "a fresh passphrase")
    fresh.context.close()

    page.goto(f"/users/{admin.id}")  # your own: the password is changed on /account
    expect(page.get_by_test_id("password-form")).to_have_count(0)
    expect(page.get_by_test_id("own-password")).to_be_visible()


def test_screenshot_of_the_users_list(
    page_as: OpenPage, web_engine: Engine, console_errors: Callable[[Page], list[str]]
) -> None:
    admin = new_person(web_engine, "Fay Morgan", admin=True)
    new_person(web_engine, "Rafael Ortiz")
    page = page_as(admin.email)
    console_errors(page)
    page.goto("/users")
    expect(page.get_by_test_id("users")).to_be_visible()
    expect(page.locator(f'tr[data-email="{admin.email}"]').get_by_test_id("you")).to_be_visible()
    screenshot(page, "users.png", full_page=True)
