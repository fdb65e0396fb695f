"""The truthful status, read as a program manager reads it: the health, the milestones and
the status report agree with each other and with what was done."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from podium.services import auth
from podium.services.demo import load_demo
from podium.services.uow import complete
from tests.api.conftest import Browser, Cast, Net
from tests.factories import ApiUser


def _baseline(cast: Cast) -> None:
    response = cast.manager.post(
        f"/api/v1/programs/{cast.program.id}/baselines", json={"name": "Plan"}
    )
    assert response.status_code == 201, response.text


def _done(cast: Cast, task: dict, start: str, finish: str) -> None:
    response = cast.manager.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"actual_start": start, "actual_finish": finish, "percent_complete": 100},
    )
    assert response.status_code == 200, response.text


def test_a_milestone_reached_late_is_no_longer_red_for_a_forecast_it_has_met(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    _baseline(cast)
    pid = cast.program.id
    _done(cast, net.sec, "2027-01-04", "2027-01-06")
    _done(cast, net.plat, "2027-01-04", "2027-01-19")
    _done(cast, net.train, "2027-01-20", "2027-01-26")  # M1 (target 22 Jan) came in on 26 Jan

    page = browser_as("viewer@example.com").get(f"/programs/{pid}/milestones")
    assert "Reached" in page  # the milestones page says so
    health = cast.viewer.get(f"/api/v1/programs/{pid}/health").json()
    (m1,) = health["milestones"]
    assert m1["status"] == "green", m1  # all its work is done: nothing left to forecast
    assert not [r for r in health["program"]["reasons"] if r["ref"]["key"] == "M1"]


def test_a_moved_target_is_not_reported_as_a_moved_forecast(cast: Cast, net: Net) -> None:
    pid = cast.program.id
    _baseline(cast)
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12})  # M1: 26 Jan
    issued = cast.manager.post(f"/api/v1/programs/{pid}/reports")
    assert issued.status_code == 201, issued.text
    moved = cast.manager.patch(
        f"/api/v1/milestones/{net.m1['id']}", json={"target_date": "2027-01-29"}
    )
    assert moved.status_code == 200, moved.text

    text = cast.viewer.get(f"/api/v1/programs/{pid}/report", params={"format": "md"}).text
    assert (
        "| M1 Trainers ready | 2027-01-29 | 2027-01-22 | 2027-01-26 | 3 working days early |"
        in text
    )
    assert "forecast 5 working days earlier" not in text  # the forecast did not move
    assert "Milestone M1's target moved from 2027-01-22 to 2027-01-29." in text


def test_the_next_report_says_how_far_a_milestone_forecast_moved_in_dates(
    cast: Cast, net: Net
) -> None:
    pid = cast.program.id
    _baseline(cast)
    assert cast.manager.post(f"/api/v1/programs/{pid}/reports").status_code == 201
    cast.manager.patch(f"/api/v1/milestones/{net.m1['id']}", json={"target_date": None})
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12})

    text = cast.viewer.get(f"/api/v1/programs/{pid}/report", params={"format": "md"}).text
    assert "Milestone M1 is forecast 2 working days later than reported on " in text
    assert "(2027-01-22 → 2027-01-26)." in text
    assert "Milestone M1's target moved from 2027-01-22 to none." in text


def test_the_milestones_api_reads_the_forecast_and_slip_the_pages_show(
    cast: Cast, net: Net
) -> None:
    pid = cast.program.id
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12})
    schedule = cast.viewer.get(f"/api/v1/programs/{pid}/schedule").json()
    (listed,) = cast.viewer.get("/api/v1/milestones", params={"program_id": pid}).json()["items"]
    assert (listed["forecast"], listed["slip"], listed["state"]) == ("2027-01-26", 2, "late")
    assert listed["forecast"] == schedule["milestones"][0]["forecast"]
    assert listed["total_float"] == schedule["milestones"][0]["total_float"]

    cast.manager.patch(f"/api/v1/milestones/{net.m1['id']}", json={"target_date": None})
    one = cast.viewer.get(f"/api/v1/milestones/{net.m1['id']}").json()
    assert (one["forecast"], one["slip"], one["state"]) == ("2027-01-26", None, "no_target")


def test_the_s_curves_stop_at_the_status_date_asked_for_as_earned_value_does(
    cast: Cast, net: Net
) -> None:
    pid = cast.program.id
    _baseline(cast)
    url = f"/api/v1/programs/{pid}/earned-value"
    curves = cast.viewer.get(f"{url}/curves", params={"status_date": "2027-01-08", "step_days": 1})
    assert curves.status_code == 200, curves.text
    body = curves.json()
    known = [
        d for d, ev in zip(body["dates"], body["program"]["ev"], strict=True) if ev is not None
    ]
    assert known[-1] == "2027-01-08"  # EV is not known past the status date asked for
    figures = cast.viewer.get(url, params={"status_date": "2027-01-08"}).json()["program"]
    at = body["dates"].index("2027-01-08")
    assert body["program"]["pv"][at] == figures["pv"]


def test_the_report_s_blockers_are_the_plan_s_most_severe_first_not_risks_or_benefits(
    app_client: TestClient, db: Session
) -> None:
    loaded = load_demo(db)
    complete(db)
    user = auth.find_user(db, loaded.email)
    assert user is not None
    admin = ApiUser(app_client, loaded.token, user)
    pid = admin.get("/api/v1/programs", params={"q": "CLOUD"}).json()["items"][0]["id"]
    text = admin.get(f"/api/v1/programs/{pid}/report", params={"format": "md"}).text
    blockers = text.split("## Cross-project blockers")[1].split("## ")[0]
    lines = [line for line in blockers.splitlines() if line.startswith("- **")]
    assert lines and not [line for line in lines if "Risk R" in line or "Benefit" in line]
    ranks = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    severities = [ranks[line.split("**")[1].rstrip(":")] for line in lines]
    assert severities == sorted(severities)  # the most severe first
    risks = text.split("### Risks")[1]
    assert "R1 Security sign-off" in risks  # the escalated risk is read among the risks


def test_a_milestone_no_work_leads_to_is_not_judged_on_a_forecast_it_does_not_have(
    cast: Cast, net: Net
) -> None:
    pid = cast.program.id
    lone = cast.manager.post(
        "/api/v1/milestones",
        json={"program_id": pid, "key": "M9", "name": "Go-live", "target_date": "2027-03-01"},
    )
    assert lone.status_code == 201, lone.text
    _baseline(cast)  # M9's baseline: the program's start, as nothing feeds it
    moved = cast.owner.patch(f"/api/v1/programs/{pid}", json={"status_date": "2027-01-18"})
    assert moved.status_code == 200, moved.text

    # a target before the program's start: its placeholder date is past it, not late
    earlier = cast.manager.patch(
        f"/api/v1/milestones/{lone.json()['id']}", json={"target_date": "2026-12-10"}
    )
    assert earlier.status_code == 200, earlier.text

    listed = cast.viewer.get(f"/api/v1/milestones/{lone.json()['id']}").json()
    assert (listed["slip"], listed["state"]) == (None, "unfed")  # as the pages say
    health = cast.viewer.get(f"/api/v1/programs/{pid}/health").json()
    m9 = next(m for m in health["milestones"] if m["ref"]["key"] == "M9")
    assert m9["status"] == "green" and m9["reasons"] == [], m9
    alerts = cast.viewer.get(f"/api/v1/programs/{pid}/alerts").json()["items"]
    assert not [a["title"] for a in alerts if "M9" in a["title"]]  # no target, no baseline
    review = cast.manager.post(
        f"/api/v1/programs/{pid}/reviews",
        json={"name": "Steering", "frequency": "weekly", "first_date": "2027-01-18"},
    )
    assert review.status_code == 201, review.text
    agenda = cast.viewer.get(f"/api/v1/reviews/{review.json()['id']}/agenda").json()
    slipped = next(s for s in agenda["sections"] if s["key"] == "milestones")
    assert "M9" not in [m["key"] for m in slipped["items"]]  # nor slipped on the agenda


def test_a_milestone_no_work_leads_to_is_not_reported_as_moving_with_the_status_date(
    cast: Cast, net: Net
) -> None:
    pid = cast.program.id
    made = cast.manager.post(
        "/api/v1/milestones", json={"program_id": pid, "key": "M9", "name": "Go-live"}
    )
    assert made.status_code == 201, made.text
    cast.owner.patch(f"/api/v1/programs/{pid}", json={"status_date": "2027-01-04"})
    assert cast.manager.post(f"/api/v1/programs/{pid}/reports").status_code == 201
    cast.owner.patch(f"/api/v1/programs/{pid}", json={"status_date": "2027-01-11"})

    text = cast.viewer.get(f"/api/v1/programs/{pid}/report", params={"format": "md"}).text
    assert "Milestone M9 is forecast" not in text  # only its placeholder date moved
    assert "Milestone M1 is forecast 5 working days later than reported" in text


def test_the_report_gives_no_slip_to_a_milestone_without_a_target_or_without_work(
    cast: Cast, net: Net
) -> None:
    """ "0" read as "on its target": M8 has no target, M9 no work leading to it."""
    pid = cast.program.id
    ids = {}
    for key, target in (("M8", None), ("M9", "2027-01-05")):
        made = cast.manager.post(
            "/api/v1/milestones",
            json={"program_id": pid, "key": key, "name": key.lower(), "target_date": target},
        )
        assert made.status_code == 201, made.text
        ids[key] = made.json()["id"]
    link = cast.manager.post(  # work leads to M8, none to M9
        "/api/v1/dependencies",
        json={
            "predecessor": {"type": "task", "id": net.plat["id"]},
            "successor": {"type": "milestone", "id": ids["M8"]},
        },
    )
    assert link.status_code == 201, link.text
    text = cast.viewer.get(f"/api/v1/programs/{pid}/report", params={"format": "md"}).text
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines()}
    assert rows["M8 m8"].rstrip(" |").endswith("| —"), rows["M8 m8"]
    assert rows["M9 m9"].rstrip(" |").endswith("| —"), rows["M9 m9"]
    html = cast.viewer.get(f"/api/v1/programs/{pid}/report", params={"format": "html"}).text
    assert "m9</td>" in html and ">—</td></tr>" in html
