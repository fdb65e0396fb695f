"""The Governance tab's corrections, form by form and role by role: correcting or deleting
a decision, the minutes of a meeting or the meeting, deleting a review, taking a topic
off the agenda, removing a lesson. Who may not is refused (403) and nothing changes; a
record of another program is not found (404); a stale form is refused (412); a value
the API refuses is refused here too (422), never a server error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import Browser, Cast

pytestmark = pytest.mark.db

MONDAY = "2026-01-05"  # a Monday past: meetings are recorded once held


def _created(response: Any) -> dict:
    assert response.status_code == 201, response.text
    created: dict = response.json()
    return created


def _review_held(cast: Cast) -> tuple[dict, dict]:
    review = _created(
        cast.manager.post(
            f"/api/v1/programs/{cast.program.id}/reviews",
            json={"name": "Dependency check", "frequency": "weekly", "first_date": MONDAY},
        )
    )
    held = _created(
        cast.manager.post(f"/api/v1/reviews/{review['id']}/occurrences", json={"held_on": MONDAY})
    )
    return review, held


def _decision(cast: Cast, occurrence_id: int | None = None) -> dict:
    return _created(
        cast.manager.post(
            f"/api/v1/programs/{cast.program.id}/decisions",
            json={"title": "Pilot of three", "decided_by": "Board", "occurrence_id": occurrence_id},
        )
    )


def _fields(decision: dict, **changes: Any) -> dict[str, Any]:
    return {
        "title": decision["title"],
        "rationale": decision["rationale"],
        "decided_by": decision["decided_by"],
        "decided_on": decision["decided_on"],
        "occurrence_id": decision["occurrence_id"] or "",
        "version": decision["version"],
        **changes,
    }


def _get(cast: Cast, url: str) -> dict:
    response = cast.viewer.get(url)
    assert response.status_code == 200, response.text
    found: dict = response.json()
    return found


def _items(cast: Cast, url: str) -> list:
    items: list = _get(cast, url)["items"]
    return items


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("member", 403)])
def test_only_managers_correct_or_delete_a_decision(
    cast: Cast, browser_as: Callable[[str], Browser], role: str, status: int
) -> None:
    decision = _decision(cast)
    person = browser_as(f"{role}@example.com")
    url = f"/programs/{cast.program.id}/governance/decisions/{decision['id']}"
    assert f"edit_decision={decision['id']}" not in person.get(
        f"/programs/{cast.program.id}/governance"
    )
    assert person.post(url, _fields(decision, title="Changed")).status_code == status
    assert person.post(f"{url}/delete", {"version": decision["version"]}).status_code == status
    assert _get(cast, f"/api/v1/decisions/{decision['id']}")["title"] == "Pilot of three"


def test_a_manager_corrects_a_decision_with_its_meeting_and_version(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    _review, held = _review_held(cast)
    decision = _decision(cast)
    manager = browser_as("manager@example.com")
    url = f"/programs/{cast.program.id}/governance/decisions/{decision['id']}"
    page = manager.get(f"/programs/{cast.program.id}/governance?edit_decision={decision['id']}")
    assert "Correct D-1" in page and f'name="version" value="{decision["version"]}"' in page

    response = manager.post(url, _fields(decision, title="Pilot of four", occurrence_id=held["id"]))
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"#decision-{decision['id']}")
    stored = _get(cast, f"/api/v1/decisions/{decision['id']}")
    assert (stored["title"], stored["occurrence_id"]) == ("Pilot of four", held["id"])
    assert stored["decided_on"] == MONDAY  # its date left as it was: the meeting's day
    assert stored["version"] == decision["version"] + 1

    stale = manager.post(url, _fields(decision, title="Overwritten"))  # read before that save
    assert stale.status_code == 412 and "changed by someone else" in stale.text
    assert manager.post(f"{url}/delete", {"version": decision["version"]}).status_code == 412
    assert _get(cast, f"/api/v1/decisions/{decision['id']}")["title"] == "Pilot of four"

    assert manager.post(f"{url}/delete", {"version": stored["version"]}).status_code == 303
    assert cast.viewer.get(f"/api/v1/decisions/{decision['id']}").status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Say what was decided."),
        ({"title": "x" * 301}, "title", "300"),
        ({"rationale": "x" * 20001}, "rationale", "20000"),
        ({"decided_by": ""}, "decided_by", "Say who decided."),
        ({"decided_on": "12/11/2026"}, "decided_on", "YYYY-MM-DD"),
        ({"decided_on": "2999-01-01"}, "decided_on", "has not come yet"),
        ({"occurrence_id": "999999"}, "occurrence_id", "Choose a review meeting"),
        ({"links": "risk:abc"}, "links", "Choose the records"),
    ],
)
def test_a_correction_the_api_would_refuse_is_refused_beside_its_field(
    cast: Cast, browser_as: Callable[[str], Browser], changes: dict, field: str, message: str
) -> None:
    _created(  # something to be about: the page offers the list of records
        cast.manager.post(
            "/api/v1/milestones",
            json={"program_id": cast.program.id, "key": "M1", "name": "Go live"},
        )
    )
    decision = _decision(cast)
    manager = browser_as("manager@example.com")
    url = f"/programs/{cast.program.id}/governance/decisions/{decision['id']}"
    response = manager.post(url, _fields(decision, **changes))
    assert response.status_code == 422, response.text
    assert f'data-error-for="{field}"' in response.text and message in response.text
    assert _get(cast, f"/api/v1/decisions/{decision['id']}")["version"] == decision["version"]


def test_a_new_decision_with_an_over_long_title_is_refused_not_a_server_error(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    manager = browser_as("manager@example.com")
    response = manager.post(
        f"/programs/{cast.program.id}/governance/decisions", {"title": "x" * 301}
    )
    assert response.status_code == 422 and 'data-error-for="title"' in response.text
    listed = _items(cast, f"/api/v1/programs/{cast.program.id}/decisions")
    assert listed == []


def test_a_decision_logged_with_decided_by_left_empty_is_the_persons_by_name(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    manager = browser_as("manager@example.com")
    page = manager.get(f"/programs/{cast.program.id}/governance")
    assert 'name="decided_by" type="text" value="manager"' in page  # the form offers the name
    response = manager.post(
        f"/programs/{cast.program.id}/governance/decisions",
        {"title": "Freeze the scope", "decided_by": ""},
    )
    assert response.status_code == 303, response.text
    (logged,) = _items(cast, f"/api/v1/programs/{cast.program.id}/decisions")
    assert logged["decided_by"] == "manager"  # the name, as the form offered it: not the email


def test_a_record_of_another_program_is_not_found_through_this_one(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    other = _created(
        cast.admin.post(
            "/api/v1/programs", json={"key": "OTHER", "name": "Other", "start_date": MONDAY}
        )
    )
    decision = _created(
        cast.admin.post(f"/api/v1/programs/{other['id']}/decisions", json={"title": "Theirs"})
    )
    review = _created(
        cast.admin.post(
            f"/api/v1/programs/{other['id']}/reviews",
            json={"name": "Their review", "frequency": "weekly", "first_date": MONDAY},
        )
    )
    held = _created(
        cast.admin.post(f"/api/v1/reviews/{review['id']}/occurrences", json={"held_on": MONDAY})
    )
    lesson = _created(
        cast.admin.post(f"/api/v1/programs/{other['id']}/lessons", json={"text": "Theirs"})
    )
    admin = browser_as("admin@example.com")
    here = f"/programs/{cast.program.id}"
    for url in (
        f"{here}/governance/decisions/{decision['id']}",
        f"{here}/governance/decisions/{decision['id']}/delete",
        f"{here}/governance/reviews/{review['id']}/delete",
        f"{here}/governance/meetings/{held['id']}",
        f"{here}/governance/meetings/{held['id']}/delete",
        f"{here}/retrospective/lessons/{lesson['id']}/delete",
    ):
        response = admin.post(url, {"title": "Mine", "decided_by": "Me", "version": 1})
        assert response.status_code == 404, url
    assert _get_as(cast.admin, f"/api/v1/decisions/{decision['id']}")["title"] == "Theirs"
    assert _get_as(cast.admin, f"/api/v1/reviews/{review['id']}")["name"] == "Their review"


def _get_as(client: Any, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.text
    found: dict = response.json()
    return found


def _items(cast: Cast, url: str) -> list:
    items: list = _get(cast, url)["items"]
    return items


def test_the_minutes_of_a_meeting_are_corrected_by_a_manager_only(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    review, held = _review_held(cast)
    url = f"/programs/{cast.program.id}/governance/meetings/{held['id']}"
    minutes = {"notes": "Scope agreed", "present": ["Ana", "Ben"], "guests": "Cy, Ana"}
    member = browser_as("member@example.com")
    assert member.post(url, {**minutes, "version": held["version"]}).status_code == 403
    assert member.post(f"{url}/delete", {"version": held["version"]}).status_code == 403

    manager = browser_as("manager@example.com")
    too_long = manager.post(url, {"notes": "x" * 100001, "version": held["version"]})
    assert too_long.status_code == 422 and 'data-error-for="notes"' in too_long.text
    assert manager.post(url, {**minutes, "version": held["version"]}).status_code == 303
    stored = _get(cast, f"/api/v1/reviews/{review['id']}/occurrences/{held['id']}")
    assert stored["notes"] == "Scope agreed"
    assert stored["attendees_present"] == ["Ana", "Ben", "Cy"]  # each once, in order
    stale = manager.post(url, {"notes": "Overwritten", "version": held["version"]})
    assert stale.status_code == 412 and "changed by someone else" in stale.text
    assert manager.post(f"{url}/delete", {"version": held["version"]}).status_code == 412

    assert manager.post(f"{url}/delete", {"version": stored["version"]}).status_code == 303
    assert _items(cast, f"/api/v1/reviews/{review['id']}/occurrences") == []


def test_a_review_is_deleted_by_a_manager_with_the_version_read(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    review, _held = _review_held(cast)
    url = f"/programs/{cast.program.id}/governance/reviews/{review['id']}/delete"
    assert browser_as("member@example.com").post(url, {"version": 1}).status_code == 403
    manager = browser_as("manager@example.com")
    stale = manager.post(url, {"version": review["version"] + 5})
    assert stale.status_code == 412 and "changed by someone else" in stale.text
    assert manager.post(url, {"version": review["version"]}).status_code == 303
    assert _items(cast, f"/api/v1/programs/{cast.program.id}/reviews") == []


def test_a_topic_is_taken_off_by_its_proposer_or_a_manager_until_discussed(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    review = _created(
        cast.manager.post(
            f"/api/v1/programs/{cast.program.id}/reviews",
            json={"name": "Dependency check", "frequency": "weekly", "first_date": MONDAY},
        )
    )
    items = f"/api/v1/reviews/{review['id']}/agenda-items"
    mine = _created(cast.member.post(items, json={"title": "Vendor delays"}))
    theirs = _created(cast.manager.post(items, json={"title": "Budget"}))
    base = f"/programs/{cast.program.id}/governance/reviews/{review['id']}/topics"
    member = browser_as("member@example.com")
    page = member.get(f"/programs/{cast.program.id}/governance?review={review['id']}")
    assert f"{base}/{mine['id']}/delete" in page and f"{base}/{theirs['id']}/delete" not in page
    assert member.post(f"{base}/{theirs['id']}/delete").status_code == 403
    assert member.post(f"{base}/{mine['id']}/delete").status_code == 303
    assert [i["title"] for i in _items(cast, items)] == ["Budget"]

    cast.manager.post(f"/api/v1/reviews/{review['id']}/occurrences", json={"held_on": MONDAY})
    manager = browser_as("manager@example.com")
    discussed = manager.post(f"{base}/{theirs['id']}/delete")
    assert discussed.status_code == 409 and "already discussed" in discussed.text
    assert manager.post(f"{base}/999999/delete").status_code == 404


def test_a_topic_the_api_would_refuse_is_refused_on_the_page_too(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    review = _created(
        cast.manager.post(
            f"/api/v1/programs/{cast.program.id}/reviews",
            json={"name": "Dependency check", "frequency": "weekly", "first_date": MONDAY},
        )
    )
    member = browser_as("member@example.com")
    url = f"/programs/{cast.program.id}/governance/reviews/{review['id']}/topics"
    assert member.post(url, {"title": "x" * 301}).status_code == 422
    assert member.post(url, {"title": ""}).status_code == 422
    assert _items(cast, f"/api/v1/reviews/{review['id']}/agenda-items") == []


def test_a_lesson_is_removed_by_whoever_recorded_it_or_a_manager(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    lessons = f"/api/v1/programs/{cast.program.id}/lessons"
    mine = _created(cast.member.post(lessons, json={"text": "Book trainers early"}))
    theirs = _created(cast.manager.post(lessons, json={"text": "Test the API first"}))
    base = f"/programs/{cast.program.id}/retrospective/lessons"
    member = browser_as("member@example.com")
    page = member.get(f"/programs/{cast.program.id}/retrospective")
    assert f"{base}/{mine['id']}/delete" in page and f"{base}/{theirs['id']}/delete" not in page
    assert member.post(f"{base}/{theirs['id']}/delete").status_code == 403
    assert browser_as("viewer@example.com").post(f"{base}/{mine['id']}/delete").status_code == 403
    assert member.post(f"{base}/{mine['id']}/delete").status_code == 303
    manager = browser_as("manager@example.com")
    assert f"{base}/{theirs['id']}/delete" in manager.get(
        f"/programs/{cast.program.id}/retrospective"
    )
    assert manager.post(f"{base}/{theirs['id']}/delete").status_code == 303
    assert _items(cast, lessons) == []
