"""Baselines: taken by managers, one current, variance of the live plan against them."""

from __future__ import annotations

import pytest

from tests.api.conftest import Cast, Net, post_created
from tests.api.test_programs import assert_error


def _take(cast: Cast, name: str = "Plan of record", **body: object) -> dict:
    response = cast.manager.post(
        f"/api/v1/programs/{cast.program.id}/baselines", json={"name": name, **body}
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_baseline_snapshots_every_task_and_milestone(cast: Cast, net: Net) -> None:
    baseline = _take(cast)
    assert baseline["is_current"] and baseline["items"] == 4
    assert (baseline["start"], baseline["finish"]) == ("2027-01-04", "2027-01-22")
    listed = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/baselines").json()["items"]
    assert [b["name"] for b in listed] == ["Plan of record"]


def test_variance_shows_the_slip_in_working_days_per_task_project_and_milestone(
    cast: Cast, net: Net
) -> None:
    baseline = _take(cast)
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12, "budget": 5000})
    v = cast.viewer.get(f"/api/v1/baselines/{baseline['id']}/variance").json()
    assert v["program_finish_variance"] == 2 and v["program_finish_live"] == "2027-01-26"
    by_key = {t["key"]: t for t in v["tasks"]}
    assert (
        by_key[net.train["key"]]["start_variance"] == 2
        and by_key[net.train["key"]]["finish_variance"] == 2
    )
    assert by_key[net.sec["key"]]["finish_variance"] == 0
    assert by_key[net.plat["key"]]["cost_variance"] == 5000
    (m1,) = v["milestones"]
    assert (m1["key"], m1["finish_variance"]) == ("M1", 2)
    projects = {p["project_key"]: p["finish_variance"] for p in v["projects"]}
    assert projects == {"PLAT": 2, "TRAIN": 2, "SEC": 0}


def test_variance_lists_scope_added_and_removed(cast: Cast, net: Net) -> None:
    baseline = _take(cast)
    cast.manager.delete(f"/api/v1/tasks/{net.sec['id']}", params={"cascade": "true"})
    added = cast.manager.post(
        "/api/v1/tasks",
        json={"project_id": net.sec["project_id"], "name": "New work", "duration": 2},
    ).json()
    v = cast.viewer.get(f"/api/v1/baselines/{baseline['id']}/variance").json()
    assert [t["key"] for t in v["scope_removed"]] == [net.sec["key"]]
    assert [t["key"] for t in v["scope_added"]] == [added["key"]]
    # what compares with the baseline still works with a baselined task gone
    impact = cast.viewer.post(
        f"/api/v1/programs/{cast.program.id}/impact",
        json={"changes": [{"type": "slip", "task_id": net.plat["id"], "days": 3}]},
    )
    assert impact.status_code == 200, impact.text
    assert "M1" in {m["activity"]["key"] for m in impact.json()["misses"]}
    post_created(
        cast.member,
        f"/api/v1/programs/{cast.program.id}/change-requests",
        {
            "title": "Longer pilot",
            "changes": [{"type": "slip", "task_id": net.plat["id"], "days": 2}],
        },
    )


def test_only_one_baseline_is_current(cast: Cast, net: Net) -> None:
    first = _take(cast, "First")
    second = _take(cast, "Second")
    assert cast.viewer.get(f"/api/v1/baselines/{first['id']}").json()["is_current"] is False
    made = cast.manager.patch(f"/api/v1/baselines/{first['id']}", json={"is_current": True})
    assert made.status_code == 200 and made.json()["is_current"]
    assert cast.viewer.get(f"/api/v1/baselines/{second['id']}").json()["is_current"] is False


def test_impact_analysis_reports_baseline_finishes_newly_missed(cast: Cast, net: Net) -> None:
    _take(cast)
    impact = cast.viewer.post(
        f"/api/v1/programs/{cast.program.id}/impact",
        json={"changes": [{"type": "slip", "task_id": net.plat["id"], "days": 3}]},
    ).json()
    baseline_misses = {m["activity"]["key"] for m in impact["misses"] if m["kind"] == "baseline"}
    assert baseline_misses == {net.plat["key"], net.train["key"], "M1"}


def test_baseline_errors(cast: Cast, net: Net) -> None:
    _take(cast, "Dup")
    url = f"/api/v1/programs/{cast.program.id}/baselines"
    assert_error(cast.manager.post(url, json={"name": "Dup"}), 409)
    assert_error(cast.manager.post(url, json={"name": ""}), 422)
    assert_error(cast.viewer.get("/api/v1/baselines/999999"), 404)
    assert_error(cast.outsider.get(url), 404)
    # another program's baseline reads as one that does not exist: which program, if any,
    # is not told
    taken = cast.manager.get(url).json()["items"][0]["id"]
    for path in (f"/api/v1/baselines/{taken}", f"/api/v1/baselines/{taken}/variance"):
        error = assert_error(cast.outsider.get(path), 404)
        assert error["message"] == f"baseline {taken} not found"


def test_a_renamed_baseline_is_trimmed_and_a_blank_or_taken_name_refused(
    cast: Cast, net: Net
) -> None:
    first, _other = _take(cast, "Plan of record"), _take(cast, "Re-plan")
    url = f"/api/v1/baselines/{first['id']}"
    renamed = cast.manager.patch(url, json={"name": "  Signed-off plan  "})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Signed-off plan"
    assert_error(cast.manager.patch(url, json={"name": "   "}), 422)
    assert_error(cast.manager.patch(url, json={"name": " Re-plan "}), 409)
    assert cast.viewer.get(url).json()["name"] == "Signed-off plan"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("manager", 201),
        ("owner", 201),
        ("admin", 201),
        ("member", 403),
        ("viewer", 403),
        ("outsider", 404),
    ],
)
def test_only_managers_take_baselines(cast: Cast, net: Net, role: str, expected: int) -> None:
    response = cast.by_role(role).post(
        f"/api/v1/programs/{cast.program.id}/baselines", json={"name": role}
    )
    assert response.status_code == expected, response.text


@pytest.mark.parametrize(
    ("role", "expected"), [("manager", 204), ("member", 403), ("viewer", 403), ("outsider", 404)]
)
def test_only_managers_delete_baselines(cast: Cast, net: Net, role: str, expected: int) -> None:
    baseline = _take(cast)
    assert cast.by_role(role).delete(f"/api/v1/baselines/{baseline['id']}").status_code == expected


def test_a_stale_baseline_update_is_412(cast: Cast, net: Net) -> None:
    baseline = _take(cast)
    url = f"/api/v1/baselines/{baseline['id']}"
    assert (
        cast.manager.patch(
            url, json={"name": "Renamed"}, headers={"If-Match": f'"{baseline["version"]}"'}
        ).status_code
        == 200
    )
    assert_error(
        cast.manager.patch(
            url, json={"name": "Lost"}, headers={"If-Match": f'"{baseline["version"]}"'}
        ),
        412,
    )
