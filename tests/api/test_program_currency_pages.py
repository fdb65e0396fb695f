"""A program's currency on its pages and in its status report.

The settings form saves a code and refuses one that is not ISO 4217 beside the field;
single figures carry the code after the amount ("32,000 EUR") and tables name it once
in a heading; the report's Markdown and HTML print amounts with it; an issued report
keeps the code it was issued with. Without a currency, amounts are bare, as before.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from podium.services.actor import SYSTEM
from podium.services.resources import assignments
from podium.services.scheduling import reschedule_program
from tests.api.conftest import Browser, Cast, post_created
from tests.api.test_resources import contest
from tests.factories import make_program, make_project, make_task

NBSP = "\u00a0"


def _text(page: str) -> str:
    """The page's text: inline tags dropped, others read as a space, entities read, runs
    of spaces (not the no-break space between an amount and its code) made one."""
    inline = re.sub(r"</?(?:span|strong|abbr|em)\b[^>]*>", "", page)
    text = html.unescape(re.sub(r"<[^>]+>", " ", inline))
    return re.sub(r"[ \t\r\n]+", " ", text)


def _settings_form(cast: Cast, **fields: str) -> dict[str, object]:
    """The settings form as the page sends it, with the program as stored, unless given."""
    p = cast.owner.get(f"/api/v1/programs/{cast.program.id}").json()
    goal = p["goal"]
    form: dict[str, object] = {
        "version": str(p["version"]),
        "key": p["key"],
        "name": p["name"],
        "description": p["description"],
        "start_date": p["start_date"],
        "calendar_id": "",
        "status_date": p["status_date"] or "",
        "status": p["status"],
        "currency": p["currency"] or "",
        **{f"goal_{k}": "" if v is None else str(v) for k, v in goal.items()},
    }
    return form | fields


@pytest.fixture
def costed(cast: Cast) -> dict[str, Any]:
    """CLOUD with one task (5 days from 4 January 2027, budget 32,000), a baseline of it,
    and 40 % done for 10,000 by the status date, 6 January."""
    pid = cast.program.id
    project = post_created(
        cast.manager, "/api/v1/projects", {"program_id": pid, "key": "APP", "name": "App"}
    )
    body = {"project_id": project["id"], "name": "Design", "duration": 5, "budget": 32000}
    task = post_created(cast.manager, "/api/v1/tasks", body)
    post_created(cast.manager, f"/api/v1/programs/{pid}/baselines", {"name": "Plan"})
    cast.owner.patch(f"/api/v1/programs/{pid}", json={"status_date": "2027-01-06"})
    task = cast.manager.get(f"/api/v1/tasks/{task['id']}").json()
    progress = cast.manager.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"percent_complete": 40, "actual_start": "2027-01-04", "actual_cost": 10000},
        headers={"If-Match": f'"{task["version"]}"'},
    )
    assert progress.status_code == 200, progress.text
    return task


def _set_currency(cast: Cast, code: str | None) -> None:
    response = cast.owner.patch(f"/api/v1/programs/{cast.program.id}", json={"currency": code})
    assert response.status_code == 200, response.text


# --- the settings form -------------------------------------------------------------------


def test_the_settings_form_saves_a_currency_in_capitals_and_shows_it(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    owner = browser_as("owner@example.com")
    url = f"/programs/{cast.program.id}/settings"
    page = owner.get(url)
    assert 'name="currency"' in page and '<option value="EUR">' in page
    saved = owner.post(url, _settings_form(cast, currency="usd"))
    assert saved.status_code == 303, saved.text
    assert cast.viewer.get(f"/api/v1/programs/{cast.program.id}").json()["currency"] == "USD"
    assert 'name="currency" type="text" value="USD"' in owner.get(url)
    cleared = owner.post(url, _settings_form(cast, currency=""))
    assert cleared.status_code == 303, cleared.text
    assert cast.viewer.get(f"/api/v1/programs/{cast.program.id}").json()["currency"] is None


def test_the_settings_form_refuses_euro_beside_the_currency_field(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    owner = browser_as("owner@example.com")
    url = f"/programs/{cast.program.id}/settings"
    refused = owner.post(url, _settings_form(cast, currency="EURO", name="Renamed"))
    assert refused.status_code == 422
    error = re.search(r'data-error-for="currency"[^>]*>(.*?)</p>', refused.text, re.S)
    assert error is not None
    assert "ISO 4217 code" in _text(error.group(1))
    assert 'value="EURO"' in refused.text  # what was typed, to correct
    stored = cast.viewer.get(f"/api/v1/programs/{cast.program.id}").json()
    assert (stored["currency"], stored["name"]) == (None, "Cloud migration")


def test_a_new_program_is_started_with_its_currency_from_the_form(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    member = browser_as("member@example.com")
    assert 'list="currency-codes"' in member.get("/programs/new")
    form = {"key": "DATA", "name": "Data", "start_date": "2027-02-01", "status": "active"}
    refused = member.post("/programs", {**form, "currency": "EU"})
    assert refused.status_code == 422 and 'data-error-for="currency"' in refused.text
    made = member.post("/programs", {**form, "currency": "chf"})
    assert made.status_code == 303, made.text
    programs = cast.member.get("/api/v1/programs", params={"q": "DATA"}).json()["items"]
    assert [(p["key"], p["currency"]) for p in programs] == [("DATA", "CHF")]


def test_a_viewer_reads_the_currency_but_cannot_save_it(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    _set_currency(cast, "EUR")
    viewer = browser_as("viewer@example.com")
    url = f"/programs/{cast.program.id}/settings"
    assert 'value="EUR"' in viewer.get(url)
    refused = viewer.post(url, _settings_form(cast, currency="USD"))
    assert refused.status_code == 403
    assert cast.viewer.get(f"/api/v1/programs/{cast.program.id}").json()["currency"] == "EUR"


# --- the pages that show money -----------------------------------------------------------


def test_the_performance_page_names_the_currency_once_per_table_and_after_figures(
    cast: Cast, costed: dict[str, Any], browser_as: Callable[[str], Browser]
) -> None:
    viewer = browser_as("viewer@example.com")
    url = f"/programs/{cast.program.id}/performance"
    bare = _text(viewer.get(url))
    assert "EUR" not in bare and "of budget 32,000" in bare
    _set_currency(cast, "EUR")
    page = viewer.get(url)
    text = _text(page)
    assert f"of budget 32,000{NBSP}EUR" in text
    assert "amounts in EUR" in text  # the earned value table's caption
    assert "PV (EUR)" in text  # the week-by-week table's headings
    # the table's cells stay numbers, and keep their numeric data-value
    cell = re.search(r'data-col="bac"><span class="num" data-value="([^"]+)">([^<]+)</span><', page)
    assert cell is not None and float(cell.group(1)) == 32000 and cell.group(2) == "32,000"


def test_the_overview_task_page_scenario_and_governance_show_the_currency(
    cast: Cast, costed: dict[str, Any], browser_as: Callable[[str], Browser]
) -> None:
    _set_currency(cast, "GBP")
    viewer = browser_as("manager@example.com")
    overview = _text(viewer.get(f"/programs/{cast.program.id}"))
    assert f"of budget 32,000{NBSP}GBP" in overview
    task = _text(viewer.get(f"/tasks/{costed['id']}"))
    assert f"32,000{NBSP}GBP planned" in task and f"10,000{NBSP}GBP spent so far" in task
    assert "Budget (GBP)" in task and "Actual cost (GBP)" in task
    scenario = post_created(
        cast.manager, f"/api/v1/programs/{cast.program.id}/scenarios", {"name": "Faster"}
    )
    assert "Total cost (GBP)" in _text(viewer.get(f"/scenarios/{scenario['id']}"))
    post_created(
        cast.manager,
        f"/api/v1/programs/{cast.program.id}/change-requests",
        {"title": "More testing", "budget_changes": [{"task_id": costed["id"], "budget": 40000}]},
    )
    governance = _text(viewer.get(f"/programs/{cast.program.id}/governance"))
    assert "Cost (GBP) +8,000 budget 32,000 → 40,000" in governance
    assert "New budget (GBP)" in governance


def test_without_a_currency_the_task_page_shows_bare_amounts(
    cast: Cast, costed: dict[str, Any], browser_as: Callable[[str], Browser]
) -> None:
    task = _text(browser_as("manager@example.com").get(f"/tasks/{costed['id']}"))
    assert "32,000 planned" in task and "Budget (" not in task


# --- the status report ------------------------------------------------------------------


def _draft(cast: Cast, fmt: str) -> str:
    response = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/report", params={"format": fmt})
    assert response.status_code == 200, response.text
    return response.text


def test_the_report_prints_amounts_with_the_currency_in_markdown_and_html(
    cast: Cast, costed: dict[str, Any]
) -> None:
    markdown = _draft(cast, "md")
    assert "of a 32,000 budget" in markdown and "EUR" not in markdown
    assert "EUR" not in _draft(cast, "html")
    _set_currency(cast, "EUR")
    markdown = _draft(cast, "md")
    assert f"of a 32,000{NBSP}EUR budget" in markdown
    assert f"10,000{NBSP}EUR spent" in markdown
    page = _draft(cast, "html")
    assert f"<span>Actual cost</span><strong>10,000{NBSP}EUR</strong>" in page
    assert f"of 32,000{NBSP}EUR" in page
    assert re.search(rf"<text [^>]*>[\d,]+{NBSP}EUR</text>", page)  # the S-curve's top


def test_an_issued_report_keeps_the_currency_it_was_issued_with(
    cast: Cast, costed: dict[str, Any]
) -> None:
    _set_currency(cast, "EUR")
    issued = post_created(cast.manager, f"/api/v1/programs/{cast.program.id}/reports", {})
    _set_currency(cast, "USD")
    url = f"/api/v1/reports/{issued['id']}/content"
    kept = cast.viewer.get(url, params={"format": "md"}).text
    assert f"of a 32,000{NBSP}EUR budget" in kept and "USD" not in kept
    assert f"of a 32,000{NBSP}USD budget" in _draft(cast, "md")


@pytest.mark.parametrize("code", ["CHF", None])
def test_the_retrospective_page_prints_an_approved_requests_cost_with_the_currency(
    cast: Cast, costed: dict[str, Any], browser_as: Callable[[str], Browser], code: str | None
) -> None:
    _set_currency(cast, code)
    cr = post_created(
        cast.manager,
        f"/api/v1/programs/{cast.program.id}/change-requests",
        {"title": "More testing", "budget_changes": [{"task_id": costed["id"], "budget": 40000}]},
    )
    response = cast.manager.post(f"/api/v1/change-requests/{cr['id']}/approve", json={})
    assert response.status_code == 200, response.text
    page = browser_as("manager@example.com").get(f"/programs/{cast.program.id}/retrospective")
    shown = re.search(r'data-testid="cr-cost">([^<]*)<', page)
    assert shown is not None, page
    assert html.unescape(shown.group(1)) == (f"+8,000{NBSP}CHF" if code else "+8,000")


# --- a resource's page: its assignments in every program ------------------------------------


@pytest.mark.parametrize(
    ("cloud", "shop", "heading", "plat", "web"),
    [
        ("EUR", "USD", "Cost", f"3,600{NBSP}EUR", f"3,600{NBSP}USD"),
        ("EUR", "EUR", "Cost (EUR)", "3,600", "3,600"),
        (None, None, "Cost", "3,600", "3,600"),
    ],
)
def test_a_resources_page_names_one_currency_once_and_two_beside_each_cost(
    cast: Cast,
    db: Session,
    browser_as: Callable[[str], Browser],
    cloud: str | None,
    shop: str | None,
    heading: str,
    plat: str,
    web: str,
) -> None:
    setup = contest(cast)  # Ana (90 an hour) on PLAT-1 for 5 days in CLOUD
    _set_currency(cast, cloud)
    other = make_program(db, key="SHOP", currency=shop)
    task = make_task(db, make_project(db, other, "WEB"), "WEB-1", duration=5)
    assignments.create_assignment(db, SYSTEM, task_id=task.id, resource_id=setup.ana["id"])
    reschedule_program(db, other.id)
    db.commit()
    page = browser_as("admin@example.com").get(f"/resources/{setup.ana['id']}")
    shown = re.search(r'data-testid="cost-heading">([^<]*)<', page)
    assert shown is not None and shown.group(1) == heading
    costs = {
        key: html.unescape(cost)
        for key, cost in re.findall(
            r'<tr data-key="([^"]+)">.*?data-testid="cost">([^<]*)<', page, re.DOTALL
        )
    }
    assert costs["PLAT-1"] == plat and costs["WEB-1"] == web


@pytest.mark.parametrize("code", ["CHF", None])
def test_the_reports_decisions_needed_give_a_requests_cost_with_the_currency(
    cast: Cast, costed: dict[str, Any], code: str | None
) -> None:
    _set_currency(cast, code)
    post_created(
        cast.manager,
        f"/api/v1/programs/{cast.program.id}/change-requests",
        {"title": "More testing", "budget_changes": [{"task_id": costed["id"], "budget": 40000}]},
    )
    said = "; cost +8,000" + (f"{NBSP}CHF" if code else "")
    report = _draft(cast, "md")
    assert said in report and (code is not None or "CHF" not in report)
