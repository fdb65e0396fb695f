"""Benefits API: KPIs, measurements, realization against the path — errors and roles."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.api.conftest import ROLES, Cast
from tests.factories import ApiUser, assert_error, make_project

URL = "/api/v1/benefits"
TICKETS = {
    "name": "support tickets per month",
    "unit": "tickets",
    "baseline_value": 1200,
    "baseline_date": "2027-01-01",
    "target_value": 840,
    "target_date": "2028-01-01",
    "direction": "down",
}


def create(api: ApiUser, cast: Cast, **fields: Any) -> dict[str, Any]:
    response = api.post(URL, json={"program_id": cast.program.id, **TICKETS, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def measure(api: ApiUser, benefit: dict[str, Any], on: str, value: float) -> Any:
    return api.post(
        f"{URL}/{benefit['id']}/measurements",
        json={"measured_on": on, "value": value, "source": "helpdesk export"},
    )


def expected_status(role: str, ok: int, needed: str) -> int:
    order = ["viewer", "member", "manager", "owner"]
    if role == "outsider":
        return 404
    if role == "admin" or order.index(role) >= order.index(needed):
        return ok
    return 403


def test_a_manager_defines_the_goal_kpi_with_its_contributing_projects(
    cast: Cast, db: Session
) -> None:
    train = make_project(db, cast.program, "TRAIN")
    body = create(cast.manager, cast, is_goal=True, project_ids=[train.id])
    assert body["is_goal"] and body["projects"] == [
        {"id": train.id, "key": "TRAIN", "name": "Project TRAIN"}
    ]
    assert body["realization"]["state"] == "no_data" and body["measurements"] == []
    assert body["url"] == f"/programs/{cast.program.id}/benefits#benefit-{body['id']}"
    assert cast.viewer.get(f"{URL}/{body['id']}").json() == body


def test_realization_and_the_path_are_computed_by_hand(cast: Cast) -> None:
    benefit = create(cast.manager, cast)
    assert measure(cast.member, benefit, "2027-04-01", 1110).status_code == 201
    assert measure(cast.member, benefit, "2027-07-02", 1150).status_code == 201
    body = cast.viewer.get(f"{URL}/{benefit['id']}", params={"as_of": "2027-07-02"}).json()
    r = body["realization"]
    # 1150 is (1150-1200)/(840-1200) = 13.9 % of the change; on day 182 of 365 the path
    # expects 49.9 % (1020.49 tickets)
    assert (r["latest_value"], r["realization_pct"], r["expected_pct"]) == (1150, 13.9, 49.9)
    assert (r["expected_value"], r["gap_points"], r["state"]) == (1020.49, -36.0, "off_track")
    early = cast.viewer.get(f"{URL}/{benefit['id']}", params={"as_of": "2027-04-15"}).json()
    assert early["realization"]["state"] == "on_track"
    assert early["realization"]["realization_pct"] == 25.0
    assert [m["value"] for m in body["measurements"]] == [1110, 1150]
    listed = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/benefits").json()["items"]
    assert [b["id"] for b in listed] == [benefit["id"]]
    assert (
        cast.viewer.get(URL, params={"program_id": cast.program.id}).json()["items"][0]["id"]
        == benefit["id"]
    )


# the same plan twenty years on: readings after today, counted from the status date on
LATER = {"baseline_date": "2047-01-01", "target_date": "2048-01-01"}


def open_benefit_alerts(cast: Cast) -> list[dict[str, Any]]:
    alerts = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/alerts").json()
    return [a for a in alerts["items"] if a["kind"] == "benefit_off_track"]


def test_a_benefit_off_track_raises_an_alert_until_it_is_back_on_its_path(
    cast: Cast, db: Session
) -> None:
    pid = cast.program.id
    data = make_project(db, cast.program, "DATA")
    plat = make_project(db, cast.program, "PLAT")
    benefit = create(cast.manager, cast, project_ids=[plat.id, data.id], **LATER)
    measure(cast.member, benefit, "2047-04-01", 1110)
    measure(cast.member, benefit, "2047-07-02", 1150)
    # readings after today count once the status date reaches them
    assert open_benefit_alerts(cast) == []
    cast.owner.patch(f"/api/v1/programs/{pid}", json={"status_date": "2047-07-02"})
    [alert] = open_benefit_alerts(cast)
    # 13.9 % realized where the path expects 49.9 % (1,020 tickets): 36 points behind,
    # beyond the red limit of 25
    assert (alert["severity"], alert["subject_type"], alert["subject_id"]) == (
        "high",
        "benefit",
        benefit["id"],
    )
    assert alert["title"] == (
        "Benefit support tickets per month off track: 14 % realized, 50 % expected"
    )
    assert alert["message"] == (
        "1,150 tickets on 2 Jul 2047; the path to 840 tickets by 1 Jan 2048 expected "
        "1,020 tickets by then: 36 points behind (off track beyond 10)"
    )
    assert (alert["projects"], alert["cross_project"]) == (["DATA", "PLAT"], True)
    assert alert["details"]["url"] == benefit["url"]
    assert alert["details"]["gap_points"] == -36.0
    # health names the benefit once, by its own rule, not again as an open alert
    health = cast.viewer.get(f"/api/v1/programs/{pid}/health").json()
    assert [r["rule"] for r in health["program"]["reasons"]] == ["benefit_off_track"]
    # a tolerance of 40 points: behind, not off track
    url = f"/api/v1/programs/{pid}/health/rules"
    rules = cast.viewer.get(url).json()["rules"]
    rules["rules"]["benefit_off_track"].update(amber_behind_points=40, red_behind_points=60)
    assert cast.owner.put(url, json=rules).status_code == 200
    assert open_benefit_alerts(cast) == []
    rules["rules"]["benefit_off_track"].update(amber_behind_points=30, red_behind_points=60)
    assert cast.owner.put(url, json=rules).status_code == 200
    [again] = open_benefit_alerts(cast)
    assert again["severity"] == "medium" and again["id"] != alert["id"]
    # the next reading is on the path: the alert is resolved and kept
    assert measure(cast.member, benefit, "2047-06-30", 1000).status_code == 201
    assert open_benefit_alerts(cast) != []  # an earlier day: the latest reading is unchanged
    cast.owner.patch(f"/api/v1/programs/{pid}", json={"status_date": "2047-07-05"})
    assert measure(cast.member, benefit, "2047-07-05", 1000).status_code == 201
    assert open_benefit_alerts(cast) == []
    resolved = cast.viewer.get(
        f"/api/v1/programs/{pid}/alerts", params={"status": "resolved"}
    ).json()["items"]
    assert {a["id"] for a in resolved if a["kind"] == "benefit_off_track"} == {
        alert["id"],
        again["id"],
    }


def test_readings_before_the_baseline_date_raise_no_alert_nor_colour_health(cast: Cast) -> None:
    pid = cast.program.id
    benefit = create(cast.manager, cast)  # baseline 1,200 tickets on 1 Jan 2027
    # the old normal: 1,300 would be -27.8 % realized, past the red limit of 25 points
    assert measure(cast.member, benefit, "2026-06-01", 1500).status_code == 201
    assert measure(cast.member, benefit, "2026-11-02", 1300).status_code == 201
    r = cast.viewer.get(f"{URL}/{benefit['id']}").json()["realization"]
    assert (r["state"], r["latest_value"], r["realization_pct"], r["gap_points"]) == (
        "no_data",
        None,
        None,
        None,
    )
    assert (r["trend_at_target"], r["trend_pct_at_target"]) == (None, None)  # not 1500 → 1300
    assert open_benefit_alerts(cast) == []
    health = cast.viewer.get(f"/api/v1/programs/{pid}/health").json()["program"]
    assert "benefit_off_track" not in [reason["rule"] for reason in health["reasons"]]
    for fmt in ("md", "html"):  # the status report says why nothing is judged
        report = cast.viewer.get(f"/api/v1/programs/{pid}/report", params={"format": fmt}).text
        assert "o reading since the baseline" in report, fmt
    # a reading since: judged on it (2.8 % against 3.8 %), with no trend until a second
    assert measure(cast.member, benefit, "2027-01-15", 1190).status_code == 201
    since = cast.viewer.get(f"{URL}/{benefit['id']}", params={"as_of": "2027-02-01"}).json()
    assert (since["realization"]["latest_value"], since["realization"]["state"]) == (1190, "behind")
    assert since["realization"]["trend_at_target"] is None


def test_deleting_the_reading_or_the_benefit_resolves_its_alert(cast: Cast) -> None:
    pid = cast.program.id
    cast.owner.patch(f"/api/v1/programs/{pid}", json={"status_date": "2047-07-02"})
    benefit = create(cast.manager, cast, **LATER)
    assert measure(cast.member, benefit, "2047-07-02", 1150).status_code == 201
    assert len(open_benefit_alerts(cast)) == 1
    reading = cast.viewer.get(f"{URL}/{benefit['id']}").json()["measurements"][0]
    gone = cast.manager.delete(f"{URL}/{benefit['id']}/measurements/{reading['id']}")
    assert gone.status_code == 204
    assert open_benefit_alerts(cast) == []
    assert measure(cast.member, benefit, "2047-07-02", 1150).status_code == 201
    assert len(open_benefit_alerts(cast)) == 1
    # moving the target out puts the reading back on its path
    current = cast.viewer.get(f"{URL}/{benefit['id']}").json()
    moved = cast.manager.patch(
        f"{URL}/{benefit['id']}",
        json={"target_date": "2049-06-01"},
        headers={"If-Match": f'"{current["version"]}"'},
    )
    assert moved.status_code == 200, moved.text
    assert open_benefit_alerts(cast) == []
    back = cast.manager.patch(
        f"{URL}/{benefit['id']}",
        json={"target_date": "2048-01-01"},
        headers={"If-Match": f'"{moved.json()["version"]}"'},
    )
    assert back.status_code == 200 and len(open_benefit_alerts(cast)) == 1
    assert cast.manager.delete(f"{URL}/{benefit['id']}").status_code == 204
    assert open_benefit_alerts(cast) == []


def test_one_measurement_a_day_and_deleting_one(cast: Cast) -> None:
    benefit = create(cast.manager, cast)
    first = measure(cast.member, benefit, "2027-02-01", 1190).json()
    assert_error(measure(cast.member, benefit, "2027-02-01", 1180), 409, "measurement_exists")
    url = f"{URL}/{benefit['id']}/measurements"
    assert_error(cast.manager.delete(f"{url}/999999"), 404)
    assert cast.manager.delete(f"{url}/{first['id']}").status_code == 204
    assert cast.viewer.get(url).json()["items"] == []


def test_updates_need_the_current_version_and_a_consistent_plan(cast: Cast) -> None:
    benefit = create(cast.manager, cast)
    url = f"{URL}/{benefit['id']}"
    changed = cast.manager.patch(url, json={"target_value": 800}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    assert_error(cast.manager.patch(url, json={"unit": "x"}, headers={"If-Match": '"1"'}), 412)
    error = assert_error(cast.manager.patch(url, json={"direction": "up"}), 422)
    assert "direction says up" in error["message"]
    error = assert_error(cast.manager.patch(url, json={"target_date": "2026-01-01"}), 422)
    assert [d["field"] for d in error["details"]] == ["target_date"]
    assert_error(cast.manager.patch(url, json={"name": None}), 422)
    create(cast.manager, cast, name="uptime", baseline_value=99, target_value=99.9, direction="up")
    assert_error(cast.manager.patch(url, json={"name": "uptime"}), 409)
    error = assert_error(cast.manager.patch(url, json={"name": "UpTime"}), 409)
    assert error["message"] == "a benefit named 'uptime' already exists in this program"
    assert error["details"] == {"field": "name"}
    renamed = cast.manager.patch(url, json={"name": "Tickets per week"})  # its own name's case
    assert renamed.status_code == 200
    assert cast.manager.patch(url, json={"name": "tickets PER week"}).status_code == 200


@pytest.mark.parametrize("target_date", ["2027-01-01", "2026-06-30"])
def test_a_target_date_not_after_the_baseline_date_is_refused_on_that_field(
    cast: Cast, target_date: str
) -> None:
    body = {"program_id": cast.program.id, **TICKETS, "target_date": target_date}
    error = assert_error(cast.manager.post(URL, json=body), 422, "validation_failed")
    assert [d["field"] for d in error["details"]] == ["target_date"]
    url = f"{URL}/{create(cast.manager, cast)['id']}"
    both = {"baseline_date": "2027-01-01", "target_date": target_date}
    error = assert_error(cast.manager.patch(url, json=both), 422, "validation_failed")
    assert [d["field"] for d in error["details"]] == ["target_date"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"direction": "sideways"}, "direction"),
        ({"target_date": "soon"}, "target_date"),
        ({"baseline_value": "many"}, "baseline_value"),
        ({"baseline_value": float("inf")}, "baseline_value"),
        ({"colour": "red"}, "colour"),
        ({"project_ids": ["PLAT"]}, "project_ids.0"),
    ],
)
def test_invalid_benefits_are_422_naming_the_field(
    cast: Cast, fields: dict[str, Any], field: str
) -> None:
    body = {"program_id": cast.program.id, **TICKETS, **fields}
    if body.get("baseline_value") == float("inf"):
        response = cast.manager.request(
            "POST",
            URL,
            content=str(body).replace("inf", "1e999").replace("'", '"'),
            headers={"Content-Type": "application/json"},
        )
    else:
        response = cast.manager.post(URL, json=body)
    error = assert_error(response, 422)
    assert field in [d.get("field") for d in error["details"]]


def test_measurements_are_validated(cast: Cast) -> None:
    benefit = create(cast.manager, cast)
    url = f"{URL}/{benefit['id']}/measurements"
    assert_error(cast.member.post(url, json={"measured_on": "2027-02-01"}), 422)
    assert_error(cast.member.post(url, json={"measured_on": "x", "value": 1}), 422)
    assert_error(
        cast.member.post(url, json={"measured_on": "2027-02-01", "value": 1, "by": "me"}), 422
    )
    assert_error(
        cast.member.post(
            f"{URL}/999999/measurements", json={"measured_on": "2027-02-01", "value": 1}
        ),
        404,
    )
    assert_error(cast.member.client.get(URL, params={"program_id": cast.program.id}), 401)


@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads_benefits(cast: Cast, role: str) -> None:
    benefit = create(cast.owner, cast)
    api = cast.by_role(role)
    expected = expected_status(role, 200, "viewer")
    assert api.get(f"{URL}/{benefit['id']}").status_code == expected
    assert api.get(f"{URL}/{benefit['id']}/measurements").status_code == expected
    assert api.get(f"/api/v1/programs/{cast.program.id}/benefits").status_code == expected
    assert api.get(URL, params={"program_id": cast.program.id}).status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_members_and_above_record_measurements(cast: Cast, role: str) -> None:
    benefit = create(cast.owner, cast)
    response = measure(cast.by_role(role), benefit, "2027-03-01", 1170)
    assert response.status_code == expected_status(role, 201, "member")


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_define_change_and_delete_benefits(cast: Cast, role: str) -> None:
    api = cast.by_role(role)
    made = api.post(URL, json={"program_id": cast.program.id, **TICKETS, "name": f"kpi {role}"})
    assert made.status_code == expected_status(role, 201, "manager")
    benefit = create(cast.owner, cast)
    assert api.patch(f"{URL}/{benefit['id']}", json={"unit": "calls"}).status_code == (
        expected_status(role, 200, "manager")
    )
    reading = measure(cast.owner, benefit, "2027-03-01", 1170).json()
    assert api.delete(f"{URL}/{benefit['id']}/measurements/{reading['id']}").status_code == (
        expected_status(role, 204, "manager")
    )
    assert api.delete(f"{URL}/{benefit['id']}").status_code == expected_status(role, 204, "manager")


def test_an_empty_name_is_said_as_text_not_as_a_list(cast: Cast) -> None:
    body = {"program_id": cast.program.id, **TICKETS, "name": ""}
    error = assert_error(cast.manager.post(URL, json=body), 422, "validation_failed")
    [detail] = [d for d in error["details"] if d["field"] == "name"]
    assert "at least 1 character" in detail["message"] and "item" not in detail["message"]
