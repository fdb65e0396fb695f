"""Screenshots for the documentation of pages no other test leaves in a state worth showing."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def test_screenshot_of_sign_in(page: Page) -> None:
    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in to Podium")).to_be_visible()
    screenshot(page, "login.png")


MAPPING_CSV = (
    "ID,Activity Title,Workstream,Length,Needs,Start Date,Crew,Done %\n"
    "1,Survey the site,Groundworks,3,,2026-03-02,Ana Ferreira,100\n"
    "2,Excavate foundations,Groundworks,5,1,,Ana Ferreira;Digger[50%],40\n"
    "3,Pour the slab,Structure,2,2FS+1,,Ben Okafor,\n"
    "4,Cure the slab,Structure,5,3,,,\n"
    "5,Erect the frame,Structure,10,4,,Ben Okafor;Crane,\n"
    "6,Roof on,Structure,0,5,,,\n"
)


def test_screenshot_of_the_csv_mapping_step(page: Page, tmp_path: Path) -> None:
    sign_in(page, "ben@example.com")
    path = tmp_path / "site-build.csv"
    path.write_text(MAPPING_CSV, encoding="utf-8")
    page.goto("/import")
    page.set_input_files("#f-file", str(path))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Choose the columns", level=1)).to_be_visible()
    page.get_by_label("Task name").select_option("Activity Title")
    page.get_by_label("Duration").select_option("Length")
    screenshot(page, "import-csv-mapping.png", full_page=True)
