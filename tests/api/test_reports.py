"""Status reports: numbers that match the API, three formats, issued reports kept unchanged."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import update
from sqlalchemy.orm import Session

from podium.models import RiskEscalation, RiskHistory
from podium.services import auth
from podium.services import reports as report_service
from podium.services.common import today
from podium.services.demo import load_demo
from podium.services.uow import complete
from tests.api.conftest import Browser, Cast, Net, post_created
from tests.api.test_benefits import TICKETS
from tests.api.test_programs import assert_error
from tests.factories import ApiUser


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _with_baseline_and_slip(cast: Cast, net: Net) -> None:
    cast.manager.post(f"/api/v1/programs/{cast.program.id}/baselines", json={"name": "Plan"})
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12})


def test_markdown_report_carries_health_milestones_and_blockers_as_the_api_says(
    cast: Cast, net: Net
) -> None:
    _with_baseline_and_slip(cast, net)
    pid = cast.program.id
    health = cast.viewer.get(f"/api/v1/programs/{pid}/health").json()
    schedule = cast.viewer.get(f"/api/v1/programs/{pid}/schedule").json()
    response = cast.viewer.get(f"/api/v1/programs/{pid}/report", params={"format": "md"})
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/markdown"
    )
    text = response.text
    assert f"**Health: {health['program']['status'].upper()}**" in text
    assert f"Forecast finish: {schedule['finish']}" in text
    row = "| M1 Trainers ready | 2027-01-22 | 2027-01-22 | 2027-01-26 | 2 working days late |"
    assert row in text
    assert "PLAT-1 (PLAT) → TRAIN-1 (TRAIN) → M1" in text  # the cross-project blocker's chain
    assert "2 working days late against the baseline" in text
    # a report for a day before the blocker was found does not list it
    before = cast.viewer.get(
        f"/api/v1/programs/{pid}/report", params={"format": "md", "date": "2026-06-01"}
    )
    assert before.status_code == 200, before.text
    assert "TRAIN-1 (TRAIN) → M1" not in before.text and "status on 2026-06-01" in before.text


def test_the_report_lists_the_live_risks_the_benefits_and_the_decisions_waiting(
    cast: Cast, net: Net
) -> None:
    pid = cast.program.id
    url = f"/api/v1/programs/{pid}/report"
    empty = cast.viewer.get(url, params={"format": "md"}).text
    assert "No live risks." in empty and "No benefits defined." in empty
    assert "No change request is waiting for a decision." in empty
    assert "Not tracked" not in empty

    risk = {"program_id": pid, "level": "program", "probability": 4, "impact": 5}
    for title, probability in (("Lease ends", 4), ("Vendor late", 2)):
        made = cast.manager.post(
            "/api/v1/risks", json=risk | {"title": title, "probability": probability}
        )
        assert made.status_code == 201, made.text
    closed = cast.manager.post("/api/v1/risks", json=risk | {"title": "Gone"}).json()
    shut = cast.manager.patch(f"/api/v1/risks/{closed['id']}", json={"status": "closed"})
    assert shut.status_code == 200, shut.text
    benefit = cast.manager.post("/api/v1/benefits", json={"program_id": pid, **TICKETS})
    assert benefit.status_code == 201, benefit.text
    raised = cast.member.post(
        f"/api/v1/programs/{pid}/change-requests",
        json={"title": "Slip", "changes": [{"type": "slip", "task_id": net.plat["id"], "days": 2}]},
    )
    assert raised.status_code == 201, raised.text

    text = cast.viewer.get(url, params={"format": "md"}).text
    assert "2 live risks, 1 on the steering agenda:" in text
    assert "| R1 Lease ends | 20 (4×5) | program | — | steering agenda |" in text
    assert text.index("Lease ends") < text.index("Vendor late | 10 (2×5)")
    assert "Gone" not in text
    assert (
        "| support tickets per month | — | 840 tickets by 2028-01-01 | — | no reading yet |" in text
    )
    assert "- CR-1 Slip (requested by " in text and "finish +2 working days" in text
    page = cast.viewer.get(url, params={"format": "html"})
    html = page.text
    assert "Lease ends" in html and "support tickets per month" in html and "CR-1 Slip" in html
    # opened in a browser straight from the API: a page with no script, never framed
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"


def test_pdf_report_is_self_contained_and_its_text_matches(cast: Cast, net: Net) -> None:
    _with_baseline_and_slip(cast, net)
    response = cast.viewer.get(
        f"/api/v1/programs/{cast.program.id}/report", params={"format": "pdf"}
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "Cloud migration" in text and "Health: Red" in text
    assert "M1 Trainers ready" in text and "2027-01-26" in text


def test_an_issued_report_is_kept_unchanged_and_the_next_says_what_changed(
    cast: Cast, net: Net
) -> None:
    pid = cast.program.id
    cast.manager.post(f"/api/v1/programs/{pid}/baselines", json={"name": "Plan"})
    first = cast.manager.post(f"/api/v1/programs/{pid}/reports")
    assert first.status_code == 201, first.text
    issued = first.json()
    before = cast.viewer.get(issued["links"]["md"]).text
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12})
    assert cast.viewer.get(issued["links"]["md"]).text == before  # unchanged by later edits
    assert "Health: GREEN" in before
    second = cast.manager.post(f"/api/v1/programs/{pid}/reports").json()
    changed = cast.viewer.get(second["links"]["md"]).text
    assert "Health went from green to red." in changed
    assert "Milestone M1 is forecast 2 working days later than reported" in changed
    listed = cast.viewer.get(f"/api/v1/programs/{pid}/reports").json()["items"]
    assert [r["id"] for r in listed] == [second["id"], issued["id"]]
    pdf = cast.viewer.get(second["links"]["pdf"])
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]


def test_what_changed_is_told_since_the_latest_report_dated_before_this_one(
    cast: Cast, net: Net, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = cast.program.id
    monkeypatch.setattr(report_service, "today", lambda: date(2027, 1, 22))

    def issue(day: str) -> None:
        issued = cast.manager.post(f"/api/v1/programs/{pid}/reports", json={"date": day})
        assert issued.status_code == 201, issued.text

    def target(day: str) -> None:
        moved = cast.manager.patch(f"/api/v1/milestones/{net.m1['id']}", json={"target_date": day})
        assert moved.status_code == 200, moved.text

    def draft(day: str) -> str:
        url = f"/api/v1/programs/{pid}/report"
        return cast.viewer.get(url, params={"format": "md", "date": day}).text

    issue("2027-01-06")
    target("2027-01-29")
    issue("2027-01-06")  # issued again on that date: the later one counts
    target("2027-02-05")
    issue("2027-01-20")  # issued last, but for a later date: no "before" to 11 January
    earlier = draft("2027-01-11")
    assert "## What changed since 2027-01-06" in earlier
    assert "target moved from 2027-01-29 to 2027-02-05." in earlier
    first = draft("2027-01-05")
    assert "## What changed since the start" in first and "First report of this program." in first


def test_the_report_rounds_amounts_once_as_the_performance_page_and_says_when_it_has_none(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    pid = cast.program.id
    empty = cast.viewer.get(f"/api/v1/programs/{pid}/report", params={"format": "md"}).text
    assert "## Milestones\n\nNo milestones yet." in empty and "| project |" not in empty
    # earned 40 % of 8.74825: 3.4993, spent 2.5 (once rounded to 3.5, then to 4 and 2)
    project = post_created(
        cast.manager, "/api/v1/projects", {"program_id": pid, "key": "APP", "name": "App"}
    )
    body = {"project_id": project["id"], "name": "Design", "duration": 5, "budget": 8.74825}
    task = post_created(cast.manager, "/api/v1/tasks", body)
    post_created(cast.manager, f"/api/v1/programs/{pid}/baselines", {"name": "Plan"})
    cast.owner.patch(f"/api/v1/programs/{pid}", json={"status_date": "2027-01-06"})
    progress = cast.manager.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"percent_complete": 40, "actual_start": "2027-01-04", "actual_cost": 2.5},
    )
    assert progress.status_code == 200, progress.text

    text = cast.viewer.get(f"/api/v1/programs/{pid}/report", params={"format": "md"}).text
    assert "earned 3 of " in text and ", 3 spent;" in text
    page = browser_as("viewer@example.com").get(f"/programs/{pid}/performance")
    for column, value in (("ev", 3.4993), ("ac", 2.5)):
        cell = re.search(
            rf'data-col="{column}"><span class="num" data-value="([^"]+)">(\w+)<', page
        )
        assert cell is not None and float(cell[1]) == pytest.approx(value) and cell[2] == "3"


@pytest.mark.parametrize(
    ("role", "expected"),
    [("manager", 201), ("owner", 201), ("member", 403), ("viewer", 403), ("outsider", 404)],
)
def test_only_managers_issue_reports(cast: Cast, net: Net, role: str, expected: int) -> None:
    assert (
        cast.by_role(role).post(f"/api/v1/programs/{cast.program.id}/reports").status_code
        == expected
    )


def test_report_errors(cast: Cast, net: Net) -> None:
    assert_error(
        cast.viewer.get(f"/api/v1/programs/{cast.program.id}/report", params={"format": "docx"}),
        422,
    )
    assert_error(cast.viewer.get("/api/v1/reports/999999"), 404)
    assert_error(cast.outsider.get(f"/api/v1/programs/{cast.program.id}/report"), 404)
    issued = cast.manager.post(f"/api/v1/programs/{cast.program.id}/reports", json={})
    assert issued.status_code == 201, issued.text
    error = assert_error(cast.outsider.get(f"/api/v1/reports/{issued.json()['id']}"), 404)
    assert error["message"] == f"report {issued.json()['id']} not found"  # as if none


def test_a_report_is_neither_drafted_nor_issued_for_a_day_still_to_come(
    cast: Cast, net: Net, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = cast.program.id
    monkeypatch.setattr(report_service, "today", lambda: date(2027, 1, 11))
    issue, draft = f"/api/v1/programs/{pid}/reports", f"/api/v1/programs/{pid}/report"
    for refused in (
        cast.manager.post(issue, json={"date": "2027-06-01"}),
        cast.viewer.get(draft, params={"format": "md", "date": "2027-06-01"}),
    ):
        error = assert_error(refused, 422, "validation_failed")
        assert error["details"] == [
            {
                "field": "date",
                "message": "2027-06-01 is in the future: a status report says what is known "
                "on its date, so choose 2027-01-11 (today) or an earlier day",
            }
        ]
    assert cast.viewer.get(issue).json()["items"] == []  # nothing kept
    assert cast.manager.post(issue, json={"date": "2027-01-11"}).status_code == 201
    # a status date set ahead of today is the day the plan is read on: up to it
    moved = cast.owner.patch(f"/api/v1/programs/{pid}", json={"status_date": "2027-01-15"})
    assert moved.status_code == 200, moved.text
    assert cast.manager.post(issue, json={"date": "2027-01-15"}).status_code == 201
    assert cast.manager.post(issue).json()["as_of"] == "2027-01-15"
    error = assert_error(cast.manager.post(issue, json={"date": "2027-01-18"}), 422)
    assert "choose 2027-01-15 (the program's status date) or an earlier day" in error["message"]


def test_the_report_on_the_demo_program_matches_the_api(
    app_client: TestClient, db: Session
) -> None:
    loaded = load_demo(db)
    complete(db)
    user = auth.find_user(db, loaded.email)
    assert user is not None
    admin = ApiUser(app_client, loaded.token, user)
    program = admin.get("/api/v1/programs", params={"q": "CLOUD"}).json()["items"][0]
    pid = program["id"]
    health = admin.get(f"/api/v1/programs/{pid}/health").json()
    schedule = admin.get(f"/api/v1/programs/{pid}/schedule").json()
    value = admin.get(f"/api/v1/programs/{pid}/earned-value").json()["program"]
    text = admin.get(f"/api/v1/programs/{pid}/report", params={"format": "md"}).text
    assert f"**Health: {health['program']['status'].upper()}**" in text
    assert f"Forecast finish: {schedule['finish']}" in text
    for m in schedule["milestones"]:
        assert f"| {m['milestone']['key']} {m['milestone']['name']} | {m['target']} |" in text
    assert f"SPI {value['spi']:.2f}, CPI {value['cpi']:.2f}" in text
    assert "Plan of record" in text
    # a shared person's collision is worded as tasks colliding, not as a chain of links
    (overload,) = [line for line in text.splitlines() if "over-allocated on" in line][:1]
    assert "collide" in overload and "→" not in overload
    # in the PDF a section's heading stays on the page of what it heads
    pdf = admin.get(f"/api/v1/programs/{pid}/report", params={"format": "pdf"}).content
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    (risks,) = [page for page in pages if "live risks" in page]
    assert "Risks, benefits and decisions needed" in risks and "R2 Legacy" in risks
    # … nor is a table's header row left alone at the foot of a page (it was, for Benefits)
    (benefits,) = [page for page in pages if re.search(r"(^|\n)Benefits\n", page)]
    assert "BENEFIT LATEST TARGET" in benefits and "hosting cost per month" in benefits


def test_the_reports_page_reads_and_issues_the_report_of_a_chosen_date(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser], monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = cast.program.id
    monkeypatch.setattr(report_service, "today", lambda: date(2027, 1, 11))
    page = browser_as("manager@example.com")
    shown = page.get(f"/programs/{pid}/reports?date=2027-01-06")
    assert "Status report on" in shown and "6 Jan 2027" in shown
    assert f"/api/v1/programs/{pid}/report?format=pdf&amp;date=2027-01-06" in shown
    assert '<input type="hidden" name="date" value="2027-01-06">' in shown
    answer = page.post(f"/programs/{pid}/reports", {"date": "2027-01-06"})
    assert answer.status_code == 303, answer.text
    issued = cast.viewer.get(f"/api/v1/programs/{pid}/reports").json()["items"]
    assert [r["as_of"] for r in issued] == ["2027-01-06"]
    # a date that is none, outside the plan's window or still to come is said beside the
    # field; the page still offers the report on the program's status date, and nothing
    # is issued
    for typed, said in (
        ("2027-02-30", "Enter a date (YYYY-MM-DD)."),
        ("1850-01-01", "1850-01-01 is outside the dates a plan may hold"),
        (
            "2027-06-01",
            "2027-06-01 is in the future: a status report says what is known on its date, "
            "so choose 2027-01-11 (today) or an earlier day.",
        ),
    ):
        refused = page.client.get(f"/programs/{pid}/reports", params={"date": typed})
        assert refused.status_code == 422 and said in refused.text, typed
        refused = page.post(f"/programs/{pid}/reports", {"date": typed})
        assert refused.status_code == 422 and said in refused.text, typed
    assert len(cast.viewer.get(f"/api/v1/programs/{pid}/reports").json()["items"]) == 1
    # a viewer may choose a date to read, not issue
    viewer = browser_as("viewer@example.com")
    assert "6 Jan 2027" in viewer.get(f"/programs/{pid}/reports?date=2027-01-06")
    assert viewer.post(f"/programs/{pid}/reports", {"date": "2027-01-06"}).status_code == 403
    assert viewer.post(f"/programs/{pid}/reports", {"date": "nope"}).status_code == 403


def test_a_past_days_health_and_report_rate_the_risks_as_they_stood_that_day(
    cast: Cast, net: Net
) -> None:
    pid = cast.program.id
    raised = cast.manager.post(
        "/api/v1/risks",
        json={"program_id": pid, "level": "program", "title": "Lease ends"}
        | {"probability": 5, "impact": 5},
    )
    assert raised.status_code == 201, raised.text
    risk_id = raised.json()["id"]
    # raised (and put on the steering agenda) ten days ago, as its history says; lowered today
    then = datetime.now(UTC) - timedelta(days=10)
    for table in (RiskHistory, RiskEscalation):
        cast.db.execute(update(table).where(table.risk_id == risk_id).values(at=then))
    cast.db.commit()
    lowered = cast.manager.patch(f"/api/v1/risks/{risk_id}", json={"probability": 1})
    assert lowered.status_code == 200, lowered.text

    def on(day: date) -> tuple[list[str], str]:
        health = cast.viewer.get(
            f"/api/v1/programs/{pid}/health", params={"status_date": day.isoformat()}
        ).json()
        report = cast.viewer.get(
            f"/api/v1/programs/{pid}/report", params={"format": "md", "date": day.isoformat()}
        )
        assert report.status_code == 200, report.text
        risky = [r["ref"]["key"] for r in health["program"]["reasons"] if r["rule"] == "high_risks"]
        return risky, report.text

    risky, text = on(today() - timedelta(days=5))
    assert risky == ["R1"]
    assert "1 live risk, 1 on the steering agenda:" in text
    assert "| R1 Lease ends | 25 (5×5) | program | — | steering agenda |" in text
    risky, text = on(today())
    assert risky == [] and "| R1 Lease ends | 5 (1×5) |" in text and "steering" not in text
    risky, text = on(today() - timedelta(days=20))  # before it was raised
    assert risky == [] and "No live risks." in text
