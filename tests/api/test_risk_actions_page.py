"""A risk's mitigation actions corrected on its page: members change an action's title,
owner or due date, managers delete one; a viewer's forged post is refused (403), a
stale form is refused (412) and a value the API refuses is refused here (422)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from tests.api.conftest import Browser, Cast
from tests.api.test_risks import URL, create
from tests.api.test_risks import projects as projects  # the fixture

pytestmark = pytest.mark.db


def _action(cast: Cast, risk: dict) -> dict:
    made = cast.member.post(
        f"{URL}/{risk['id']}/actions", json={"title": "Weekly call", "due_date": "2030-01-31"}
    )
    assert made.status_code == 201, made.text
    action: dict = made.json()
    return action


def _stored(cast: Cast, risk: dict, action: dict) -> dict:
    (found,) = [
        a
        for a in cast.viewer.get(f"{URL}/{risk['id']}/actions").json()["items"]
        if a["id"] == action["id"]
    ]
    return found


def test_a_member_corrects_an_action_and_a_stale_form_is_refused(
    cast: Cast, projects: dict[str, int], browser_as: Callable[[str], Browser]
) -> None:
    risk = create(cast.member, cast, projects)
    action = _action(cast, risk)
    member = browser_as("member@example.com")
    page = member.get(f"/risks/{risk['id']}?edit_action={action['id']}")
    assert 'data-testid="edit-action-form"' in page and "Delete action" not in page
    url = f"/risks/{risk['id']}/actions/{action['id']}"
    form = {"title": "Daily call", "owner_id": cast.member.user.id, "due_date": "2030-02-14"}
    saved = member.post(url, {**form, "version": action["version"]})
    assert saved.status_code == 303 and "action=action_saved" in saved.headers["location"]
    stored = _stored(cast, risk, action)
    assert (stored["title"], stored["owner"]["id"], stored["due_date"]) == (
        "Daily call",
        cast.member.user.id,
        "2030-02-14",
    )
    stale = member.post(url, {**form, "title": "Overwritten", "version": action["version"]})
    assert stale.status_code == 412 and "changed by someone else" in stale.text
    assert _stored(cast, risk, action)["title"] == "Daily call"
    # a member may not delete it
    refused = member.post(f"{url}/delete", {"version": stored["version"]})
    assert refused.status_code == 403
    assert _stored(cast, risk, action)["title"] == "Daily call"


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"title": ""}, "title", "Required."),
        ({"title": "x" * 301}, "title", "300"),
        ({"title": "Call", "due_date": "14/02/2030"}, "due_date", "date"),
        ({"title": "Call", "owner_id": "999999"}, "owner_id", "member"),
    ],
)
def test_a_value_the_api_refuses_is_refused_beside_its_field(
    cast: Cast,
    projects: dict[str, int],
    browser_as: Callable[[str], Browser],
    form: dict,
    field: str,
    message: str,
) -> None:
    risk = create(cast.member, cast, projects)
    action = _action(cast, risk)
    member = browser_as("member@example.com")
    url = f"/risks/{risk['id']}/actions/{action['id']}"
    response = member.post(url, {**form, "version": action["version"]})
    assert response.status_code == 422, response.text
    assert f'data-error-for="{field}"' in response.text and message in response.text
    assert _stored(cast, risk, action)["version"] == action["version"]


def test_a_manager_deletes_an_action_and_a_viewer_cannot_touch_it(
    cast: Cast, projects: dict[str, int], browser_as: Callable[[str], Browser], db: Session
) -> None:
    risk = create(cast.member, cast, projects)
    action = _action(cast, risk)
    url = f"/risks/{risk['id']}/actions/{action['id']}"
    viewer = browser_as("viewer@example.com")
    assert "edit_action=" not in viewer.get(f"/risks/{risk['id']}")
    assert viewer.post(url, {"title": "Mine", "version": action["version"]}).status_code == 403
    assert viewer.post(f"{url}/delete", {"version": action["version"]}).status_code == 403
    manager = browser_as("manager@example.com")
    assert "Delete action" in manager.get(f"/risks/{risk['id']}?edit_action={action['id']}")
    stale = manager.post(f"{url}/delete", {"version": action["version"] + 1})
    assert stale.status_code == 412
    deleted = manager.post(f"{url}/delete", {"version": action["version"]})
    assert deleted.status_code == 303 and "action=action_deleted" in deleted.headers["location"]
    assert cast.viewer.get(f"{URL}/{risk['id']}/actions").json()["items"] == []
    other = create(cast.member, cast, projects)
    assert (
        manager.post(f"/risks/{other['id']}/actions/{action['id']}/delete", {}).status_code == 404
    )


def test_a_stale_risk_form_is_refused_in_place_with_what_was_typed(
    cast: Cast, projects: dict[str, int], browser_as: Callable[[str], Browser]
) -> None:
    risk = create(cast.member, cast, projects)
    member = browser_as("member@example.com")
    moved = cast.manager.patch(f"{URL}/{risk['id']}", json={"title": "Vendor API very late"})
    assert moved.status_code == 200, moved.text
    form = {"title": "Typed while they saved", "probability": 4, "impact": 3, "version": 1}
    stale = member.post(f"/risks/{risk['id']}", form)
    assert stale.status_code == 412
    assert 'value="Typed while they saved"' in stale.text
    assert "This risk was changed by someone else" in stale.text
    assert cast.viewer.get(f"{URL}/{risk['id']}").json()["title"] == "Vendor API very late"
    action = _action(cast, risk)
    ticked = member.post(
        f"/risks/{risk['id']}/actions/{action['id']}/done", {"done": "1", "version": 99}
    )
    assert ticked.status_code == 412 and "changed by someone else" in ticked.text
    assert _stored(cast, risk, action)["done"] is False
    manager = browser_as("manager@example.com")
    deleted = manager.post(f"/risks/{risk['id']}/delete", {"version": 1})
    assert deleted.status_code == 412 and "changed by someone else" in deleted.text
    assert cast.viewer.get(f"{URL}/{risk['id']}").status_code == 200
