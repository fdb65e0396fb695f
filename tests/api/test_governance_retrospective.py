"""Closing a program and its retrospective: outcome against the goal, milestones against
the original baseline, approved change requests, conflicts caught early or late (lead
times hand-checked from a made-up alert history), lessons learned."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from podium.models import Alert, AlertKind, Program, ProgramStatus, Severity
from podium.services.governance import retrospective
from tests.api.conftest import Cast, Net
from tests.factories import assert_error


@pytest.fixture(autouse=True)
def _closing_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """A program closes on a day that has come: the close's today is after the 2027 plans."""
    monkeypatch.setattr(retrospective, "today", lambda: date(2030, 1, 7))


def _alert(
    db: Session, program_id: int, detected: str, kind: AlertKind, cross: bool, **details: Any
) -> None:
    at = datetime.fromisoformat(detected).replace(hour=9, tzinfo=UTC)
    db.add(
        Alert(
            program_id=program_id,
            kind=kind,
            severity=Severity.HIGH,
            fingerprint=f"test:{detected}:{kind.value}",
            subject_type="milestone",
            subject_id=1,
            title=f"{kind.value} flagged {detected}",
            cross_project=cross,
            details=details,
            first_detected_at=at,
            last_detected_at=at,
            resolved_at=at,
        )
    )
    db.commit()


def test_conflicts_caught_early_and_late_from_the_alert_history(cast: Cast, db: Session) -> None:
    pid = cast.program.id
    target = AlertKind.MILESTONE_TARGET_MISSED
    # Mon 4 Jan → Fri 22 Jan: 14 working days of warning → early
    _alert(db, pid, "2027-01-04", target, True, limit="2027-01-22")
    # Wed 20 Jan → Fri 22 Jan: 2 working days → late
    _alert(db, pid, "2027-01-20", target, True, limit="2027-01-22")
    # a started successor overtaken: flagged Tue 12 Jan, it had started Mon 11 Jan → -1
    _alert(
        db, pid, "2027-01-12", AlertKind.STARTED_SUCCESSOR_PUSHED, False, actual_start="2027-01-11"
    )
    # a constraint conflict names no date: counted apart
    _alert(db, pid, "2027-01-13", AlertKind.CONSTRAINT_VIOLATED, False, constraint="mfo")
    retro = cast.viewer.get(f"/api/v1/programs/{pid}/retrospective").json()
    conflicts = retro["conflicts"]
    assert [(c["lead_days"], c["caught"]) for c in conflicts["conflicts"]] == [
        (14, "early"),
        (-1, "late"),
        (2, "late"),
    ]
    cross = conflicts["cross_project"]
    assert (cross["count"], cross["early"], cross["late"], cross["median_lead_days"]) == (
        2,
        1,
        1,
        8.0,
    )
    every = conflicts["all"]
    assert (every["count"], every["early"], every["late"]) == (3, 1, 2)
    assert (every["median_lead_days"], every["mean_lead_days"]) == (2.0, 5.0)
    assert conflicts["undated"] == 1 and conflicts["early_threshold"] == 10


def test_an_over_allocation_counts_from_the_first_day_it_overloads(cast: Cast, db: Session) -> None:
    pid = cast.program.id
    periods = [
        {"start": "2027-01-22", "finish": "2027-01-26", "days": 3},
        {"start": "2027-02-08", "finish": "2027-02-09", "days": 2},
    ]
    # flagged Mon 4 Jan, overloaded from Fri 22 Jan: 14 working days of warning → early
    _alert(db, pid, "2027-01-04", AlertKind.OVER_ALLOCATION, True, periods=periods)
    conflicts = cast.viewer.get(f"/api/v1/programs/{pid}/retrospective").json()["conflicts"]
    [row] = conflicts["conflicts"]
    assert (row["kind"], row["affected"], row["lead_days"], row["caught"]) == (
        "over_allocation",
        "2027-01-22",
        14,
        "early",
    )
    assert conflicts["undated"] == 0


def _goal_kpi(cast: Cast, readings: list[tuple[str, float]]) -> None:
    goal = {
        "outcome": "Fewer support tickets",
        "measure": "tickets per month",
        "unit": "tickets",
        "baseline_value": 1200,
        "target_value": 840,
    }
    pid = cast.program.id
    assert cast.owner.patch(f"/api/v1/programs/{pid}", json={"goal": goal}).status_code == 200
    kpi = cast.manager.post(
        "/api/v1/benefits",
        json={
            "program_id": pid,
            "name": "support tickets per month",
            "unit": "tickets",
            "baseline_value": 1200,
            "baseline_date": "2027-01-01",
            "target_value": 840,
            "target_date": "2027-06-01",
            "direction": "down",
            "is_goal": True,
        },
    )
    assert kpi.status_code == 201, kpi.text
    for day, value in readings:
        measured = cast.manager.post(
            f"/api/v1/benefits/{kpi.json()['id']}/measurements",
            json={"measured_on": day, "value": value},
        )
        assert measured.status_code == 201, measured.text


