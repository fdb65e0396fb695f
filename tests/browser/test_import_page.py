"""The "Import a plan" page: upload a Microsoft Project file, see the date comparison; a bad
file lists its problems and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, func, select

from podium.db import session_factory
from podium.models import Program
from tests.browser.conftest import SCREENSHOTS, sign_in

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "projects"
LINKS = DATA / "mpxj_task-links-project2003-mspdi.xml"


def _programs(engine: Engine) -> int:
    db = session_factory(engine)()
    try:
        return int(db.scalar(select(func.count()).select_from(Program)) or 0)
    finally:
        db.close()


@pytest.mark.skipif(not LINKS.exists(), reason="the shared project files are not here")
def test_uploading_a_project_file_shows_the_date_comparison(
    page: Page, web_engine: Engine, tmp_path: Path
) -> None:
    sign_in(page, "ben@example.com")
    page.get_by_test_id("import-link").click()
    expect(page.get_by_role("heading", name="Import a plan", level=1)).to_be_visible()

    bad = tmp_path / "broken.xml"
    bad.write_bytes(LINKS.read_bytes()[:4000])
    before = _programs(web_engine)
    page.set_input_files("#f-file", str(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("import-refused")).to_contain_text("Nothing was imported")
    expect(page.get_by_test_id("import-problems")).to_contain_text("line")
    assert _programs(web_engine) == before

    page.set_input_files("#f-file", str(LINKS))
    page.get_by_label("Program key (optional)").fill("LINKSWEB")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("LINKSWEB")
    expect(page.get_by_test_id("import-counts")).to_contain_text("16 tasks")
    expect(page.get_by_test_id("import-matching")).to_contain_text("16 of 16 tasks")
    expect(page.get_by_test_id("import-dates").locator("tbody tr")).to_have_count(16)
    page.screenshot(path=str(SCREENSHOTS / "import.png"), full_page=True)
    assert _programs(web_engine) == before + 1

    page.get_by_role("link", name="Open the program").click()
    expect(page.get_by_test_id("export-menu")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "import-overview.png"))
