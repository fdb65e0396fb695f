"""Withdrawing a change request from the Governance tab: whoever raised it, or a manager."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast, Net

pytestmark = pytest.mark.db


def _raised_by_member(cast: Cast, net: Net) -> dict:
    response = cast.member.post(
        f"/api/v1/programs/{cast.program.id}/change-requests",
        json={
            "title": "Longer pilot",
            "changes": [{"type": "slip", "task_id": net.plat["id"], "days": 5}],
        },
    )
    assert response.status_code == 201, response.text
    created: dict = response.json()
    return created


def _withdraw(cast: Cast, person: Browser, cr: dict) -> tuple[int, str]:
    url = f"/programs/{cast.program.id}/governance/change-requests/{cr['id']}/withdraw"
    response = person.post(url, {"version": cr["version"]})
    return response.status_code, response.text


def _status(cast: Cast, cr: dict) -> str:
    status: str = cast.viewer.get(f"/api/v1/change-requests/{cr['id']}").json()["status"]
    return status


def test_the_member_who_raised_it_sees_the_button_and_withdraws_it(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    cr = _raised_by_member(cast, net)
    member = browser_as("member@example.com")
    assert 'data-testid="withdraw-form"' in member.get(f"/programs/{cast.program.id}/governance")
    status, _ = _withdraw(cast, member, cr)
    assert status == 303
    assert _status(cast, cr) == "withdrawn"
    again = cast.viewer.get(f"/api/v1/tasks/{net.plat['id']}").json()
    assert again["duration"] == net.plat["duration"]  # nothing applied


def test_a_manager_withdraws_from_the_decision_form(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    cr = _raised_by_member(cast, net)
    manager = browser_as("manager@example.com")
    page = manager.get(f"/programs/{cast.program.id}/governance")
    assert 'data-testid="withdraw"' in page and 'data-testid="withdraw-form"' not in page
    assert _withdraw(cast, manager, cr)[0] == 303
    assert _status(cast, cr) == "withdrawn"
    status, text = _withdraw(cast, manager, {**cr, "version": cr["version"] + 1})
    assert status == 409 and "already withdrawn" in text


def test_a_viewer_cannot_withdraw_it(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    cr = _raised_by_member(cast, net)
    viewer = browser_as("viewer@example.com")
    assert 'data-testid="withdraw' not in viewer.get(f"/programs/{cast.program.id}/governance")
    assert _withdraw(cast, viewer, cr)[0] == 403
    assert _status(cast, cr) == "proposed"


def test_a_stale_page_is_refused_in_place(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    cr = _raised_by_member(cast, net)
    status, text = _withdraw(cast, browser_as("member@example.com"), {**cr, "version": 99})
    assert status == 412 and "changed" in text.lower()
    assert _status(cast, cr) == "proposed"


def test_a_refused_decision_is_shown_focused_on_its_request(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    cr = _raised_by_member(cast, net)
    key = f"cr-{cr['id']}"
    manager = browser_as("manager@example.com")
    page = manager.get(f"/programs/{cast.program.id}/governance")
    # the decision forms post to the request's card, so the page sent back opens there
    for verdict in ("approve", "reject", "withdraw"):
        assert f'/change-requests/{cr["id"]}/{verdict}#{key}"' in page
    refused = manager.post(
        f"/programs/{cast.program.id}/governance/change-requests/{cr['id']}/reject",
        {"version": cr["version"]},
    )
    assert refused.status_code == 422
    error = re.search(
        r'<p class="alert alert--error"[^>]*data-testid="cr-error"[^>]*>', refused.text
    )
    assert error is not None and f'id="{key}-error"' in error[0]
    assert "data-focus-after-swap" in error[0]  # the message is where focus goes
    rationale = re.search(rf'<input id="{key}-rationale"[^>]*>', refused.text)
    assert rationale is not None  # the field to fill is marked, and focused first
    assert 'aria-invalid="true"' in rationale[0] and f"{key}-error" in rationale[0]
    assert _status(cast, cr) == "proposed"
