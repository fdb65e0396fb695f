"""A risk's or an action's owner who has left the program stays its owner until someone
picks another: the forms show them ("no longer in the program") so saving keeps them,
and the service keeps them when they are sent back unchanged, while it still refuses to
make someone outside the program a new owner."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast
from tests.api.test_risks import URL, create
from tests.api.test_risks import projects as projects  # the fixture
from tests.factories import assert_error

pytestmark = pytest.mark.db

GONE = "member (no longer in the program)"


def _owned_by_a_member_who_left(cast: Cast, projects: dict[str, int]) -> tuple[dict, dict]:
    member = cast.member.user.id
    risk = create(cast.manager, cast, projects, owner_id=member)
    made = cast.manager.post(
        f"{URL}/{risk['id']}/actions", json={"title": "Hand over the runbooks", "owner_id": member}
    )
    assert made.status_code == 201, made.text
    left = cast.owner.delete(f"/api/v1/programs/{cast.program.id}/members/{member}")
    assert left.status_code == 204, left.text
    return cast.viewer.get(f"{URL}/{risk['id']}").json(), made.json()


def test_the_service_keeps_an_owner_who_left_and_refuses_a_new_one(
    cast: Cast, projects: dict[str, int]
) -> None:
    risk, action = _owned_by_a_member_who_left(cast, projects)
    member = cast.member.user.id
    kept = cast.manager.patch(
        f"{URL}/{risk['id']}", json={"title": "Engineer leaves", "owner_id": member}
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["owner"]["id"] == member and kept.json()["title"] == "Engineer leaves"
    url = f"{URL}/{risk['id']}/actions/{action['id']}"
    kept = cast.manager.patch(url, json={"title": "Hand over", "owner_id": member})
    assert kept.status_code == 200, kept.text
    assert kept.json()["owner"]["id"] == member
    # someone outside the program is not made an owner, of either
    outsider = cast.outsider.user.id
    for where in (f"{URL}/{risk['id']}", url):
        error = assert_error(cast.manager.patch(where, json={"owner_id": outsider}), 422)
        assert error["details"][0]["field"] == "owner_id"
    # nor is the one who left, once someone else was chosen
    moved = cast.manager.patch(f"{URL}/{risk['id']}", json={"owner_id": cast.viewer.user.id})
    assert moved.status_code == 200, moved.text
    assert_error(cast.manager.patch(f"{URL}/{risk['id']}", json={"owner_id": member}), 422)


def test_saving_the_risk_and_action_forms_keeps_an_owner_who_left(
    cast: Cast, projects: dict[str, int], browser_as: Callable[[str], Browser]
) -> None:
    risk, action = _owned_by_a_member_who_left(cast, projects)
    member = cast.member.user.id
    manager = browser_as("manager@example.com")
    page = manager.get(f"/risks/{risk['id']}")
    assert f'<option value="{member}" selected>{GONE}</option>' in page
    form = {
        "title": "Engineer leaves",
        "probability": "3",
        "impact": "3",
        "level": "project",
        "response": "mitigate",
        "status": "open",
        "owner_id": str(member),
        "due_date": "",
        "project_ids": str(projects["PLAT"]),
        "task_keys": "",
        "version": str(risk["version"]),
    }
    saved = manager.post(f"/risks/{risk['id']}", form)
    assert saved.status_code == 303, saved.text
    stored = cast.viewer.get(f"{URL}/{risk['id']}").json()
    assert stored["title"] == "Engineer leaves" and stored["owner"]["id"] == member
    # the action's edit form too
    page = manager.get(f"/risks/{risk['id']}?edit_action={action['id']}")
    form_html = page[page.index('data-testid="edit-action-form"') :]
    assert f'<option value="{member}" selected>{GONE}</option>' in form_html
    saved = manager.post(
        f"/risks/{risk['id']}/actions/{action['id']}",
        {"title": "Hand over", "owner_id": str(member), "due_date": "", "version": "1"},
    )
    assert saved.status_code == 303, saved.text
    (stored_action,) = cast.viewer.get(f"{URL}/{risk['id']}/actions").json()["items"]
    assert stored_action["title"] == "Hand over" and stored_action["owner"]["id"] == member
    # the add-action form offers only the members
    page = manager.get(f"/risks/{risk['id']}")
    assert GONE not in page[page.index('data-testid="add-action-form"') :]
