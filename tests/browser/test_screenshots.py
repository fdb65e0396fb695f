"""Screenshots of the main pages for the documentation (docs/screenshots/, 1280x800)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS, World, sign_in

pytestmark = pytest.mark.browser


def test_screenshots_of_sign_in_programs_and_overview(page: Page, world: World) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in to Podium")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "login.png")

    sign_in(page, world.emails["ana"])
    expect(page.locator("[data-program-key]")).to_have_count(2)
    page.screenshot(path=SCREENSHOTS / "programs.png")

    page.get_by_role("link", name="Cloud migration").click()
    expect(page.get_by_test_id("goal")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "overview.png")
