"""The risk register and matrix, and a risk's page, on the sample program as `podium demo`
loads it: drill-down from a matrix cell, raising a risk, editing one (its score history
grows and the escalation shows), actions, and what viewers may not do."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Program, Risk
from podium.services import auth, demo
from podium.services.uow import complete
from tests.browser.conftest import World, screenshot
from tests.factories import make_user

pytestmark = pytest.mark.browser
PageAs = Callable[[str], Page]
MARIA, LI, SAM, ERIN = (email for email, _n, _r in demo.PEOPLE)


def load_demo_program(web_engine: Engine) -> int:
    """Load the sample program with its register and benefits (its people use the test
    password); its id."""
    db = session_factory(web_engine)()
    try:
        for email, name, _role in demo.PEOPLE:
            if auth.find_user(db, email) is None:
                make_user(db, email=email, name=name)
        loaded = demo.load_demo(db)
        complete(db)
        return db.scalars(select(Program).where(Program.key == loaded.program_key)).one().id
    finally:
        db.close()


@pytest.fixture(scope="session")
def demo_program(web_engine: Engine, world: World) -> int:
    return load_demo_program(web_engine)


def _risk_id(web_engine: Engine, program_id: int, title_start: str) -> int:
    db = session_factory(web_engine)()
    try:
        return db.scalars(
            select(Risk.id).where(Risk.program_id == program_id, Risk.title.startswith(title_start))
        ).one()
    finally:
        db.close()


def test_the_register_shows_the_matrix_and_a_cell_drills_down(
    page_as: PageAs, demo_program: int
) -> None:
    page = page_as(ERIN)
    page.goto(f"/programs/{demo_program}/risks")
    expect(page.get_by_role("heading", name="Probability × impact")).to_be_visible()
    expect(page.get_by_test_id("live-count")).to_have_text("7")
    expect(page.get_by_test_id("steering-count")).to_have_text("1")
    rows = page.get_by_test_id("risk-table").locator("tbody tr")
    expect(rows).to_have_count(7)
    expect(rows.first).to_contain_text("Legacy data centre lease")
    expect(rows.first).to_contain_text("Steering agenda")
    cell = page.locator(".rk-cell[data-probability='4'][data-impact='4']")
    expect(cell).to_have_attribute("data-count", "1")
    screenshot(page, "risks.png", full_page=True)
    cell.get_by_role("link").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Security sign-off slips")
    expect(page.locator(".rk-cell--chosen")).to_have_count(1)
    page.get_by_test_id("clear-cell").click()
    expect(rows).to_have_count(7)
    page.get_by_label("Show").select_option("issues")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Realized (issue)")
    expect(page.get_by_role("link", name="Raise a risk")).to_have_count(0)  # a viewer


def test_a_member_raises_a_cross_project_risk_and_it_escalates(
    page_as: PageAs, demo_program: int
) -> None:
    page = page_as(SAM)
    page.goto(f"/programs/{demo_program}/risks")
    form = page.get_by_test_id("add-risk-form")
    form.get_by_label("Title").fill("")
    form.get_by_role("button", name="Raise risk").click()
    expect(page.locator("[data-error-for='title']")).to_be_visible()
    form = page.get_by_test_id("add-risk-form")
    form.get_by_label("Title").fill("Cut-over weekend clashes with client year-end freeze")
    form.get_by_label("Probability").select_option("3")
    form.get_by_label("Impact").select_option("4")
    form.get_by_label("DATA").check()
    form.get_by_label("TRAIN").check()
    form.get_by_label("Linked tasks").fill("DATA-5")
    form.get_by_role("button", name="Raise risk").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Risk raised")
    expect(page.get_by_test_id("risk-title")).to_have_text(
        "Cut-over weekend clashes with client year-end freeze"
    )
    expect(page.get_by_test_id("escalation-note")).to_contain_text("Escalated to program level")
    expect(page.get_by_test_id("escalation-note")).to_contain_text(
        "linked to 2 projects (DATA, TRAIN)"
    )


def _style(target: Locator, name: str) -> str:
    return str(target.evaluate("(e, name) => getComputedStyle(e)[name]", name))


def test_the_raise_form_draws_its_hints_errors_and_text_areas_as_the_other_forms(
    page_as: PageAs, demo_program: int
) -> None:
    page = page_as(SAM)
    page.goto(f"/programs/{demo_program}/risks")
    form = page.get_by_test_id("add-risk-form")
    form.get_by_label("Title").fill("Freeze window moves")
    form.get_by_label("Linked tasks").fill("NOPE-1")
    form.get_by_role("button", name="Raise risk").click()
    error = page.locator("[data-error-for='task_keys']")
    expect(error).to_contain_text("NOPE-1")
    form = page.get_by_test_id("add-risk-form")
    muted = _style(page.locator("#add-risk > p.muted"), "color")  # the form's own lead
    for hint in ("new-cause-hint", "new-effect-hint", "new-task_keys-hint"):
        assert _style(form.locator(f"#{hint}"), "color") == muted, hint
    assert _style(error, "color") == "rgb(180, 35, 24)"  # --red, as every form's errors
    border = _style(form.get_by_label("Title"), "borderTopColor")
    for area in ("Cause", "Effect"):
        assert _style(form.get_by_label(area), "borderTopColor") == border, area


def test_editing_a_risk_keeps_its_history_and_closing_needs_a_manager(
    page_as: PageAs, demo_program: int, web_engine: Engine
) -> None:
    risk_id = _risk_id(web_engine, demo_program, "Support staff not trained")
    page = page_as(SAM)
    page.goto(f"/risks/{risk_id}")
    expect(page.get_by_test_id("history").locator("tbody tr")).to_have_count(1)
    expect(page.locator("#f-status option[value='closed']")).to_be_disabled()
    page.locator("#f-impact").select_option("5")
    page.locator("#f-probability").select_option("3")
    page.get_by_label("Why the change").fill("Trainer availability cut in half")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    history = page.get_by_test_id("history").locator("tbody tr")
    expect(history).to_have_count(2)
    expect(history.first).to_have_attribute("data-score", "15")
    expect(history.first).to_contain_text("Trainer availability cut in half")
    expect(page.get_by_test_id("escalation-note")).to_contain_text("score 15 is at or above 15")
    expect(page.get_by_test_id("score-chart")).to_have_attribute("data-drawn", "true")
    page.get_by_test_id("add-action-form").get_by_label("New action").fill(
        "Book two extra trainers"
    )
    page.get_by_test_id("add-action-form").get_by_role("button", name="Add action").click()
    actions = page.get_by_test_id("actions").locator("tbody tr")
    expect(actions.last).to_contain_text("Book two extra trainers")
    actions.last.get_by_role("button", name="Mark done").click()
    expect(page.get_by_test_id("actions").locator("tbody tr").last).to_contain_text("Done")
    screenshot(page, "risk.png", full_page=True)


def test_a_viewer_reads_a_risk_and_a_forged_post_is_forbidden(
    page_as: PageAs, demo_program: int, web_engine: Engine
) -> None:
    risk_id = _risk_id(web_engine, demo_program, "Legacy data centre")
    page = page_as(ERIN)
    page.goto(f"/risks/{risk_id}")
    expect(page.get_by_test_id("read-only-note")).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    expect(page.get_by_test_id("delete-risk")).to_have_count(0)
    expect(page.get_by_test_id("escalation-note")).to_contain_text("On the steering agenda")
    token = page.locator("meta[name='csrf-token']").get_attribute("content") or ""
    response = page.request.post(f"/risks/{risk_id}", form={"csrf_token": token, "title": "x"})
    assert response.status == 403


def test_the_overview_links_an_escalation_alert_and_a_risk_reason_to_the_risk(
    page_as: PageAs, demo_program: int, web_engine: Engine
) -> None:
    risk_id = _risk_id(web_engine, demo_program, "Legacy data centre")
    page = page_as(MARIA)
    page.goto(f"/programs/{demo_program}")
    alert = page.get_by_test_id("alerts").get_by_role("link", name="Risk R2 on the steering agenda")
    expect(alert).to_have_attribute("href", f"/risks/{risk_id}")
    page.get_by_role("link", name="Risks", exact=True).click()
    expect(page.get_by_test_id("risk-table")).to_be_visible()


def test_a_member_corrects_an_action_and_a_manager_deletes_it(
    page_as: PageAs, demo_program: int, web_engine: Engine
) -> None:
    risk_id = _risk_id(web_engine, demo_program, "Client data residency rules")
    page = page_as(SAM)
    page.goto(f"/risks/{risk_id}")
    form = page.get_by_test_id("add-action-form")
    form.get_by_label("New action").fill("Ask legal for the residency list")
    form.get_by_role("button", name="Add action").click()
    row = page.get_by_test_id("actions").locator("tr", has_text="Ask legal for the residency list")
    row.get_by_role("link", name="Edit the action Ask legal for the residency list").click()
    form = page.get_by_test_id("edit-action-form")
    expect(form.get_by_label("Action")).to_have_value("Ask legal for the residency list")
    expect(form.get_by_role("button", name="Delete action")).to_have_count(0)  # managers
    form.get_by_label("Action").fill("")
    form.get_by_role("button", name="Save action").click()
    form = page.get_by_test_id("edit-action-form")
    expect(form.locator("[data-error-for='title']")).to_contain_text("Required.")
    form.get_by_label("Action").fill("Ask legal for the residency list per country")
    form.get_by_label("Owner").select_option(label="Sam Okoro")
    form.get_by_label("Due").fill("2030-03-31")
    form.get_by_role("button", name="Save action").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Action saved.")
    row = page.get_by_test_id("actions").locator("tr", has_text="residency list per country")
    expect(row).to_contain_text("Sam Okoro")
    expect(row).to_contain_text("31 Mar 2030")

    manager = page_as(LI)
    manager.goto(f"/risks/{risk_id}")
    manager.get_by_role(
        "link", name="Edit the action Ask legal for the residency list per country"
    ).click()
    manager.get_by_test_id("delete-action").click()
    expect(manager.get_by_test_id("flash")).to_contain_text("Action deleted.")
    expect(manager.get_by_test_id("actions")).not_to_contain_text("residency list per country")
