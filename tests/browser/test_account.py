"""Your account: reached from your name in the top bar; changing your password (other
browsers are signed out, this one stays); personal API tokens shown once, used, revoked."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from tests.browser.conftest import VIEWPORT, new_person, screenshot, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]
NEW_PASSWORD = "a longer passphrase"


def _new_page(browser: Browser, live_server: str) -> Page:
    return browser.new_context(base_url=live_server, viewport=VIEWPORT).new_page()


def _password_form(page: Page, current: str, new: str, again: str) -> None:
    form = page.get_by_test_id("password-form")
    form.get_by_label("Current password").fill(current)
    form.get_by_label("New password", exact=True).fill(new)
    form.get_by_label("New password again").fill(again)
    form.get_by_role("button", name="Change password").click()


def test_the_name_in_the_top_bar_opens_your_account(
    page_as: OpenPage, web_engine: Engine, console_errors: Callable[[Page], list[str]]
) -> None:
    email = new_person(web_engine, "Iris Lund").email
    page = page_as(email)
    console_errors(page)
    page.goto("/")
    page.get_by_role("link", name="Iris Lund").click()

    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", name="Your account", level=1)).to_be_visible()
    expect(page.get_by_test_id("profile-name")).to_have_text("Iris Lund")
    expect(page.get_by_test_id("profile-email")).to_have_text(email)
    expect(page.get_by_test_id("profile-admin")).to_have_text("No")
    expect(page.get_by_test_id("no-tokens")).to_be_visible()
    # a person who is not an admin has no Users page to go to
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)


def test_changing_your_password_keeps_this_browser_and_signs_out_the_others(
    page_as: OpenPage,
    browser: Browser,
    live_server: str,
    web_engine: Engine,
    console_errors: Callable[[Page], list[str]],
) -> None:
    email = new_person(web_engine, "Jonas Berg").email
    elsewhere = _new_page(browser, live_server)  # the same person in another browser
    sign_in(elsewhere, email)
    page = page_as(email)
    console_errors(page)
    page.goto("/account")

    _password_form(page, "not my password", NEW_PASSWORD, NEW_PASSWORD)
    expect(page.locator("#p-current_password-error")).to_have_text("Is not your current password.")
    expect(page.get_by_label("Current password")).to_have_value("")  # never sent back
    expect(page.get_by_label("Current password")).to_be_focused()  # where the error is

    _password_form(page, PASSWORD, NEW_PASSWORD, "a longer passphrasf")
    expect(page.locator("#p-new_password_again-error")).to_have_text(
        "Does not match the new password."
    )
    _password_form(page, PASSWORD, "short", "short")
    expect(page.locator("#p-new_password-error")).to_have_text("Must be at least 8 characters.")
    _password_form(page, PASSWORD, PASSWORD, PASSWORD)
    expect(page.locator("#p-new_password-error")).to_have_text("Is the same as the current one.")

    _password_form(page, PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    expect(page.get_by_test_id("flash")).to_have_text(
        "Password changed: your other browser sessions are signed out."
    )
    page.reload()  # this browser stays signed in
    expect(page.get_by_role("heading", name="Your account", level=1)).to_be_visible()
    elsewhere.reload()  # the other one is sent to sign in again
    expect(elsewhere).to_have_url(re.compile(r"/login"))

    fresh = _new_page(browser, live_server)
    fresh.goto("/login")
    fresh.get_by_label("Email").fill(email)
    fresh.get_by_label("Password").fill(PASSWORD)
    fresh.get_by_role("button", name="Sign in").click()
    expect(fresh.get_by_role("alert")).to_have_text("Wrong email or password.")
    sign_in(fresh, email, NEW_PASSWORD)
    expect(fresh.get_by_test_id("signed-in-user")).to_have_text("Jonas Berg")
    for other in (elsewhere, fresh):
        other.context.close()


def test_a_new_token_is_shown_once_works_with_the_api_and_stops_when_revoked(
    page_as: OpenPage, web_engine: Engine, console_errors: Callable[[Page], list[str]]
) -> None:
    email = new_person(web_engine, "Kim Sato").email
    page = page_as(email)
    console_errors(page)
    page.goto("/account")

    form = page.get_by_test_id("token-form")
    form.get_by_label("Name").fill("nightly export")
    form.get_by_label("Expires after (days)").fill("0")
    form.get_by_role("button", name="Create token").click()
    expect(page.locator("#t-expires_in_days-error")).to_have_text("Must be at least 1.")
    expect(page.get_by_test_id("token-form").get_by_label("Name")).to_have_value("nightly export")

    page.get_by_test_id("token-form").get_by_label("Expires after (days)").fill("30")
    page.get_by_test_id("token-form").get_by_role("button", name="Create token").click()
    shown = page.get_by_test_id("new-token")
    expect(shown).to_contain_text("Token “nightly export” created")
    secret = page.get_by_test_id("token-secret").input_value()
    assert secret.startswith("pod_")
    row = page.locator('tr[data-token-name="nightly export"]')
    expect(row).to_contain_text(secret[:12])
    expect(row.get_by_role("button", name="Revoke")).to_be_visible()
    screenshot(page, "account.png", full_page=True)

    bearer = {"Authorization": f"Bearer {secret}"}
    me = page.request.get("/api/v1/users/me", headers=bearer)
    assert me.status == 200 and me.json()["email"] == email

    page.goto("/account")  # shown once: reading the page again does not show it
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    assert secret not in page.content()
    row = page.locator('tr[data-token-name="nightly export"]')
    expect(row.locator("td").nth(3)).not_to_have_text("never")  # last used just now

    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_test_id("flash")).to_have_text("Token revoked: it no longer works.")
    row = page.locator('tr[data-token-name="nightly export"]')
    expect(row.get_by_test_id("revoked")).to_contain_text("UTC")
    expect(row.get_by_role("button", name="Revoke")).to_have_count(0)
    assert page.request.get("/api/v1/users/me", headers=bearer).status == 401


def test_a_token_form_without_a_name_is_refused_beside_the_field(
    page_as: OpenPage, web_engine: Engine
) -> None:
    page = page_as(new_person(web_engine, "Lea Roth").email)
    page.goto("/account")
    page.get_by_test_id("token-form").get_by_role("button", name="Create token").click()
    expect(page.locator("#t-name-error")).to_have_text("Required.")
    expect(page.get_by_test_id("token-form").get_by_label("Name")).to_be_focused()
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    expect(page.get_by_test_id("no-tokens")).to_be_visible()
