"""A scenario renamed or deleted from its page: managers only; a stale form is refused
(412), a name the API refuses is refused here (422); deleting drops the copy and leaves
the live plan as it was."""

from __future__ import annotations

import html as html_text
import re
from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast, Net, post_created

pytestmark = pytest.mark.db


def _scenario(cast: Cast) -> dict:
    return post_created(
        cast.manager, f"/api/v1/programs/{cast.program.id}/scenarios", {"name": "Slip the pilot"}
    )


def _stored(cast: Cast, scenario: dict) -> dict:
    response = cast.viewer.get(f"/api/v1/scenarios/{scenario['id']}")
    assert response.status_code == 200, response.text
    found: dict = response.json()
    return found


def test_a_manager_renames_a_scenario_with_the_version_read(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    scenario = _scenario(cast)
    url = f"/scenarios/{scenario['id']}"
    manager = browser_as("manager@example.com")
    assert 'data-testid="rename-form"' in manager.get(url)
    body = {"name": "Slip it a month", "description": "Why not", "version": scenario["version"]}
    saved = manager.post(url, body)
    assert saved.status_code == 303 and saved.headers["location"] == f"{url}?saved=1"
    stored = _stored(cast, scenario)
    assert (stored["name"], stored["description"]) == ("Slip it a month", "Why not")
    stale = manager.post(url, {**body, "name": "Overwritten"})
    assert stale.status_code == 412 and "changed by someone else" in stale.text
    for bad, message in (("", "Required."), ("x" * 201, "200")):
        refused = manager.post(url, {**body, "name": bad, "version": stored["version"]})
        assert refused.status_code == 422 and message in refused.text
    assert _stored(cast, scenario)["name"] == "Slip it a month"


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_only_managers_rename_or_delete(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser], role: str
) -> None:
    scenario = _scenario(cast)
    url = f"/scenarios/{scenario['id']}"
    person = browser_as(f"{role}@example.com")
    page = person.get(url)
    assert 'data-testid="rename-form"' not in page and 'data-testid="delete-scenario"' not in page
    assert person.post(url, {"name": "Mine", "version": 1}).status_code == 403
    assert person.post(f"{url}/delete", {"version": 1}).status_code == 403
    assert _stored(cast, scenario)["name"] == "Slip the pilot"


def test_deleting_drops_the_copy_and_leaves_the_live_plan(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    scenario = _scenario(cast)
    url = f"/scenarios/{scenario['id']}/delete"
    manager = browser_as("manager@example.com")
    assert manager.post(url, {"version": scenario["version"] + 3}).status_code == 412
    deleted = manager.post(url, {"version": scenario["version"]})
    assert deleted.status_code == 303
    assert deleted.headers["location"] == f"/programs/{cast.program.id}/scenarios?deleted=1"
    assert cast.viewer.get(f"/api/v1/scenarios/{scenario['id']}").status_code == 404
    assert cast.manager.get(f"/api/v1/programs/{scenario['copy_program_id']}").status_code == 404
    live = cast.viewer.get(f"/api/v1/tasks/{net.plat['id']}").json()
    assert live["duration"] == net.plat["duration"]
    assert manager.post(url, {"version": scenario["version"]}).status_code == 404


def test_the_create_form_refuses_what_the_api_refuses_beside_the_field(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    manager = browser_as("manager@example.com")
    url = f"/programs/{cast.program.id}/scenarios"
    for body, field, said in (
        ({"name": "x" * 250}, "name", "At most 200 characters, not 250."),
        ({"name": "Pilot\x00late"}, "name", "Contains a NUL character."),
        ({"name": "Pilot", "description": "d" * 30_000}, "description", "not 30,000."),
    ):
        refused = manager.post(url, body)
        assert refused.status_code == 422, body
        error = refused.text.split(f'data-error-for="{field}"', 1)[1].split("</p>", 1)[0]
        assert said in error, (body, error)
    listed = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/scenarios").json()
    assert listed["total"] == 0
    # a scenario's copy refused on the form's top, not beside its name
    nested = manager.post(
        f"/programs/{_scenario(cast)['copy_program_id']}/scenarios", {"name": "Nested"}
    )
    assert nested.status_code == 409 and 'data-testid="form-error"' in nested.text


def test_the_applied_outcome_counts_one_record_in_the_singular(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    scenario = _scenario(cast)
    copy_id = scenario["copy_program_id"]
    (milestone,) = cast.viewer.get("/api/v1/milestones", params={"program_id": copy_id}).json()[
        "items"
    ]
    tasks = cast.viewer.get("/api/v1/tasks", params={"program_id": copy_id}).json()["items"]
    pilot = next(t for t in tasks if t["key"] == net.plat["key"])
    edits = (
        (f"/api/v1/milestones/{milestone['id']}", {"target_date": "2027-02-05"}),
        (f"/api/v1/tasks/{pilot['id']}", {"duration": 12}),
    )
    for url, body in edits:
        assert cast.manager.patch(url, json=body).status_code == 200, url
    assert cast.manager.post(f"/api/v1/scenarios/{scenario['id']}/apply").status_code == 200
    page = browser_as("viewer@example.com").get(f"/scenarios/{scenario['id']}")
    applied = page.split('data-testid="applied"', 1)[1].split("</p>", 1)[0]
    assert "updated 1 milestone, updated 1 task." in applied and "1 milestones" not in applied


def _text(html: str) -> str:
    return html_text.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)))


def test_a_milestone_shows_both_targets_and_each_sides_p80_saying_when_it_is_older(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    forecast = {"iterations": 100, "seed": 1}
    post_created(cast.manager, f"/api/v1/programs/{cast.program.id}/forecast", forecast)
    scenario = _scenario(cast)
    copy_id = scenario["copy_program_id"]
    (milestone,) = cast.viewer.get("/api/v1/milestones", params={"program_id": copy_id}).json()[
        "items"
    ]
    moved = {"target_date": "2027-01-20"}
    assert cast.manager.patch(f"/api/v1/milestones/{milestone['id']}", json=moved).is_success
    viewer = browser_as("viewer@example.com")

    def m1_row() -> tuple[str, str, str]:
        page = viewer.get(f"/scenarios/{scenario['id']}")
        row = page.split('data-milestone="M1"', 1)[1].split("</tr>", 1)[0]
        live = row.split('data-side="live"', 1)[1].split("</td>", 1)[0]
        mine = row.split('data-side="scenario"', 1)[1].split("</td>", 1)[0]
        p80 = page.split('data-row="p80"', 1)[1].split("</tr>", 1)[0]
        return _text(row), _text(live) + " | " + _text(mine), _text(p80)

    row, cells, p80 = m1_row()
    assert "target 22 Jan 2027 → 20 Jan 2027" in row, row
    live, mine = cells.split(" | ")
    assert "P80 " in live and "P80" not in mine  # only the live plan was forecast
    assert "latest changes" not in cells + p80
    longer = cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 14})
    assert longer.status_code == 200, longer.text
    row, cells, p80 = m1_row()
    assert "P80 " in cells and "(older plan)" in cells.split(" | ")[0]
    assert re.search(r"forecast of \d+ \w+ \d{4}, before the plan's latest changes", p80), p80
