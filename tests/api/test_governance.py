"""Reviews on a cadence, their agendas built from the data since the last occurrence,
occurrences held, proposed topics, the decision log and stakeholders.

Cadences start in 2030 so the next occurrence does not depend on the day the
tests run; the reviews' "today" is Monday 7 Jan 2030 (meetings are recorded once
held, never ahead). The plan is the hand-computed network of tests/api/conftest.py:
M1 is forecast on its target, 22 Jan 2027, until the pilot slips.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from podium.models import AuditEntry
from podium.services.governance import agenda as agenda_service
from podium.services.governance import decisions as decision_service
from podium.services.governance import reviews as review_service
from tests.api.conftest import Browser, Cast, Net
from tests.factories import assert_error

MONDAY = "2030-01-07"


# sets a clock the cast and its network are built without: they are restored, not built
NET_NEUTRAL_FIXTURES = frozenset({"meeting_day"})


@pytest.fixture(autouse=True)
def meeting_day(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Set the day the reviews call today (Monday 7 Jan 2030 unless a test moves it)."""

    def set_day(day: str) -> None:
        monkeypatch.setattr(review_service, "today", lambda: date.fromisoformat(day))
        monkeypatch.setattr(decision_service, "today", lambda: date.fromisoformat(day))

    set_day(MONDAY)
    return set_day


