"""Changing a proposed change request from the Governance tab: whoever raised it, or a
manager. Its plan changes are edited when the form can show them exactly, and kept as
proposed when it cannot; a stale form (412), a decided request (409) and a value the
API refuses (422) change nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import Browser, Cast, Net

pytestmark = pytest.mark.db


def _raised(cast: Cast, net: Net, changes: list[dict] | None = None) -> dict:
    response = cast.member.post(
        f"/api/v1/programs/{cast.program.id}/change-requests",
        json={
            "title": "Longer pilot",
            "changes": changes or [{"type": "slip", "task_id": net.plat["id"], "days": 5}],
        },
    )
    assert response.status_code == 201, response.text
    created: dict = response.json()
    return created


def _stored(cast: Cast, cr: dict) -> dict:
    found: dict = cast.viewer.get(f"/api/v1/change-requests/{cr['id']}").json()
    return found


def _slips(stored: dict) -> list[tuple[str, int, int]]:
    """The request's changes as (type, task, days): the API stores each with its defaults."""
    return [(c["type"], c["task_id"], c["days"]) for c in stored["changes"]]


def _form(cr: dict, **fields: Any) -> dict[str, Any]:
    return {"title": cr["title"], "version": cr["version"], "changes": "1", **fields}


def test_whoever_raised_it_changes_its_words_and_its_plan_changes(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    cr = _raised(cast, net)
    member = browser_as("member@example.com")
    page = member.get(f"/programs/{cast.program.id}/governance?edit_cr={cr['id']}")
    assert "Edit CR-1" in page and 'name="changes" value="1"' in page
    url = f"/programs/{cast.program.id}/governance/change-requests/{cr['id']}"
    saved = member.post(
        url,
        _form(
            cr,
            title="Pilot with five clients",
            slip_task=str(net.plat["id"]),
            slip_days="8",
            budget_task=str(net.plat["id"]),
            budget="12500.5",
            scope_change="Two more clients",
        ),
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith(f"#cr-{cr['id']}")
    stored = _stored(cast, cr)
    assert stored["title"] == "Pilot with five clients"
    assert _slips(stored) == [("slip", net.plat["id"], 8)]
    assert stored["budget_changes"] == [{"task_id": net.plat["id"], "budget": 12500.5}]
    assert stored["scope_change"] == "Two more clients"
    stale = member.post(url, _form(cr, title="Overwritten"))
    assert stale.status_code == 412 and "changed by someone else" in stale.text
    assert _stored(cast, cr)["title"] == "Pilot with five clients"


def test_changes_the_form_cannot_show_are_kept_as_proposed(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    two_slips = [
        {"type": "slip", "task_id": net.plat["id"], "days": 5},
        {"type": "slip", "task_id": net.train["id"], "days": 2},
    ]
    cr = _raised(cast, net, two_slips)
    manager = browser_as("manager@example.com")
    page = manager.get(f"/programs/{cast.program.id}/governance?edit_cr={cr['id']}")
    assert 'data-testid="changes-kept"' in page and 'name="changes" value="0"' in page
    assert "Its 2 plan changes — more than this form shows" in page
    assert 'name="slip_days"' not in page
    url = f"/programs/{cast.program.id}/governance/change-requests/{cr['id']}"
    saved = manager.post(url, _form(cr, title="Two slips", changes="0", slip_days="99"))
    assert saved.status_code == 303
    stored = _stored(cast, cr)
    assert stored["title"] == "Two slips"
    assert _slips(stored) == [("slip", net.plat["id"], 5), ("slip", net.train["id"], 2)]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "title", "Required."),
        ({"slip_task": "TASK", "slip_days": "eight"}, "slip_days", "whole number"),
        ({"slip_days": "3"}, "slip_task", "Choose the task."),
        ({"slip_task": "TASK", "slip_days": "-3"}, "slip_days", "A slip is 1 to 10000 working"),
        ({"duration_task": "TASK", "duration_days": "-1"}, "duration_days", "A duration is 0"),
        ({"budget_task": "TASK", "budget": "lots"}, "budget", ""),
    ],
)
def test_a_value_the_api_refuses_is_refused_beside_its_field(
    cast: Cast,
    net: Net,
    browser_as: Callable[[str], Browser],
    fields: dict,
    field: str,
    message: str,
) -> None:
    cr = _raised(cast, net)
    fields = {k: str(net.plat["id"]) if v == "TASK" else v for k, v in fields.items()}
    member = browser_as("member@example.com")
    url = f"/programs/{cast.program.id}/governance/change-requests/{cr['id']}"
    response = member.post(url, {**_form(cr), **fields})
    assert response.status_code == 422, response.text
    assert f'data-error-for="{field}"' in response.text and message in response.text
    assert _stored(cast, cr)["version"] == cr["version"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"slip_days": "-3"}, "slip_days", "A slip is 1 to 10000 working days."),
        ({"duration_days": "-1"}, "duration_days", "A duration is 0 to 10000 working days."),
        ({"slip_days": "5", "budget": "-2"}, "budget", "Must be at least 0."),
    ],
)
def test_a_number_of_days_the_api_refuses_is_marked_on_its_field_when_raised(
    cast: Cast,
    net: Net,
    browser_as: Callable[[str], Browser],
    fields: dict,
    field: str,
    message: str,
) -> None:
    task = str(net.plat["id"])
    chosen = {"slip_task": task} if "slip_days" in fields else {"duration_task": task}
    if "budget" in fields:
        chosen["budget_task"] = task
    member = browser_as("member@example.com")
    response = member.post(
        f"/programs/{cast.program.id}/governance/change-requests",
        {"title": "Pull the pilot in", **chosen, **fields},
    )
    assert response.status_code == 422, response.text
    page = response.text
    assert f'data-error-for="{field}"' in page and message in page
    assert re.search(rf'id="cr-{field}"[^>]*aria-invalid="true"', page)  # focused on load
    assert 'data-testid="form-error"' not in page  # beside the field, not only on top
    raised = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/change-requests").json()
    assert raised["items"] == []


@pytest.mark.parametrize("role", ["viewer", "owner"])
def test_another_member_or_a_viewer_cannot_change_it(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser], db: Any, role: str
) -> None:
    cr = _raised(cast, net)
    url = f"/programs/{cast.program.id}/governance/change-requests/{cr['id']}"
    if role == "owner":  # an owner is a manager: may; a second member may not
        from podium.models import Role
        from tests.factories import add_member, make_user

        add_member(db, cast.program, make_user(db, email="other@example.com"), Role.MEMBER)
        person = browser_as("other@example.com")
    else:
        person = browser_as("viewer@example.com")
    page = person.get(f"/programs/{cast.program.id}/governance?edit_cr={cr['id']}")
    assert "Edit CR-1" not in page
    assert person.post(url, _form(cr, title="Mine")).status_code == 403
    assert _stored(cast, cr)["title"] == "Longer pilot"


def test_a_decided_request_cannot_be_changed(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    cr = _raised(cast, net)
    rejected = cast.manager.post(
        f"/api/v1/change-requests/{cr['id']}/reject", json={"rationale": "Not now"}
    )
    assert rejected.status_code == 200, rejected.text
    decided = _stored(cast, cr)
    member = browser_as("member@example.com")
    url = f"/programs/{cast.program.id}/governance/change-requests/{cr['id']}"
    refused = member.post(url, _form(decided, title="Again"))
    assert refused.status_code == 409
    assert _stored(cast, cr)["title"] == "Longer pilot"
