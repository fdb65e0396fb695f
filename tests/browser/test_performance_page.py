"""The performance page: health and its trend, earned value, S-curves, baseline variance."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Program, User
from podium.services import auth, demo, health, programs
from podium.services.actor import Actor
from podium.services.uow import complete
from tests.browser.conftest import PlanProgram, World, screenshot
from tests.factories import make_user

pytestmark = pytest.mark.browser

PageAs = Callable[[str], Page]
TREND_WEEKS = 8


def _token(engine: Engine, email: str) -> str:
    db = session_factory(engine)()
    try:
        user = db.scalars(select(User).where(User.email == email)).one()
        _t, secret = auth.create_token(db, user, name="performance page tests")
        db.commit()
        return secret
    finally:
        db.close()


def _api(live_server: str, token: str, method: str, path: str, **kwargs: Any) -> Any:
    response = httpx.request(
        method,
        f"{live_server}/api/v1{path}",
        headers={"Authorization": f"Bearer {token}"},
        **kwargs,
    )
    assert response.is_success, response.text
    return response.json() if response.content else None


@pytest.fixture(scope="session")
def demo_program(web_engine: Engine, world: World) -> int:
    """The sample program as ``podium demo`` loads it (a baseline, weeks of progress and
    costs), with its people signing in with the test password and a few weeks of health."""
    db = session_factory(web_engine)()
    try:
        for email, name, _role in demo.PEOPLE:
            if auth.find_user(db, email) is None:
                make_user(db, email=email, name=name)
        loaded = demo.load_demo(db)
        complete(db)
        program = db.scalars(select(Program).where(Program.key == loaded.program_key)).one()
        owner = Actor.of(db.scalars(select(User).where(User.email == demo.PEOPLE[0][0])).one())
        status_date = program.status_date
        assert status_date is not None
        # the health a daily cron job would have kept, once a week for a while
        for weeks in range(TREND_WEEKS, -1, -1):
            day = status_date - timedelta(weeks=weeks)
            programs.update_program(db, owner, program.id, {"status_date": day})
            health.record_snapshot(db, owner, program.id)
            complete(db)
        return program.id
    finally:
        db.close()


def _demo_email(role: str) -> str:
    return next(email for email, _n, r in demo.PEOPLE if r.value == role)


def _goto(page: Page, program_id: int) -> None:
    page.goto(f"/programs/{program_id}/performance")
    expect(page.get_by_role("heading", name="Earned value")).to_be_visible()


def _chart_drawn(page: Page) -> None:
    expect(page.get_by_test_id("s-curve")).to_have_attribute("data-drawn", "true")


def test_page_shows_the_same_health_and_first_reason_as_the_api(
    page_as: PageAs, world: World, live_server: str
) -> None:
    program_id = world.program_ids["CLOUD"]
    api = _api(
        live_server, world.tokens[world.emails["ana"]], "GET", f"/programs/{program_id}/health"
    )
    page = page_as(world.emails["ana"])
    page.goto(f"/programs/{program_id}")
    page.get_by_role("link", name="Performance").click()
    expect(page).to_have_url(re.compile(rf"/programs/{program_id}/performance$"))

    panel = page.get_by_test_id("health")
    status = api["program"]["status"]
    expect(panel).to_have_attribute("data-health", status)
    expect(panel.locator(".health--large")).to_have_text(status.capitalize())
    reasons = panel.get_by_test_id("health-reasons").locator("li")
    expect(reasons).to_have_count(len(api["program"]["reasons"]))
    first = api["program"]["reasons"][0]
    expect(reasons.first).to_contain_text(first["ref"]["key"])
    expect(reasons.first.locator("[data-health]")).to_have_attribute(
        "data-health", first["severity"]
    )

    table = page.get_by_test_id("project-health")
    for project in api["projects"]:
        row = table.locator(f"[data-project-key='{project['ref']['key']}']")
        expect(row.locator("[data-health]")).to_have_attribute("data-health", project["status"])
        if project["reasons"]:
            expect(row).to_contain_text(project["reasons"][0]["ref"]["key"])

    # no baseline yet: said in words, and the undefined indices say why
    expect(page.get_by_test_id("no-baseline")).to_contain_text("take a baseline to measure against")
    expect(page.get_by_test_id("no-curves")).to_be_visible()
    spi = page.get_by_test_id("evm-table").locator("[data-scope='program'] [data-col='spi']")
    expect(spi).to_contain_text("—")
    expect(spi.locator("[title]")).to_have_attribute("title", re.compile("PV = 0"))
    expect(page.get_by_test_id("no-history")).to_contain_text("podium health CLOUD --record")


def test_taking_a_baseline_shows_the_variance_and_the_earned_value_of_the_api(
    page_as: PageAs,
    fresh_plan: PlanProgram,
    plan_people: dict[str, str],
    live_server: str,
    web_engine: Engine,
) -> None:
    token = _token(web_engine, plan_people["omar"])
    # money spent so far, reported through the API (the plan has budgets and progress)
    for key, cost in (("PLAT-1", 21_000.0), ("SEC-1", 14_000.0), ("SEC-2", 9_500.0)):
        _api(
            live_server,
            token,
            "PATCH",
            f"/tasks/{fresh_plan.task_ids[key]}",
            json={"actual_cost": cost},
        )
    page = page_as(plan_people["omar"])
    _goto(page, fresh_plan.id)
    expect(page.get_by_test_id("variance")).to_have_count(0)
    expect(page.get_by_test_id("no-baselines")).to_be_visible()

    form = page.get_by_test_id("take-baseline")
    form.get_by_label("Name").fill("Plan of record")
    form.get_by_role("button", name="Take baseline").click()
    expect(page).to_have_url(re.compile(r"\?baseline=\d+#variance$"))
    variance = page.get_by_test_id("variance")
    expect(variance).to_be_visible()
    expect(variance.get_by_role("heading", level=3)).to_contain_text("Plan of record")
    expect(page.get_by_test_id("current-baseline")).to_have_count(1)
    expect(variance.get_by_test_id("program-finish-variance")).to_contain_text("0 on plan")

    ev = _api(live_server, token, "GET", f"/programs/{fresh_plan.id}/earned-value")
    assert ev["baseline"] == "Plan of record"
    assert ev["program"]["spi"] is not None and ev["program"]["cpi"] is not None
    program_row = page.get_by_test_id("evm-table").locator("[data-scope='program']")
    expect(program_row.locator("[data-col='spi']")).to_have_text(f"{ev['program']['spi']:.2f}")
    expect(program_row.locator("[data-col='cpi']")).to_have_text(f"{ev['program']['cpi']:.2f}")
    expect(page.get_by_test_id("eac-formula")).to_have_text(ev["eac_formula"])
    for project in ev["projects"]:
        row = page.get_by_test_id("evm-table").locator(f"[data-scope='{project['id']}']")
        spi = f"{project['spi']:.2f}" if project["spi"] is not None else "—"
        expect(row.locator("[data-col='spi']")).to_contain_text(spi)
    _chart_drawn(page)

    # the same name again is refused in place; another name becomes the current baseline
    form = page.get_by_test_id("take-baseline")
    form.get_by_label("Name").fill("Plan of record")
    form.get_by_role("button", name="Take baseline").click()
    form = page.get_by_test_id("take-baseline")
    expect(form.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("take-baseline")).to_contain_text("already has a baseline named")
    form.get_by_label("Name", exact=True).fill("Re-plan")
    form.get_by_role("button", name="Take baseline").click()
    expect(
        page.locator("[data-baseline='Re-plan'] [data-testid='current-baseline']")
    ).to_be_visible()

    page.get_by_role("button", name="Make “Plan of record” the current baseline").click()
    expect(
        page.locator("[data-baseline='Plan of record'] [data-testid='current-baseline']")
    ).to_be_visible()
    expect(page.get_by_test_id("current-baseline")).to_have_count(1)
    listed = _api(live_server, token, "GET", f"/programs/{fresh_plan.id}/baselines")["items"]
    assert [b["name"] for b in listed if b["is_current"]] == ["Plan of record"]

    # renamed: the name another baseline has is refused in place, a new one is kept
    row = page.locator("[data-baseline='Re-plan']")
    row.get_by_text("Rename…").click()
    row.get_by_label("Call “Re-plan” from now on").fill("Plan of record")
    row.get_by_role("button", name="Rename", exact=True).click()
    row = page.locator("[data-baseline='Re-plan']")
    expect(row.locator("[data-error-for^='rename-']")).to_contain_text("already has a baseline")
    row.get_by_label("Call “Re-plan” from now on").fill("Re-plan after CR-1")
    row.get_by_role("button", name="Rename", exact=True).click()
    expect(page.locator("[data-baseline='Re-plan after CR-1']")).to_be_visible()
    listed = _api(live_server, token, "GET", f"/programs/{fresh_plan.id}/baselines")["items"]
    assert sorted(b["name"] for b in listed) == ["Plan of record", "Re-plan after CR-1"]


def test_s_curves_are_drawn_on_a_canvas_for_the_program_and_a_project(
    page_as: PageAs, demo_program: int
) -> None:
    page = page_as(_demo_email("viewer"))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _goto(page, demo_program)
    _chart_drawn(page)
    canvas = page.get_by_test_id("s-curve").locator("canvas")
    expect(canvas).to_have_count(1)
    inked = """c => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return n;
    }"""
    assert canvas.evaluate(inked) > 2000, "the canvas has lines on it"
    page.get_by_label("Show").select_option("PLAT")
    expect(page.get_by_test_id("s-curve")).to_have_attribute("data-scope", "PLAT")
    _chart_drawn(page)
    # the numbers behind the chart, for anyone who cannot see it
    page.get_by_text("The program's numbers, week by week").click()
    expect(page.locator(".pf-numbers tbody tr").first).to_be_visible()
    assert errors == [], "no script errors (nor CSP refusals)"


def test_recording_health_adds_a_point_to_the_trend(
    page_as: PageAs,
    fresh_plan: PlanProgram,
    plan_people: dict[str, str],
    live_server: str,
    web_engine: Engine,
) -> None:
    page = page_as(plan_people["omar"])
    _goto(page, fresh_plan.id)
    trend = page.get_by_test_id("health-trend")
    expect(trend.get_by_test_id("trend-point")).to_have_count(0)
    expect(trend.get_by_test_id("no-history")).to_be_visible()
    trend.get_by_role("button", name="Record today's health").click()
    expect(page).to_have_url(re.compile("#health-trend$"))
    point = page.get_by_test_id("health-trend").get_by_test_id("trend-point")
    expect(point).to_have_count(1)
    api = _api(
        live_server,
        _token(web_engine, plan_people["omar"]),
        "GET",
        f"/programs/{fresh_plan.id}/health/history",
    )["items"]
    assert len(api) == 1
    expect(point).to_have_attribute("data-health", api[0]["status"])
    expect(point).to_have_attribute("data-date", api[0]["as_of"])


def test_a_viewer_sees_no_buttons_and_a_forged_post_is_forbidden(
    page_as: PageAs,
    fresh_plan: PlanProgram,
    plan_people: dict[str, str],
    live_server: str,
    web_engine: Engine,
) -> None:
    token = _token(web_engine, plan_people["omar"])
    for name in ("Plan of record", "Re-plan"):
        _api(
            live_server, token, "POST", f"/programs/{fresh_plan.id}/baselines", json={"name": name}
        )
    baselines = _api(live_server, token, "GET", f"/programs/{fresh_plan.id}/baselines")["items"]
    older = next(b for b in baselines if not b["is_current"])

    page = page_as(plan_people["vera"])
    _goto(page, fresh_plan.id)
    expect(page.get_by_test_id("variance")).to_be_visible()
    main = page.locator("main")
    expect(main.get_by_role("button")).to_have_count(0)
    expect(main.locator("form[method='post']")).to_have_count(0)
    expect(page.get_by_test_id("take-baseline")).to_have_count(0)

    csrf = page.locator("meta[name='csrf-token']").get_attribute("content")
    assert csrf
    base = f"/programs/{fresh_plan.id}/performance"
    forged: list[tuple[str, dict[str, str | float | bool]]] = [
        (f"{base}/baselines", {"name": "Mine", "csrf_token": csrf}),
        (f"{base}/baselines", {"name": "Mine"}),
        (f"{base}/baselines/{older['id']}/current", {"csrf_token": csrf}),
        (f"{base}/health-snapshots", {"csrf_token": csrf}),
        (f"{base}/health-snapshots", {}),
    ]
    for path, form in forged:
        response = page.request.post(path, form=form, max_redirects=0)
        assert response.status == 403, (path, form, response.status)
    after = _api(live_server, token, "GET", f"/programs/{fresh_plan.id}/baselines")["items"]
    assert [(b["name"], b["is_current"]) for b in after] == [
        (b["name"], b["is_current"]) for b in baselines
    ]
    history = _api(live_server, token, "GET", f"/programs/{fresh_plan.id}/health/history")
    assert history["items"] == []


def test_screenshot_of_the_performance_page(page_as: PageAs, demo_program: int) -> None:
    page = page_as(_demo_email("manager"))
    _goto(page, demo_program)
    _chart_drawn(page)
    expect(page.get_by_test_id("trend-point")).to_have_count(TREND_WEEKS + 1)
    expect(page.get_by_test_id("variance")).to_be_visible()
    screenshot(page, "performance.png")
    # on a laptop's 1024 px the variance tables go one above the other, inside the page
    page.set_viewport_size({"width": 1024, "height": 768})
    # the charts redraw to their new width when the window's resize event is handled:
    # give a loaded machine time for it, then measure
    fits = "document.documentElement.scrollWidth <= 1024"
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(fits, timeout=5000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1024, f"the performance page is {width} px wide at 1024"
