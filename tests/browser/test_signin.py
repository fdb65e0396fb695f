"""Signing in and out in a real browser, and the CSRF checks on form posts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import World, sign_in

pytestmark = pytest.mark.browser


def test_wrong_password_shows_the_error_and_keeps_the_email(page: Page, world: World) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(world.emails["ana"])
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    expect(page.get_by_label("Email")).to_have_value(world.emails["ana"])
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_right_password_lands_on_the_programs_list(page: Page, world: World) -> None:
    sign_in(page, world.emails["ana"])

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("signed-in-user")).to_have_text("Ana Ferreira")


def test_a_page_asks_to_sign_in_and_comes_back_after(page: Page, world: World) -> None:
    program_id = world.program_ids["CLOUD"]
    page.goto(f"/programs/{program_id}")
    expect(page).to_have_url(re.compile(rf"/login\?next=/programs/{program_id}$"))

    page.get_by_label("Email").fill(world.emails["ana"])
    page.get_by_label("Password").fill(world.password)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(rf"/programs/{program_id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cloud migration")


def test_a_next_address_off_the_site_is_ignored(page: Page, world: World) -> None:
    page.goto("/login?next=//evil.example/steal")
    page.get_by_label("Email").fill(world.emails["ana"])
    page.get_by_label("Password").fill(world.password)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Programs", level=1)).to_be_visible()
    assert page.url.startswith(page.context.pages[0].url.split("/", 3)[0])
    assert "evil.example" not in page.url


def test_sign_out_ends_the_session(page: Page, world: World) -> None:
    sign_in(page, world.emails["ben"])

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", name="Sign in to Podium")).to_be_visible()


def test_a_form_post_without_the_csrf_token_is_refused(page: Page, world: World) -> None:
    sign_in(page, world.emails["ana"])

    # a plain HTML form (no htmx) posting to sign out, as another site could
    page.evaluate(
        """() => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = "/logout";
            document.body.append(form);
            form.submit();
        }"""
    )

    refused = page.get_by_test_id("error-page")
    expect(refused).to_have_attribute("data-status", "403")
    expect(refused).to_contain_text("security token")
    page.goto("/")
    expect(page.get_by_test_id("signed-in-user")).to_have_text("Ana Ferreira")


def test_a_sign_in_post_without_its_token_is_refused(page: Page, world: World) -> None:
    page.goto("/login")
    page.locator('input[name="csrf_token"]').evaluate("input => input.remove()")
    page.get_by_label("Email").fill(world.emails["ana"])
    page.get_by_label("Password").fill(world.password)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("not sent by Podium")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_htmx_sends_the_csrf_token_and_a_bare_request_is_refused(page: Page, world: World) -> None:
    sign_in(page, world.emails["ana"])

    # Deleting a token that does not exist: 404 once the CSRF check has passed, 403 before.
    htmx_status = page.evaluate(
        """() => new Promise((resolve) => {
            document.body.addEventListener(
                "htmx:afterRequest", (e) => resolve(e.detail.xhr.status), {once: true});
            htmx.ajax("DELETE", "/api/v1/tokens/999999", {target: "#messages", swap: "none"});
        })"""
    )
    bare_status = page.evaluate(
        """() => fetch("/api/v1/tokens/999999", {method: "DELETE"}).then((r) => r.status)"""
    )

    assert htmx_status == 404
    assert bare_status == 403