def _review(cast: Cast, **body: Any) -> dict:
    body = {"name": "Dependency check", "frequency": "weekly", "first_date": MONDAY, **body}
    response = cast.manager.post(f"/api/v1/programs/{cast.program.id}/reviews", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _agenda(cast: Cast, review: dict) -> dict[str, list[dict]]:
    response = cast.viewer.get(f"/api/v1/reviews/{review['id']}/agenda")
    assert response.status_code == 200, response.text
    return {s["key"]: s["items"] for s in response.json()["sections"]}


def _slip_pilot(cast: Cast, net: Net, duration: int) -> None:
    response = cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": duration})
    assert response.status_code == 200, response.text


# --- reviews and their cadence ---------------------------------------------------------


def test_a_review_has_attendees_and_its_next_occurrence(cast: Cast, net: Net) -> None:
    review = _review(
        cast,
        name="Steering committee",
        frequency="biweekly",
        first_date="2030-01-08",
        time_of_day="10:00",
        attendees=[
            {"name": "Chair person", "role": "chair"},
            {"email": "viewer@example.com"},
        ],
    )
    assert review["next_occurrence"] == "2030-01-08" and review["last_occurrence"] is None
    assert [(a["name"], a["role"]) for a in review["attendees"]] == [
        ("Chair person", "chair"),
        ("viewer", ""),  # the user's name
    ]
    assert review["attendees"][1]["user_id"] == cast.viewer.user.id
    assert len(review["sections"]) == 7  # every agenda section by default
    listed = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/reviews").json()["items"]
    assert [r["name"] for r in listed] == ["Steering committee"]


def test_the_next_occurrence_follows_the_last_one_held(
    cast: Cast, net: Net, meeting_day: Callable[[str], None]
) -> None:
    review = _review(cast, frequency="biweekly", first_date="2030-01-08")
    meeting_day("2030-01-08")
    held = cast.manager.post(
        f"/api/v1/reviews/{review['id']}/occurrences", json={"held_on": "2030-01-08"}
    )
    assert held.status_code == 201, held.text
    again = cast.viewer.get(f"/api/v1/reviews/{review['id']}").json()
    assert again["next_occurrence"] == "2030-01-22"  # two weeks on, same weekday
    assert again["last_occurrence"] == {"id": held.json()["id"], "held_on": "2030-01-08"}


def test_a_meeting_called_off_is_passed_over_and_can_be_put_back(
    cast: Cast, net: Net, meeting_day: Callable[[str], None]
) -> None:
    review = _review(cast, first_date="2030-01-08")  # weekly on Tuesdays
    url = f"/api/v1/reviews/{review['id']}/skipped-dates"
    stale = {"If-Match": f'"{review["version"]}"'}
    off = cast.manager.post(url, json={"date": "2030-01-08"}, headers=stale)
    assert off.status_code == 200, off.text
    assert off.json()["skipped_dates"] == ["2030-01-08"]
    assert off.json()["next_occurrence"] == "2030-01-15"
    assert cast.viewer.get(f"/api/v1/reviews/{review['id']}/agenda").json()["occurrence_date"] == (
        "2030-01-15"
    )
    assert_error(cast.manager.post(url, json={"date": "2030-01-22"}, headers=stale), 412)
    wrong_day = assert_error(cast.manager.post(url, json={"date": "2030-01-09"}), 422)
    assert "2030-01-08 and 2030-01-15" in wrong_day["message"]
    assert_error(cast.member.post(url, json={"date": "2030-01-15"}), 403)
    meeting_day("2030-01-15")
    held = cast.manager.post(
        f"/api/v1/reviews/{review['id']}/occurrences", json={"held_on": "2030-01-15"}
    )
    assert held.status_code == 201, held.text
    assert_error(cast.manager.post(url, json={"date": "2030-01-15"}), 409)  # it met
    back = cast.manager.delete(f"{url}/2030-01-08")
    assert back.status_code == 200, back.text
    assert back.json()["skipped_dates"] == [] and back.json()["version"] > off.json()["version"]


def test_a_cadence_that_ended_has_no_next_agenda(cast: Cast, net: Net) -> None:
    review = _review(cast, until_date="2030-01-07")
    cast.manager.post(f"/api/v1/reviews/{review['id']}/occurrences", json={"held_on": MONDAY})
    assert cast.viewer.get(f"/api/v1/reviews/{review['id']}").json()["next_occurrence"] is None
    assert_error(cast.viewer.get(f"/api/v1/reviews/{review['id']}/agenda"), 404)


def test_changing_attendees_bumps_the_version_and_stale_edits_are_412(cast: Cast, net: Net) -> None:
    review = _review(cast, attendees=[{"name": "Ana"}])
    url = f"/api/v1/reviews/{review['id']}"
    changed = cast.manager.patch(
        url,
        json={"attendees": [{"name": "Ana"}, {"name": "Bo", "role": "secretary"}]},
        headers={"If-Match": f'"{review["version"]}"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == review["version"] + 1
    assert [a["name"] for a in changed.json()["attendees"]] == ["Ana", "Bo"]
    assert_error(
        cast.manager.patch(
            url, json={"location": "Room 4"}, headers={"If-Match": f'"{review["version"]}"'}
        ),
        412,
    )


def test_review_input_errors(cast: Cast, net: Net) -> None:
    url = f"/api/v1/programs/{cast.program.id}/reviews"
    _review(cast)
    assert_error(
        cast.manager.post(
            url, json={"name": "Dependency check", "frequency": "weekly", "first_date": MONDAY}
        ),
        409,
    )
    # names are unique ignoring case (the CLI finds a review by its name in any case)
    assert_error(
        cast.manager.post(
            url, json={"name": "DEPENDENCY CHECK", "frequency": "weekly", "first_date": MONDAY}
        ),
        409,
    )
    base = {"name": "Other", "frequency": "weekly", "first_date": MONDAY}
    assert_error(cast.manager.post(url, json={**base, "until_date": "2029-12-31"}), 422)
    assert_error(cast.manager.post(url, json={**base, "frequency": "daily"}), 422)
    assert_error(cast.manager.post(url, json={**base, "time_of_day": "25:00"}), 422)
    assert_error(cast.manager.post(url, json={**base, "sections": ["gossip"]}), 422)
    assert_error(cast.manager.post(url, json={**base, "chair": "me"}), 422)
    assert_error(cast.manager.post(url, json={**base, "attendees": [{"role": "chair"}]}), 422)
    assert_error(cast.viewer.get("/api/v1/reviews/999999"), 404, "not_found")
    assert_error(cast.viewer.get("/api/v1/reviews/999999/agenda"), 404)
    assert_error(
        cast.manager.patch(f"/api/v1/reviews/{_review(cast, name='X')['id']}", json={"name": None}),
        422,
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", 201),
        ("manager", 201),
        ("admin", 201),
        ("member", 403),
        ("viewer", 403),
        ("outsider", 404),
    ],
)
def test_managers_set_up_reviews_and_record_occurrences(
    cast: Cast, net: Net, role: str, expected: int
) -> None:
    client = cast.by_role(role)
    created = client.post(
        f"/api/v1/programs/{cast.program.id}/reviews",
        json={"name": role, "frequency": "weekly", "first_date": MONDAY},
    )
    assert created.status_code == expected, created.text
    review = _review(cast, name=f"{role} review")
    held = client.post(f"/api/v1/reviews/{review['id']}/occurrences", json={"held_on": MONDAY})
    assert held.status_code == expected, held.text
    edited = client.patch(f"/api/v1/reviews/{review['id']}", json={"location": "Room 2"})
    assert edited.status_code == (200 if expected == 201 else expected)
    deleted = client.delete(f"/api/v1/reviews/{review['id']}")
    assert deleted.status_code == (204 if expected == 201 else expected)


@pytest.mark.parametrize(("role", "expected"), [("viewer", 200), ("outsider", 404)])
def test_program_members_read_reviews_and_agendas(
    cast: Cast, net: Net, role: str, expected: int
) -> None:
    review = _review(cast)
    occurrence = cast.manager.post(
        f"/api/v1/reviews/{review['id']}/occurrences", json={"held_on": MONDAY}
    ).json()
    client = cast.by_role(role)
    for url in (
        f"/api/v1/programs/{cast.program.id}/reviews",
        f"/api/v1/reviews/{review['id']}",
        f"/api/v1/reviews/{review['id']}/agenda",
        f"/api/v1/reviews/{review['id']}/occurrences",
        f"/api/v1/reviews/{review['id']}/occurrences/{occurrence['id']}",
        f"/api/v1/reviews/{review['id']}/occurrences/{occurrence['id']}/agenda",
        f"/api/v1/reviews/{review['id']}/agenda-items",
    ):
        response = client.get(url)
        assert response.status_code == expected, url
        if expected != 200:
            assert_error(response, expected)


# --- agendas ----------------------------------------------------------------------------


def test_first_agenda_lists_what_is_open_now(cast: Cast, net: Net) -> None:
    review = _review(cast)
    cr = cast.member.post(
        f"/api/v1/programs/{cast.program.id}/change-requests",
        json={
            "title": "Longer pilot",
            "changes": [{"type": "slip", "task_id": net.plat["id"], "days": 5}],
        },
    ).json()
    cast.member.post(
        f"/api/v1/reviews/{review['id']}/agenda-items", json={"title": "Vendor onboarding"}
    )
    agenda = _agenda(cast, review)
    assert agenda["milestones"] == [] and agenda["conflicts"] == []  # M1 on its target
    [item] = agenda["change_requests"]
    assert (item["key"], item["id"]) == ("CR-1", cr["id"])
    assert "finish +5 working days" in item["detail"] and "M1 +5" in item["detail"]
    assert [p["title"] for p in agenda["proposed"]] == ["Vendor onboarding"]
    _slip_pilot(cast, net, 12)  # M1 now 26 Jan, 2 working days past its target
    agenda = _agenda(cast, review)
    [m1] = agenda["milestones"]
    assert (m1["key"], m1["new"]) == ("M1", True)
    assert "2 working days past its target 2027-01-22" in m1["detail"]
    [conflict] = agenda["conflicts"]
    assert conflict["new"] and "M1" in conflict["title"]


def test_agenda_covers_what_changed_since_the_last_occurrence(cast: Cast, net: Net) -> None:
    review = _review(cast)
    _slip_pilot(cast, net, 12)
    cast.member.post(
        f"/api/v1/programs/{cast.program.id}/change-requests",
        json={
            "title": "More tests",
            "changes": [{"type": "slip", "task_id": net.sec["id"], "days": 1}],
        },
    )
    cast.member.post(f"/api/v1/reviews/{review['id']}/agenda-items", json={"title": "Budget"})
    held = cast.manager.post(
        f"/api/v1/reviews/{review['id']}/occurrences",
        json={"held_on": MONDAY, "attendees_present": ["Ana"], "notes": "Pilot late"},
    ).json()
    assert held["item_count"] == 4  # M1, its conflict, the change request, the proposed topic
    kept = cast.viewer.get(f"/api/v1/reviews/{review['id']}/occurrences/{held['id']}/agenda").json()
    assert kept["occurrence_date"] == MONDAY and kept["previous_occurrence"] is None

    agenda = _agenda(cast, review)
    assert agenda["milestones"] == []  # M1 has not moved since
    assert [c["new"] for c in agenda["conflicts"]] == [False]  # still open, already seen
    assert [c["new"] for c in agenda["change_requests"]] == [False]  # still awaiting
    assert agenda["proposed"] == []  # discussed at the last occurrence
    decision = cast.manager.post(
        f"/api/v1/programs/{cast.program.id}/decisions",
        json={"title": "Add a pilot engineer", "occurrence_id": held["id"]},
    ).json()
    _slip_pilot(cast, net, 15)  # M1 moves 3 more working days
    agenda = _agenda(cast, review)
    [m1] = agenda["milestones"]
    assert "+3 working days since the last review (was 2027-01-26)" in m1["detail"]
    assert [d["key"] for d in agenda["decisions"]] == [decision["key"]]
    full = cast.viewer.get(f"/api/v1/reviews/{review['id']}/agenda").json()
    assert full["occurrence_date"] == "2030-01-14"
    assert full["previous_occurrence"] == {"id": held["id"], "held_on": MONDAY}


def test_agenda_shows_new_risks(cast: Cast, net: Net) -> None:
    review = _review(cast)
    risk = cast.member.post(
        "/api/v1/risks",
        json={
            "program_id": cast.program.id,
            "title": "Vendor API not ready",
            "probability": 4,
            "impact": 5,
            "level": "program",
        },
    )
    assert risk.status_code == 201, risk.text
    titles = [r["title"] for r in _agenda(cast, review)["risks"]]
    assert titles == ["Vendor API not ready"]


def test_agenda_marks_risks_escalated_since_as_new_and_says_why_each_is_listed(
    cast: Cast, net: Net
) -> None:
    review = _review(cast)
    raised = []
    for title, probability in (("Vendor API not ready", 4), ("Data centre lease", 2)):
        response = cast.member.post(
            "/api/v1/risks",
            json={
                "program_id": cast.program.id,
                "title": title,
                "probability": probability,
                "impact": 5,
                "level": "program",
            },
        )
        assert response.status_code == 201, response.text
        raised.append(response.json())
    cast.manager.post(f"/api/v1/reviews/{review['id']}/occurrences", json={"held_on": MONDAY})
    lease = raised[1]  # scores 25 now: onto the steering agenda since the last meeting
    escalated = cast.manager.patch(
        f"/api/v1/risks/{lease['id']}",
        json={"probability": 5},
        headers={"If-Match": f'"{lease["version"]}"'},
    )
    assert escalated.status_code == 200, escalated.text
    cast.member.post(f"/api/v1/reviews/{review['id']}/agenda-items", json={"title": "Budget"})
    agenda = _agenda(cast, review)
    listed = {r["title"]: (r["tag"], r["new"]) for r in agenda["risks"]}
    assert listed == {
        "Data centre lease": ("escalated", True),
        "Vendor API not ready": ("steering", False),  # on it since before the last meeting
    }
    [topic] = agenda["proposed"]
    assert topic["detail"] == "proposed by member"  # by name, as change requests say who
    text = cast.viewer.get(f"/api/v1/reviews/{review['id']}/agenda", params={"format": "md"}).text
    assert "Data centre lease** (escalated; new since last) — score 25" in text
    assert "Vendor API not ready** (on the steering agenda) — score 20" in text
    assert "**Budget** (new since last) — proposed by member" in text


def test_benefits_off_track_are_written_as_the_pages_write_figures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reading = {
        "id": 1,
        "name": "Fewer tickets",
        "unit": "tickets",
        "latest_value": 1168.0,
        "expected_value": 1091.83,
        "target_value": 840.0,
        "target_date": "2027-06-30",
        "realization_pct": -40.0,
        "url": "/benefits/1",
    }
    monkeypatch.setattr(agenda_service, "benefits_off_track", lambda *_: [reading])
    [item] = agenda_service._benefits(None, 1, date(2030, 1, 7))  # type: ignore[arg-type]
    assert item["detail"] == (
        "latest 1,168 tickets, expected 1,091.83 tickets by now, "
        "target 840 tickets by 2027-06-30; -40 % realized"
    )


def test_a_review_covers_only_its_sections_and_the_agenda_prints_as_markdown(
    cast: Cast, net: Net
) -> None:
    review = _review(cast, sections=["conflicts", "milestones"], attendees=[{"name": "Ana"}])
    _slip_pilot(cast, net, 12)
    assert list(_agenda(cast, review)) == ["milestones", "conflicts"]
    text = cast.viewer.get(f"/api/v1/reviews/{review['id']}/agenda", params={"format": "md"})
    assert text.headers["content-type"].startswith("text/markdown")
    assert text.text.startswith(f"# Dependency check — {MONDAY}")
    assert "## 1. Milestones that slipped" in text.text and "**M1 Trainers ready**" in text.text
    assert "Attendees: Ana" in text.text


def test_occurrences_are_recorded_once_per_day_and_in_order(
    cast: Cast, net: Net, meeting_day: Callable[[str], None]
) -> None:
    review = _review(cast)
    meeting_day("2030-01-14")
    url = f"/api/v1/reviews/{review['id']}/occurrences"
    first = cast.manager.post(url, json={"held_on": "2030-01-14"}).json()
    assert_error(cast.manager.post(url, json={"held_on": "2030-01-14"}), 409)
    assert_error(cast.manager.post(url, json={"held_on": MONDAY}), 422)
    patched = cast.manager.patch(f"{url}/{first['id']}", json={"notes": "Minutes"})
    assert patched.status_code == 200 and patched.json()["notes"] == "Minutes"
    present = cast.manager.patch(
        f"{url}/{first['id']}", json={"attendees_present": ["", " Ana ", "  "]}
    )
    assert present.status_code == 200 and present.json()["attendees_present"] == ["Ana"]
    other = _review(cast, name="Other")
    assert_error(cast.viewer.get(f"/api/v1/reviews/{other['id']}/occurrences/{first['id']}"), 404)


def test_a_meeting_cannot_be_recorded_before_it_is_held(cast: Cast, net: Net) -> None:
    review = _review(cast)
    url = f"/api/v1/reviews/{review['id']}/occurrences"
    error = assert_error(cast.manager.post(url, json={"held_on": "2030-01-14"}), 422)
    assert error["details"] == [
        {
            "field": "held_on",
            "message": "2030-01-14 is in the future: record a meeting once it has been held",
        }
    ]
    assert cast.viewer.get(url).json()["items"] == []
    assert cast.manager.post(url, json={"held_on": MONDAY}).status_code == 201


def test_the_record_form_proposes_the_last_meeting_not_yet_recorded(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    # Fridays from 28 Dec 2029: on Monday 7 Jan, 28 Dec and 4 Jan were held, unrecorded
    review = _review(cast, name="Friday sync", first_date="2029-12-28")
    assert review["next_occurrence"] == "2030-01-11"  # the agenda is the next meeting's
    manager = browser_as("manager@example.com")
    page = f"/programs/{cast.program.id}/governance?review={review['id']}"

    def proposed() -> str:
        found = re.search(r'id="mt-held_on"[^>]*value="([^"]*)"', manager.get(page))
        assert found is not None
        return found[1]

    assert proposed() == "2030-01-04"  # the last one held, never a day to come
    recorded = manager.post(
        f"/programs/{cast.program.id}/governance/reviews/{review['id']}/occurrences",
        {"held_on": proposed()},
    )
    assert recorded.status_code == 303, recorded.text
    assert proposed() == MONDAY  # every meeting held is recorded: today


def test_a_meeting_recorded_without_a_date_is_the_last_one_held_not_yet_recorded(
    cast: Cast, net: Net
) -> None:
    review = _review(cast, name="Friday sync", first_date="2029-12-28")  # as the form proposes
    url = f"/api/v1/reviews/{review['id']}/occurrences"
    first = cast.manager.post(url, json={})
    assert first.status_code == 201 and first.json()["held_on"] == "2030-01-04", first.text
    again = cast.manager.post(url, json={})
    assert again.status_code == 201 and again.json()["held_on"] == MONDAY  # all recorded: today


def test_a_meeting_is_recorded_only_while_its_review_runs(
    cast: Cast, net: Net, meeting_day: Callable[[str], None]
) -> None:
    review = _review(cast, first_date="2029-12-31", until_date="2030-01-14")
    url = f"/api/v1/reviews/{review['id']}/occurrences"
    error = assert_error(cast.manager.post(url, json={"held_on": "2029-12-30"}), 422)
    assert error["details"] == [
        {
            "field": "held_on",
            "message": "2029-12-30 is before Dependency check started: "
            "it meets from 2029-12-31 to 2030-01-14",
        }
    ]
    meeting_day("2030-01-21")
    error = assert_error(cast.manager.post(url, json={"held_on": "2030-01-15"}), 422)
    assert "2030-01-15 is after Dependency check ended" in error["details"][0]["message"]
    assert cast.viewer.get(url).json()["items"] == []
    for day in ("2029-12-31", "2030-01-14"):  # its first and last days are inside
        assert cast.manager.post(url, json={"held_on": day}).status_code == 201


def test_an_occurrence_recorded_by_mistake_is_removed_and_its_topics_return(
    cast: Cast, net: Net, meeting_day: Callable[[str], None]
) -> None:
    review = _review(cast)
    url = f"/api/v1/reviews/{review['id']}/occurrences"
    cast.member.post(f"/api/v1/reviews/{review['id']}/agenda-items", json={"title": "Budget"})
    meeting_day("2030-01-14")
    wrong = cast.manager.post(url, json={"held_on": "2030-01-14"}).json()
    decision = cast.manager.post(
        f"/api/v1/programs/{cast.program.id}/decisions",
        json={"title": "Hire a contractor", "occurrence_id": wrong["id"]},
    ).json()
    # a meeting on an earlier day is refused until the later one is gone
    assert_error(cast.manager.post(url, json={"held_on": MONDAY}), 422)
    stale = cast.manager.delete(f"{url}/{wrong['id']}", headers={"If-Match": '"99"'})
    assert_error(stale, 412, "stale_version")
    assert cast.manager.delete(f"{url}/{wrong['id']}").status_code == 204
    assert_error(cast.viewer.get(f"{url}/{wrong['id']}"), 404, "not_found")
    assert_error(cast.manager.delete(f"{url}/{wrong['id']}"), 404, "not_found")
    proposed = cast.viewer.get(f"/api/v1/reviews/{review['id']}/agenda-items").json()["items"]
    assert [p["title"] for p in proposed] == ["Budget"]  # back on the next agenda
    kept = cast.viewer.get(f"/api/v1/decisions/{decision['id']}").json()
    assert kept["occurrence_id"] is None  # the decision stays in the log
    held = cast.manager.post(url, json={"held_on": MONDAY})
    assert held.status_code == 201, held.text
    cast.db.expire_all()
    [removal] = cast.db.scalars(
        select(AuditEntry).where(
            AuditEntry.program_id == cast.program.id,
            AuditEntry.entity_id == wrong["id"],
            AuditEntry.action == "delete",
        )
    )
    assert removal.user_email == "manager@example.com"
    assert removal.changes["held_on"] == ["2030-01-14", None]


def test_an_occurrence_is_removed_only_from_its_own_review(cast: Cast, net: Net) -> None:
    review, other = _review(cast), _review(cast, name="Other")
    held = cast.manager.post(
        f"/api/v1/reviews/{review['id']}/occurrences", json={"held_on": MONDAY}
    ).json()
    wrong_review = cast.manager.delete(f"/api/v1/reviews/{other['id']}/occurrences/{held['id']}")
    assert_error(wrong_review, 404, "not_found")
    assert_error(
        cast.manager.delete(f"/api/v1/reviews/{review['id']}/occurrences/999999"), 404, "not_found"
    )
    assert_error(cast.manager.delete(f"/api/v1/reviews/{review['id']}/occurrences/0"), 422)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", 204),
        ("manager", 204),
        ("admin", 204),
        ("member", 403),
        ("viewer", 403),
        ("outsider", 404),
    ],
)
def test_managers_remove_occurrences(cast: Cast, net: Net, role: str, expected: int) -> None:
    review = _review(cast)
    url = f"/api/v1/reviews/{review['id']}/occurrences"
    held = cast.manager.post(url, json={"held_on": MONDAY}).json()
    response = cast.by_role(role).delete(f"{url}/{held['id']}")
    assert response.status_code == expected, response.text
    if expected != 204:
        assert_error(response, expected)
    remaining = [o["id"] for o in cast.viewer.get(url).json()["items"]]
    assert remaining == ([] if expected == 204 else [held["id"]])


@pytest.mark.parametrize(
    ("role", "expected"),
    [("member", 201), ("manager", 201), ("viewer", 403), ("outsider", 404)],
)
def test_members_propose_agenda_topics(cast: Cast, net: Net, role: str, expected: int) -> None:
    review = _review(cast)
    response = cast.by_role(role).post(
        f"/api/v1/reviews/{review['id']}/agenda-items", json={"title": "Topic"}
    )
    assert response.status_code == expected, response.text


def test_only_the_proposer_or_a_manager_withdraws_a_topic(cast: Cast, net: Net) -> None:
    review = _review(cast)
    url = f"/api/v1/reviews/{review['id']}/agenda-items"
    item = cast.manager.post(url, json={"title": "Topic"}).json()
    assert_error(cast.member.delete(f"{url}/{item['id']}"), 403)
    mine = cast.member.post(url, json={"title": "Mine"}).json()
    assert cast.member.delete(f"{url}/{mine['id']}").status_code == 204
    assert cast.owner.delete(f"{url}/{item['id']}").status_code == 204
    assert_error(cast.owner.delete(f"{url}/{item['id']}"), 404)


# --- decisions ---------------------------------------------------------------------------


def test_the_decision_log_records_what_why_who_when_where_and_links(cast: Cast, net: Net) -> None:
    review = _review(cast)
    held = cast.manager.post(
        f"/api/v1/reviews/{review['id']}/occurrences", json={"held_on": MONDAY}
    ).json()
    url = f"/api/v1/programs/{cast.program.id}/decisions"
    first = cast.manager.post(
        url,
        json={
            "title": "Start training on the pilot platform",
            "rationale": "Trainers need hands-on time",
            "decided_by": "Steering committee",
            "decided_on": "2030-01-07",
            "occurrence_id": held["id"],
            "links": [
                {"type": "task", "id": net.train["id"]},
                {"type": "milestone", "id": net.m1["id"]},
            ],
        },
    )
    assert first.status_code == 201, first.text
    later = cast.manager.post(url, json={"title": "Not yet", "decided_on": "2030-01-08"})
    assert assert_error(later, 422)["details"][0]["field"] == "decided_on"
    body = first.json()
    assert body["key"] == "D-1" and body["review_id"] == review["id"]
    assert [link["label"] for link in body["links"]] == [
        f"{net.train['key']} Train the trainers",
        "M1 Trainers ready",
    ]
    second = cast.manager.post(
        url, json={"title": "Hire a contractor", "decided_on": "2030-01-04"}
    ).json()
    # decided by whoever logged it, by their account's name (an account made without one
    # is named by its email's first part), as the decision form offers it
    assert second["key"] == "D-2" and second["decided_by"] == "manager"
    # newest decision date first: D-1 on the 7th, D-2 (logged after it) on the 4th
    assert [d["key"] for d in cast.viewer.get(url).json()["items"]] == ["D-1", "D-2"]
    logged = cast.viewer.get(url, params={"occurrence_id": held["id"]}).json()["items"]
    assert [d["key"] for d in logged] == ["D-1"]
    occurrence = cast.viewer.get(f"/api/v1/reviews/{review['id']}/occurrences/{held['id']}")
    assert occurrence.json()["decisions"] == [body["id"]]
    patched = cast.manager.patch(
        f"/api/v1/decisions/{second['id']}",
        json={"rationale": "Cheaper than delay"},
        headers={"If-Match": f'"{second["version"]}"'},
    )
    assert patched.status_code == 200 and patched.json()["rationale"] == "Cheaper than delay"
    assert_error(
        cast.manager.patch(
            f"/api/v1/decisions/{second['id']}",
            json={"title": "Lost"},
            headers={"If-Match": f'"{second["version"]}"'},
        ),
        412,
    )
    assert cast.manager.delete(f"/api/v1/decisions/{second['id']}").status_code == 204
    assert_error(cast.viewer.get(f"/api/v1/decisions/{second['id']}"), 404)


def test_a_decision_linked_to_a_risk_names_it_once(cast: Cast, net: Net) -> None:
    risk = cast.member.post(
        "/api/v1/risks",
        json={
            "program_id": cast.program.id,
            "title": "Security review late",
            "probability": 3,
            "impact": 4,
            "level": "program",
        },
    )
    assert risk.status_code == 201, risk.text
    decision = cast.manager.post(
        f"/api/v1/programs/{cast.program.id}/decisions",
        json={
            "title": "Book the security review now",
            "links": [
                {"type": "risk", "id": risk.json()["id"]},
                {"type": "task", "id": net.sec["id"]},
            ],
        },
    )
    assert decision.status_code == 201, decision.text
    assert [link["label"] for link in decision.json()["links"]] == [
        "R1 Security review late",
        f"{net.sec['key']} Threat model",
    ]


def test_decision_input_errors(cast: Cast, net: Net, db: Any) -> None:
    from tests.factories import make_program

    url = f"/api/v1/programs/{cast.program.id}/decisions"
    error = assert_error(
        cast.manager.post(url, json={"title": "X", "links": [{"type": "task", "id": 999999}]}),
        422,
    )
    assert error["details"][0]["field"] == "links.0.id"
    assert_error(
        cast.manager.post(url, json={"title": "X", "links": [{"type": "cat", "id": 1}]}), 422
    )
    assert_error(cast.manager.post(url, json={"title": ""}), 422)
    assert_error(cast.manager.post(url, json={"title": "X", "occurrence_id": 999999}), 422)
    other = make_program(db, owner=cast.owner.user, key="OTHER")
    other_review = cast.owner.post(
        f"/api/v1/programs/{other.id}/reviews",
        json={"name": "R", "frequency": "weekly", "first_date": MONDAY},
    ).json()
    other_held = cast.owner.post(
        f"/api/v1/reviews/{other_review['id']}/occurrences", json={"held_on": MONDAY}
    ).json()
    assert_error(
        cast.manager.post(url, json={"title": "X", "occurrence_id": other_held["id"]}), 422
    )
    # a correction is held to the same dates as the log
    logged = cast.manager.post(url, json={"title": "Go"}).json()
    for day in ("2999-01-01", "9999-12-31"):
        error = assert_error(
            cast.manager.patch(f"/api/v1/decisions/{logged['id']}", json={"decided_on": day}), 422
        )
        assert error["details"][0]["field"] == "decided_on"
    assert cast.viewer.get(f"/api/v1/decisions/{logged['id']}").json()["version"] == 1


def test_a_decision_taken_in_a_meeting_is_dated_the_meetings_day(cast: Cast, net: Net) -> None:
    review = _review(cast)
    held = cast.manager.post(
        f"/api/v1/reviews/{review['id']}/occurrences", json={"held_on": MONDAY}
    ).json()
    url = f"/api/v1/programs/{cast.program.id}/decisions"
    taken = cast.manager.post(url, json={"title": "Go", "occurrence_id": held["id"]}).json()
    assert taken["decided_on"] == MONDAY  # not today
    error = assert_error(
        cast.manager.post(
            url, json={"title": "F2", "occurrence_id": held["id"], "decided_on": "2030-01-04"}
        ),
        422,
    )
    assert error["details"] == [
        {
            "field": "decided_on",
            "message": "a decision taken in the meeting held on 2030-01-07 is dated that day, "
            "not 2030-01-04",
        }
    ]
    moved = cast.manager.patch(
        f"/api/v1/decisions/{taken['id']}", json={"decided_on": "2030-01-04"}
    )
    assert assert_error(moved, 422)["details"][0]["field"] == "decided_on"
    # out of the meeting, any day until today
    apart = cast.manager.patch(
        f"/api/v1/decisions/{taken['id']}",
        json={"occurrence_id": None, "decided_on": "2030-01-04"},
    )
    assert apart.status_code == 200, apart.text
    # back into it: dated its day again
    back = cast.manager.patch(
        f"/api/v1/decisions/{taken['id']}", json={"occurrence_id": held["id"]}
    ).json()
    assert back["decided_on"] == MONDAY


def test_a_decision_keeps_its_links_to_records_deleted_since(cast: Cast, net: Net) -> None:
    review = _review(cast)
    held = cast.manager.post(
        f"/api/v1/reviews/{review['id']}/occurrences", json={"held_on": MONDAY}
    ).json()
    url = f"/api/v1/programs/{cast.program.id}/decisions"
    links = [
        {"type": "task", "id": net.train["id"]},
        {"type": "review_occurrence", "id": held["id"]},
    ]
    decision = cast.manager.post(url, json={"title": "Go", "links": links}).json()
    deleted = cast.manager.delete(f"/api/v1/tasks/{net.train['id']}", params={"cascade": True})
    assert deleted.status_code == 204, deleted.text
    assert cast.manager.delete(f"/api/v1/reviews/{review['id']}").status_code == 204
    read = cast.viewer.get(f"/api/v1/decisions/{decision['id']}").json()
    assert read["links"] == decision["links"]  # what it was about, as it was named
    # sent back as read, with a correction: kept; a link newly added must still exist
    corrected = cast.manager.patch(
        f"/api/v1/decisions/{decision['id']}",
        json={
            "title": "Go ahead",
            "links": [*read["links"], {"type": "milestone", "id": net.m1["id"]}],
        },
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["links"][:2] == decision["links"]
    error = assert_error(cast.manager.post(url, json={"title": "Again", "links": links}), 422)
    assert error["details"][0]["field"] == "links.0.id"


def test_a_decision_number_is_never_given_twice(
    cast: Cast, net: Net, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"/api/v1/programs/{cast.program.id}/decisions"
    first = cast.manager.post(url, json={"title": "First"}).json()
    newest = cast.manager.post(url, json={"title": "Logged by mistake"}).json()
    assert (first["key"], newest["key"]) == ("D-1", "D-2")
    assert cast.manager.delete(f"/api/v1/decisions/{newest['id']}").status_code == 204
    # D-2 stays the deleted decision's in the audit trail: the next one is D-3
    assert cast.manager.post(url, json={"title": "Next"}).json()["key"] == "D-3"
    # two at the same moment taking one number (the counter makes it unlikely): the
    # second is told to log it again, nothing is written
    monkeypatch.setattr(decision_service, "_next_number", lambda *_: 1)
    error = assert_error(cast.manager.post(url, json={"title": "Twin"}), 409)
    assert (error["code"], error["details"]) == ("decision_number_taken", {"number": 1})
    assert "log this one again" in error["message"]
    assert cast.viewer.get(url).json()["total"] == 2


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", 201),
        ("manager", 201),
        ("admin", 201),
        ("member", 403),
        ("viewer", 403),
        ("outsider", 404),
    ],
)
def test_managers_log_decisions(cast: Cast, net: Net, role: str, expected: int) -> None:
    url = f"/api/v1/programs/{cast.program.id}/decisions"
    response = cast.by_role(role).post(url, json={"title": "Decided"})
    assert response.status_code == expected, response.text
    existing = cast.manager.post(url, json={"title": "Existing"}).json()
    edit = cast.by_role(role).patch(f"/api/v1/decisions/{existing['id']}", json={"title": "E"})
    assert edit.status_code == (200 if expected == 201 else expected)
    read = cast.by_role(role).get(url)
    assert read.status_code == (404 if role == "outsider" else 200)


# --- stakeholders -----------------------------------------------------------------------


def test_stakeholders_with_their_grid_quadrant_and_reports(cast: Cast, net: Net) -> None:
    url = f"/api/v1/programs/{cast.program.id}/stakeholders"
    coo = cast.manager.post(
        url,
        json={
            "name": "Dana Reyes",
            "role": "Chief operating officer",
            "influence": 5,
            "interest": 4,
            "reports": ["status_report", "retrospective"],
        },
    )
    assert coo.status_code == 201, coo.text
    assert coo.json()["engagement"] == "manage_closely"
    team = cast.manager.post(
        url,
        json={"name": "Support team", "influence": 2, "interest": 5, "email": "member@example.com"},
    ).json()
    assert team["engagement"] == "keep_informed" and team["user_id"] == cast.member.user.id
    assert [s["name"] for s in cast.viewer.get(url).json()["items"]] == [
        "Dana Reyes",
        "Support team",
    ]
    patched = cast.manager.patch(
        f"/api/v1/stakeholders/{team['id']}", json={"influence": 4, "interest": 1}
    ).json()
    assert patched["engagement"] == "keep_satisfied"
    # each report once, however often it is sent
    twice = ["status_report", "retrospective", "status_report"] * 200
    again = cast.manager.patch(f"/api/v1/stakeholders/{team['id']}", json={"reports": twice})
    assert again.json()["reports"] == ["status_report", "retrospective"], again.text
    assert_error(cast.manager.post(url, json={"name": "X", "influence": 6}), 422)
    assert_error(cast.manager.post(url, json={"name": "X", "reports": ["gossip"]}), 422)
    assert_error(cast.manager.patch(f"/api/v1/stakeholders/{team['id']}", json={"name": None}), 422)
    assert cast.manager.delete(f"/api/v1/stakeholders/{team['id']}").status_code == 204
    assert_error(cast.viewer.get(f"/api/v1/stakeholders/{team['id']}"), 404)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", 201),
        ("manager", 201),
        ("admin", 201),
        ("member", 403),
        ("viewer", 403),
        ("outsider", 404),
    ],
)
def test_managers_keep_the_stakeholder_list(cast: Cast, net: Net, role: str, expected: int) -> None:
    url = f"/api/v1/programs/{cast.program.id}/stakeholders"
    assert cast.by_role(role).post(url, json={"name": role}).status_code == expected
    existing = cast.manager.post(url, json={"name": "Existing"}).json()
    stakeholder_url = f"/api/v1/stakeholders/{existing['id']}"
    edit = cast.by_role(role).patch(stakeholder_url, json={"notes": "n"})
    assert edit.status_code == (200 if expected == 201 else expected)
    assert cast.by_role(role).get(stakeholder_url).status_code == (
        404 if role == "outsider" else 200
    )
    deleted = cast.by_role(role).delete(stakeholder_url)
    assert deleted.status_code == (204 if expected == 201 else expected)
