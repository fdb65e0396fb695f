"""A program with nothing scheduled has no plan to be on: its health is "no_plan" — in the
API, the history, the status report and the pages — never green."""

from __future__ import annotations

import io
from collections.abc import Callable

from pypdf import PdfReader

from tests.api.conftest import Browser, Cast, post_created


def _project(cast: Cast, key: str) -> dict:
    return post_created(
        cast.manager,
        "/api/v1/projects",
        {"program_id": cast.program.id, "key": key, "name": key.title()},
    )


def _task(cast: Cast, project: dict) -> dict:
    return post_created(
        cast.manager, "/api/v1/tasks", {"project_id": project["id"], "name": "Pilot", "duration": 5}
    )


def test_an_empty_program_has_no_plan_rather_than_green(cast: Cast) -> None:
    health = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/health").json()
    assert health["program"]["status"] == "no_plan"
    assert health["program"]["planned"] is False and health["program"]["reasons"] == []
    assert health["projects"] == [] and health["milestones"] == []


def test_projects_without_tasks_have_no_plan_until_work_is_added(cast: Cast) -> None:
    url = f"/api/v1/programs/{cast.program.id}/health"
    plat, _ = _project(cast, "PLAT"), _project(cast, "TRAIN")
    health = cast.viewer.get(url).json()
    assert health["program"]["status"] == "no_plan"
    assert {p["ref"]["key"]: p["status"] for p in health["projects"]} == {
        "PLAT": "no_plan",
        "TRAIN": "no_plan",
    }
    _task(cast, plat)
    health = cast.viewer.get(url).json()
    assert health["program"]["status"] == "green" and health["program"]["planned"] is True
    projects = {p["ref"]["key"]: (p["status"], p["planned"]) for p in health["projects"]}
    # the empty project is shown as such and does not colour the program
    assert projects == {"PLAT": ("green", True), "TRAIN": ("no_plan", False)}


def test_a_program_milestone_nothing_feeds_is_not_a_plan(cast: Cast) -> None:
    post_created(
        cast.manager,
        "/api/v1/milestones",
        {
            "program_id": cast.program.id,
            "key": "M1",
            "name": "Live",
            "target_date": "2027-01-05",  # before the forecast a start date would give
        },
    )
    health = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/health").json()
    assert health["program"]["status"] == "no_plan" and health["program"]["reasons"] == []


def test_a_snapshot_of_an_empty_program_records_no_plan_not_green(cast: Cast) -> None:
    pid = cast.program.id
    _project(cast, "PLAT")
    snapshot = cast.manager.post(f"/api/v1/programs/{pid}/health/snapshots")
    assert snapshot.status_code == 201, snapshot.text
    assert snapshot.json()["status"] == "no_plan"
    assert snapshot.json()["projects"] == {"PLAT": "no_plan"}
    (kept,) = cast.viewer.get(f"/api/v1/programs/{pid}/health/history").json()["items"]
    assert kept["status"] == "no_plan"


def test_the_report_of_an_empty_program_says_nothing_is_planned(cast: Cast) -> None:
    pid = cast.program.id
    plat = _project(cast, "PLAT")
    url = f"/api/v1/programs/{pid}/report"
    markdown = cast.viewer.get(url, params={"format": "md"}).text
    assert "**Health: NO PLAN YET** — Nothing is planned yet" in markdown
    assert "GREEN" not in markdown and "on plan and within tolerances" not in markdown
    assert "| PLAT | no plan yet | No tasks or dated milestones to judge yet |" in markdown
    html = cast.viewer.get(url, params={"format": "html"}).text
    assert '<span class="badge no_plan">Health: No plan yet</span>' in html
    # no milestones: a sentence, not the headings of an empty table
    assert "<p>No milestones yet.</p>" in html and "<th>Milestone</th>" not in html
    pdf = PdfReader(io.BytesIO(cast.viewer.get(url, params={"format": "pdf"}).content))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Health: No plan yet" in text and "Green" not in text
    issued = cast.manager.post(f"/api/v1/programs/{pid}/reports")
    assert issued.status_code == 201 and issued.json()["status"] == "no_plan"
    _task(cast, plat)
    again = cast.manager.post(f"/api/v1/programs/{pid}/reports").json()
    content = cast.viewer.get(f"/api/v1/reports/{again['id']}/content", params={"format": "md"})
    assert "Health went from no plan yet to green." in content.text


def test_the_pages_show_no_plan_in_grey_with_what_to_do(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    pid = cast.program.id
    manager = browser_as("manager@example.com")
    listing = manager.get("/")
    assert 'data-health="no_plan"' in listing and "No plan yet" in listing
    assert 'data-health="green"' not in listing and "On plan" not in listing
    overview = manager.get(f"/programs/{pid}")
    assert 'data-health="no_plan"' in overview and "on plan and within tolerances" not in overview
    assert f'<a href="/programs/{pid}/projects">Add a project and its tasks</a>' in overview
    assert cast.manager.post(f"/api/v1/programs/{pid}/health/snapshots").status_code == 201
    performance = manager.get(f"/programs/{pid}/performance")
    assert 'data-health="no_plan"' in performance and 'data-testid="no-plan"' in performance
    assert 'class="pf-chip pf-chip--no_plan"' in performance  # the trend's point, in grey
    assert 'Latest: <span class="health health--no_plan"' in performance
    viewer = browser_as("viewer@example.com").get(f"/programs/{pid}")
    assert "Health shows once the program's managers add projects and tasks." in viewer


def test_a_high_risk_still_turns_a_program_with_no_plan_red_and_the_page_says_both(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    pid = cast.program.id
    risk = {"program_id": pid, "level": "program", "probability": 4, "impact": 5}
    post_created(cast.manager, "/api/v1/risks", {**risk, "title": "Lease ends"})
    health = cast.viewer.get(f"/api/v1/programs/{pid}/health").json()["program"]
    assert (health["status"], health["planned"]) == ("red", False)
    assert [r["rule"] for r in health["reasons"]] == ["high_risks"]
    overview = browser_as("manager@example.com").get(f"/programs/{pid}")
    assert 'data-health="red"' in overview
    assert "Nothing is scheduled yet, so only risks and benefits are judged." in overview
    url = f"/api/v1/programs/{pid}/report"
    note = "Nothing is scheduled yet: only risks and benefits"
    markdown = cast.viewer.get(url, params={"format": "md"}).text
    assert "**Health: RED** — Risk R1" in markdown
    assert f"\n\n{note} are judged.\n\n## Goal" in markdown
    html = cast.viewer.get(url, params={"format": "html"}).text
    assert f'<p class="muted">{note} are judged.</p>' in html