def test_the_goal_outcome_defaults_to_the_goal_kpis_reading_at_close(cast: Cast) -> None:
    _goal_kpi(cast, [("2027-02-01", 1100), ("2027-03-01", 900), ("2027-04-01", 820)])
    closed = cast.owner.post(
        f"/api/v1/programs/{cast.program.id}/close", json={"closed_on": "2027-03-15"}
    )
    assert closed.status_code == 200, closed.text
    goal = closed.json()["goal"]
    # the reading of 1 Mar, the last before the close: (900 − 1200) / (840 − 1200) = 83.3 %
    assert (goal["achieved_value"], goal["achieved_on"], goal["achieved_from"]) == (
        900,
        "2027-03-01",
        "goal KPI",
    )
    assert (goal["achieved_pct"], goal["met"]) == (83.3, False)


def test_a_typed_outcome_value_wins_over_the_goal_kpi(cast: Cast) -> None:
    _goal_kpi(cast, [("2027-02-01", 1100)])
    closed = cast.owner.post(
        f"/api/v1/programs/{cast.program.id}/close",
        json={"closed_on": "2027-03-15", "outcome_value": 830},
    ).json()
    goal = closed["goal"]
    assert (goal["achieved_value"], goal["achieved_from"], goal["met"]) == (
        830,
        "typed at close",
        True,
    )


def test_closing_keeps_the_retrospective_with_outcome_milestones_and_changes(
    cast: Cast, net: Net
) -> None:
    pid = cast.program.id
    goal = {
        "outcome": "Fewer support tickets",
        "measure": "tickets per month",
        "unit": "tickets",
        "baseline_value": 1200,
        "target_value": 840,
    }
    assert cast.owner.patch(f"/api/v1/programs/{pid}", json={"goal": goal}).status_code == 200
    cast.manager.post(f"/api/v1/programs/{pid}/baselines", json={"name": "Plan of record"})
    cr = cast.member.post(
        f"/api/v1/programs/{pid}/change-requests",
        json={
            "title": "Longer pilot",
            "changes": [{"type": "slip", "task_id": net.plat["id"], "days": 2}],
        },
    ).json()
    cast.manager.post(f"/api/v1/change-requests/{cr['id']}/approve", json={})
    draft = cast.viewer.get(f"/api/v1/programs/{pid}/retrospective").json()
    assert draft["closed"] is False
    cast.member.post(f"/api/v1/programs/{pid}/lessons", json={"text": "Pilot earlier"})
    closed = cast.owner.post(
        f"/api/v1/programs/{pid}/close",
        json={
            "closed_on": "2027-02-01",
            "outcome_value": 900,
            "outcome_summary": "Tickets down a quarter",
            "lessons": [{"text": "Weekly dependency checks paid off", "category": "went_well"}],
        },
    )
    assert closed.status_code == 200, closed.text
    retro = closed.json()
    assert (retro["closed"], retro["closed_on"], retro["closed_by"]) == (
        True,
        "2027-02-01",
        "owner@example.com",
    )
    goal = retro["goal"]
    # (900 − 1200) / (840 − 1200) = 83.3 % of the intended reduction: not met
    assert (goal["achieved_value"], goal["achieved_pct"], goal["met"]) == (900, 83.3, False)
    [m1] = retro["schedule"]["milestones"]
    assert (m1["original_baseline"], m1["actual"], m1["slip_vs_original"]) == (
        "2027-01-22",
        "2027-01-26",
        2,
    )
    assert retro["schedule"]["finish_slip"] == 2
    assert retro["change_requests"]["counts"]["approved"] == 1
    [approved] = retro["change_requests"]["approved"]
    assert (approved["key"], approved["finish_delta"]) == ("CR-1", 2)
    assert [lesson["text"] for lesson in retro["lessons"]] == [
        "Pilot earlier",
        "Weekly dependency checks paid off",
    ]
    assert retro["performance"]["baseline"] == "Plan of record"
    program = cast.viewer.get(f"/api/v1/programs/{pid}").json()
    assert program["status"] == "closed"
    # a closed program's plan is frozen; lessons still join the retrospective
    frozen = cast.manager.patch(f"/api/v1/tasks/{net.sec['id']}", json={"duration": 20})
    assert_error(frozen, 409, "program_closed")
    assert cast.viewer.get(f"/api/v1/tasks/{net.sec['id']}").json()["duration"] == 3
    lesson = cast.member.post(
        f"/api/v1/programs/{pid}/lessons", json={"text": "Write it down", "category": "improve"}
    )
    assert lesson.status_code == 201, lesson.text
    again = cast.viewer.get(f"/api/v1/programs/{pid}/retrospective").json()
    assert again["schedule"] == retro["schedule"]
    assert len(again["lessons"]) == 3
    assert_error(cast.owner.post(f"/api/v1/programs/{pid}/close", json={}), 409, "program_closed")
    # reopened by its owner, the plan can change again (and the program be closed anew)
    reopened = cast.owner.patch(f"/api/v1/programs/{pid}", json={"status": "active"})
    assert reopened.status_code == 200, reopened.text
    edited = cast.manager.patch(f"/api/v1/tasks/{net.sec['id']}", json={"duration": 20})
    assert edited.status_code == 200, edited.text


