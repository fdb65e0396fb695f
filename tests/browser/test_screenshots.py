"""The sign-in page's screenshot for the documentation (other pages' are in their tests)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


def test_screenshot_of_sign_in(page: Page) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in to Podium")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "login.png")
