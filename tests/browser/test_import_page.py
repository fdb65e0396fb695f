"""The "Import a plan" page: upload a Microsoft Project file, see the date comparison; a bad
file lists its problems and writes nothing; a CSV first has its columns chosen."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, func, select

from podium.db import session_factory
from podium.models import Program
from tests.browser.conftest import VIEWPORT, screenshot, sign_in

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
    screenshot(page, "import.png", full_page=True)
    assert _programs(web_engine) == before + 1

    page.get_by_role("link", name="Open the program").click()
    expect(page.get_by_test_id("export-menu")).to_be_visible()
    screenshot(page, "import-overview.png")
    for label, suffix, opening in [
        ("Export plan (JSON)", ".json", b'{\n  "format": "podium-plan"'),
        ("Export to Microsoft Project", ".xml", b"<?xml"),
        ("Export tasks (CSV)", ".csv", b"\xef\xbb\xbfID,Name,Project"),  # BOM: for Excel
    ]:
        with page.expect_download() as download:
            page.get_by_role("link", name=label).click()
        saved = download.value
        assert saved.suggested_filename == f"LINKSWEB{suffix}"
        content = Path(saved.path()).read_bytes()
        assert content.startswith(opening), content[:80]
        assert b"Task 2" in content


UNUSUAL_CSV = (
    "ID,Activity Title,Length,Needs,Start Date,Crew\n"
    "1,Survey the site,3,,2026-03-02,Ana\n"
    "2,Pour the slab,2,1FS+1,,Ana\n"
    "3,Cure,5,2,,\n"
    "4,Hand over,0,3,,\n"
)


def _upload_csv(page: Page, tmp_path: Path, key: str) -> None:
    path = tmp_path / "slab.csv"
    path.write_text(UNUSUAL_CSV, encoding="utf-8")
    page.goto("/import")
    page.set_input_files("#f-file", str(path))
    page.get_by_label("Program key (optional)").fill(key)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Choose the columns", level=1)).to_be_visible()


def test_a_csv_with_unusual_headers_is_imported_after_choosing_its_columns(
    page: Page, web_engine: Engine, tmp_path: Path
) -> None:
    sign_in(page, "ben@example.com")
    before = _programs(web_engine)
    _upload_csv(page, tmp_path, "SLABWEB")
    assert _programs(web_engine) == before  # nothing written before the columns are chosen
    expect(page.get_by_test_id("import-file")).to_contain_text("slab.csv")
    preview = page.get_by_test_id("mapping-preview")
    expect(preview.locator("thead th")).to_have_text(
        ["Column", "Line 2", "Line 3", "Line 4", "Line 5"]
    )
    expect(preview.locator("tbody tr")).to_have_count(6)  # one per column of the file
    expect(preview.locator("tbody tr").nth(1)).to_have_text(
        "Activity Title Survey the site Pour the slab Cure Hand over", use_inner_text=True
    )
    # the common names are chosen already, the unusual ones are not
    expect(page.get_by_label("ID", exact=True)).to_have_value("ID")
    expect(page.get_by_label("Start", exact=True)).to_have_value("Start Date")
    expect(page.get_by_label("Task name")).to_have_value("")
    expect(page.get_by_label("Duration")).to_have_value("")
    expect(page.get_by_label("Program key (optional)")).to_have_value("SLABWEB")

    page.get_by_label("Task name").select_option("Activity Title")
    page.get_by_label("Duration").select_option("Length")
    page.get_by_label("Predecessors").select_option("Needs")
    page.get_by_label("Resources").select_option("Crew")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SLABWEB")
    counts = page.get_by_test_id("import-counts")
    expect(counts).to_contain_text("CSV")
    expect(counts).to_contain_text("4 tasks")
    expect(counts).to_contain_text("3 dependencies")
    expect(counts).to_contain_text("2 assignments")
    assert _programs(web_engine) == before + 1


def test_problems_show_on_the_mapping_step_with_the_choice_kept_and_nothing_written(
    page: Page, browser: Browser, live_server: str, web_engine: Engine, tmp_path: Path
) -> None:
    sign_in(page, "ben@example.com")
    before = _programs(web_engine)
    _upload_csv(page, tmp_path, "SLABFIX")
    mapping_url = page.url
    page.get_by_label("Task name").select_option("Activity Title")
    page.get_by_label("Duration").select_option("Needs")  # the wrong column
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("import-refused")).to_contain_text("Nothing was imported")
    problems = page.get_by_test_id("import-problems")
    expect(problems).to_contain_text("line 2, column Needs")
    expect(problems).to_contain_text("is empty (0 makes a milestone)")
    expect(problems).to_contain_text("line 3, column Needs")
    expect(problems).to_contain_text("'1FS+1' is not a duration")
    expect(page.get_by_label("Task name")).to_have_value("Activity Title")
    expect(page.get_by_label("Duration")).to_have_value("Needs")
    expect(page.get_by_test_id("mapping-preview")).to_contain_text("Pour the slab")
    assert _programs(web_engine) == before

    # another person cannot use the upload's address
    other = browser.new_context(base_url=live_server, viewport=VIEWPORT)
    try:
        theirs = other.new_page()
        sign_in(theirs, "cleo@example.com")
        theirs.goto(mapping_url)
        expect(theirs.get_by_test_id("import-refused")).to_contain_text("no longer waiting")
        expect(theirs.get_by_role("heading", name="Import a plan", level=1)).to_be_visible()
    finally:
        other.close()

    page.get_by_label("Duration").select_option("Length")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("import-counts")).to_contain_text("4 tasks")
    assert _programs(web_engine) == before + 1
    page.goto(mapping_url)  # an imported upload is gone
    expect(page.get_by_test_id("import-refused")).to_contain_text("no longer waiting")


def test_start_over_goes_back_to_the_upload_form(page: Page, tmp_path: Path) -> None:
    sign_in(page, "ben@example.com")
    _upload_csv(page, tmp_path, "SLABOVER")
    page.get_by_role("link", name="Start over").click()
    expect(page.get_by_role("heading", name="Import a plan", level=1)).to_be_visible()
    expect(page.locator("#f-file")).to_be_visible()


def test_an_empty_csv_is_refused_on_the_upload_form(page: Page, tmp_path: Path) -> None:
    sign_in(page, "ben@example.com")
    path = tmp_path / "empty.csv"
    path.write_text("\n\n", encoding="utf-8")
    page.goto("/import")
    page.set_input_files("#f-file", str(path))
    page.get_by_label("Format").select_option("csv")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("import-refused")).to_contain_text("no header line")