def test_the_retrospective_reads_as_markdown_html_and_pdf(cast: Cast, net: Net) -> None:
    url = f"/api/v1/programs/{cast.program.id}/retrospective"
    md = cast.viewer.get(url, params={"format": "md"})
    assert md.status_code == 200 and "## Conflicts caught early and late" in md.text
    assert "Draft: the program is not closed yet" in md.text
    html = cast.viewer.get(url, params={"format": "html"})
    assert html.headers["content-type"].startswith("text/html")
    assert "Milestones: baseline against actual" in html.text
    assert "default-src 'none'" in html.headers["content-security-policy"]
    pdf = cast.viewer.get(url, params={"format": "pdf"})
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
    assert_error(cast.viewer.get(url, params={"format": "docx"}), 422)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", 200),
        ("admin", 200),
        ("manager", 403),
        ("member", 403),
        ("viewer", 403),
        ("outsider", 404),
    ],
)
def test_only_owners_close_a_program(cast: Cast, db: Session, role: str, expected: int) -> None:
    response = cast.by_role(role).post(f"/api/v1/programs/{cast.program.id}/close", json={})
    assert response.status_code == expected, response.text
    db.expire_all()
    program = db.get(Program, cast.program.id)
    assert program is not None
    closed = program.status == ProgramStatus.CLOSED
    assert closed is (expected == 200)


def test_a_close_dated_before_the_programs_start_is_refused(cast: Cast) -> None:
    url = f"/api/v1/programs/{cast.program.id}/close"
    body = {"closed_on": "2027-01-03", "lessons": [{"text": "Start smaller"}]}
    error = assert_error(cast.owner.post(url, json=body), 422, "validation_failed")
    assert [d["field"] for d in error["details"]] == ["closed_on"]
    assert "before the program's start (2027-01-04)" in error["message"]
    program = cast.viewer.get(f"/api/v1/programs/{cast.program.id}").json()
    assert program["status"] != "closed"
    assert cast.viewer.get(f"/api/v1/programs/{cast.program.id}/lessons").json()["items"] == []
    closed = cast.owner.post(url, json={"closed_on": "2027-01-04"})
    assert closed.status_code == 200, closed.text


def test_close_refuses_unknown_fields_and_stale_versions(cast: Cast) -> None:
    url = f"/api/v1/programs/{cast.program.id}/close"
    assert_error(cast.owner.post(url, json={"verdict": "fine"}), 422)
    assert_error(cast.owner.post(url, json={"lessons": [{"text": ""}]}), 422)
    assert_error(cast.owner.post(url, json={}, headers={"If-Match": '"99"'}), 412)
    assert_error(cast.viewer.get("/api/v1/programs/999999/retrospective"), 404)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("member", 201), ("manager", 201), ("viewer", 403), ("outsider", 404)],
)
def test_members_record_lessons(cast: Cast, role: str, expected: int) -> None:
    url = f"/api/v1/programs/{cast.program.id}/lessons"
    assert cast.by_role(role).post(url, json={"text": "A lesson"}).status_code == expected
    assert cast.by_role(role).get(url).status_code == (404 if role == "outsider" else 200)


def test_only_the_author_or_a_manager_removes_a_lesson(cast: Cast) -> None:
    url = f"/api/v1/programs/{cast.program.id}/lessons"
    lesson = cast.manager.post(url, json={"text": "Managers' lesson"}).json()
    assert_error(cast.member.delete(f"/api/v1/lessons/{lesson['id']}"), 403)
    mine = cast.member.post(url, json={"text": "Mine", "category": "went_well"}).json()
    assert cast.member.delete(f"/api/v1/lessons/{mine['id']}").status_code == 204
    assert_error(cast.outsider.delete(f"/api/v1/lessons/{lesson['id']}"), 404)
    assert cast.owner.delete(f"/api/v1/lessons/{lesson['id']}").status_code == 204
    assert_error(cast.member.post(url, json={"text": "x", "category": "meh"}), 422)
