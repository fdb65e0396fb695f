"""A scenario's page: apply, discard and delete ask first; a refused apply says what helps;
the copy's links are named apart from the live ones; the cost difference reads as an amount.
The compare route lists a task deleted and re-made under its key as applying does it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast, Net, post_created

pytestmark = pytest.mark.db


def _scenario(cast: Cast) -> dict:
    return post_created(
        cast.manager, f"/api/v1/programs/{cast.program.id}/scenarios", {"name": "Same key"}
    )


def _copy_task(cast: Cast, scenario: dict, key: str) -> dict:
    tasks = cast.manager.get(
        "/api/v1/tasks", params={"program_id": scenario["copy_program_id"]}
    ).json()["items"]
    return next(t for t in tasks if t["key"] == key)


def test_apply_discard_and_delete_each_ask_before_acting(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    scenario = _scenario(cast)
    url = f"/scenarios/{scenario['id']}"
    manager = browser_as("manager@example.com")
    page = manager.get(url)
    for action in ("apply", "discard", "delete"):
        assert f'action="{url}/{action}"' not in page  # one click only opens the question
        assert f'href="{url}?confirm={action}#confirm-{action}"' in page
        asked = manager.get(f"{url}?confirm={action}")
        assert f'action="{url}/{action}"' in asked and f'id="confirm-{action}"' in asked
        assert "data-focus-after-swap" in asked and f'href="{url}">Keep it' in asked
    assert cast.viewer.get(f"/api/v1/scenarios/{scenario['id']}").json()["status"] == "active"


def test_a_refused_apply_says_to_edit_the_scenario_or_discard_and_copy_again(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    scenario = _scenario(cast)
    manager = browser_as("manager@example.com")
    # only a clash refuses (docs/scenarios.md), not any live change since the copy
    calm = manager.get(f"/scenarios/{scenario['id']}")
    assert "nothing if the live plan changed" not in calm
    assert "keeps what only the live plan changed" in calm and "only if the two clash" in calm
    copied = _copy_task(cast, scenario, net.sec["key"])
    cast.manager.patch(f"/api/v1/tasks/{copied['id']}", json={"duration": 6})
    cast.owner.patch(f"/api/v1/tasks/{net.sec['id']}", json={"duration": 4})
    stale = manager.get(f"/scenarios/{scenario['id']}")
    refused = manager.post(f"/scenarios/{scenario['id']}/apply")
    assert refused.status_code == 409 and 'data-testid="apply-refused"' in refused.text
    for text in (stale, refused.text):
        assert "or undo the live changes" not in text
        assert "Edit the scenario" in text
        assert "discard" in text and "copy the plan again" in text
    api = cast.manager.post(f"/api/v1/scenarios/{scenario['id']}/apply")
    assert api.status_code == 409, api.text
    message = api.json()["error"]["message"]
    assert "edit the scenario to agree with the live plan where they clash" in message
    assert message.endswith("or discard it and copy the plan again.")


def test_the_copys_links_are_named_apart_and_the_cost_difference_is_an_amount(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    scenario = _scenario(cast)
    task = _copy_task(cast, scenario, net.plat["key"])
    budget = cast.viewer.get(f"/api/v1/tasks/{net.plat['id']}").json()["budget"]
    cast.manager.patch(f"/api/v1/tasks/{task['id']}", json={"budget": budget + 41250})
    page = browser_as("manager@example.com").get(f"/scenarios/{scenario['id']}")
    assert f'href="/programs/{scenario["copy_program_id"]}/projects">Edit the copy’s' in page
    assert "+41,250" in page and "+41250" not in page


def test_compare_lists_a_task_deleted_and_remade_under_its_key(cast: Cast, net: Net) -> None:
    scenario = _scenario(cast)
    old = _copy_task(cast, scenario, net.sec["key"])
    gone = cast.manager.delete(f"/api/v1/tasks/{old['id']}", params={"cascade": "true"})
    assert gone.status_code == 204, gone.text
    post_created(
        cast.manager,
        "/api/v1/tasks",
        {
            "project_id": old["project_id"],
            "key": old["key"],
            "name": old["name"],
            "duration": old["duration"],
        },
    )
    scope = cast.viewer.get(f"/api/v1/scenarios/{scenario['id']}/compare").json()["scope"]
    assert [t["key"] for t in scope["tasks_removed"]] == [net.sec["key"]]
    assert [t["key"] for t in scope["tasks_added"]] == [net.sec["key"]]


def test_compare_answers_every_list_the_page_shows(cast: Cast, net: Net) -> None:
    scenario = _scenario(cast)
    copy_program = scenario["copy_program_id"]
    links = cast.manager.get("/api/v1/dependencies", params={"program_id": copy_program})
    link = links.json()["items"][0]
    changed = cast.manager.patch(f"/api/v1/dependencies/{link['id']}", json={"lag": 2})
    assert changed.status_code == 200, changed.text
    milestones = cast.manager.get("/api/v1/milestones", params={"program_id": copy_program})
    m1 = milestones.json()["items"][0]
    renamed = cast.manager.patch(f"/api/v1/milestones/{m1['id']}", json={"name": "Ready"})
    assert renamed.status_code == 200, renamed.text
    scope = cast.viewer.get(f"/api/v1/scenarios/{scenario['id']}/compare").json()["scope"]
    assert {
        "projects_added",
        "projects_removed",
        "projects_changed",
        "milestones_added",
        "milestones_removed",
        "milestones_changed",
        "dependencies_changed",
        "assignments_changed",
    } <= set(scope)
    (link_change,) = scope["dependencies_changed"]
    assert (link_change["live"], link_change["scenario"]) == ("FS", "FS+2")
    (milestone,) = scope["milestones_changed"]
    assert (milestone["key"], milestone["fields"]["name"]) == ("M1", ["Trainers ready", "Ready"])
