"""The mitigation actions of a closed risk belong to the closed record: a member may not
change, mark done or reopen them (403, as adding one is refused), through the API or the
risk page's forms; a manager may."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast
from tests.api.test_risks import URL, create
from tests.api.test_risks import projects as projects  # the fixture
from tests.factories import assert_error

pytestmark = pytest.mark.db

CLOSED = "manager or above is needed to change a closed risk"


def _closed_risk_with_done_action(cast: Cast, projects: dict[str, int]) -> tuple[dict, dict]:
    risk = create(cast.member, cast, projects)
    made = cast.member.post(f"{URL}/{risk['id']}/actions", json={"title": "Pre-review"})
    assert made.status_code == 201, made.text
    done = cast.member.patch(f"{URL}/{risk['id']}/actions/{made.json()['id']}", json={"done": True})
    assert done.status_code == 200, done.text
    closed = cast.manager.patch(f"{URL}/{risk['id']}", json={"status": "closed"})
    assert closed.status_code == 200, closed.text
    return risk, done.json()


def _action(cast: Cast, risk: dict, action: dict) -> dict:
    (found,) = [
        a
        for a in cast.viewer.get(f"{URL}/{risk['id']}/actions").json()["items"]
        if a["id"] == action["id"]
    ]
    return found


def test_a_member_cannot_change_or_reopen_an_action_of_a_closed_risk(
    cast: Cast, projects: dict[str, int]
) -> None:
    risk, action = _closed_risk_with_done_action(cast, projects)
    url = f"{URL}/{risk['id']}/actions/{action['id']}"
    for body in ({"title": "x"}, {"done": False}, {"due_date": "2030-01-01"}):
        error = assert_error(cast.member.patch(url, json=body), 403, "forbidden")
        assert CLOSED in error["message"]
        assert error["details"]["required"] == "manager"
    assert _action(cast, risk, action) == action  # nothing changed, not even the version
    assert_error(cast.viewer.patch(url, json={"title": "x"}), 403)
    # a manager may
    reopened = cast.manager.patch(url, json={"done": False})
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["done"] is False and reopened.json()["done_on"] is None


def test_a_members_forged_posts_on_a_closed_risks_page_are_refused(
    cast: Cast, projects: dict[str, int], browser_as: Callable[[str], Browser]
) -> None:
    risk, action = _closed_risk_with_done_action(cast, projects)
    member = browser_as("member@example.com")
    page = member.get(f"/risks/{risk['id']}")
    assert "Reopen" not in page and 'data-testid="add-action-form"' not in page
    base = f"/risks/{risk['id']}/actions/{action['id']}"
    version = {"version": action["version"]}
    reopened = member.post(f"{base}/done", {"done": "0", **version})
    assert reopened.status_code == 403 and "closed risk" in reopened.text
    edited = member.post(base, {"title": "Renamed", "owner_id": "", "due_date": "", **version})
    assert edited.status_code == 403 and "closed risk" in edited.text
    assert _action(cast, risk, action) == action
    manager = browser_as("manager@example.com")
    assert "Reopen" in manager.get(f"/risks/{risk['id']}")
    done = manager.post(f"{base}/done", {"done": "0", **version})
    assert done.status_code == 303, done.text
    assert _action(cast, risk, action)["done"] is False
