"""Health with reasons, tunable rules, history; earned value against the current baseline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.api.conftest import Cast, Net
from tests.api.test_programs import assert_error


def _baseline(cast: Cast) -> None:
    response = cast.manager.post(
        f"/api/v1/programs/{cast.program.id}/baselines", json={"name": "Plan"}
    )
    assert response.status_code == 201, response.text


def test_a_program_on_plan_is_green(cast: Cast, net: Net) -> None:
    _baseline(cast)
    health = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/health").json()
    assert health["program"]["status"] == "green" and health["program"]["reasons"] == []
    assert health["baseline"] == "Plan"
    assert {p["ref"]["key"]: p["status"] for p in health["projects"]} == {
        "PLAT": "green",
        "TRAIN": "green",
        "SEC": "green",
    }


def test_a_milestone_past_its_target_makes_the_program_red_and_says_why(
    cast: Cast, net: Net
) -> None:
    _baseline(cast)
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12})
    health = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/health").json()
    assert health["program"]["status"] == "red"
    first = health["program"]["reasons"][0]
    assert first["rule"] == "past_target" and first["ref"] == {
        "kind": "milestone",
        "id": net.m1["id"],
        "key": "M1",
    }
    assert "M1" in first["message"] and "2 working days past its target" in first["message"]
    (m1,) = health["milestones"]
    assert m1["status"] == "red"


def test_tuned_rules_change_the_outcome_and_invalid_ones_are_refused(cast: Cast, net: Net) -> None:
    _baseline(cast)
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12})
    url = f"/api/v1/programs/{cast.program.id}/health/rules"
    read = cast.viewer.get(url)
    rules = read.json()
    assert rules["catalogue"] and "past_target" in rules["rules"]["rules"]
    tuned = rules["rules"]
    tuned["rules"]["past_target"]["enabled"] = False
    tuned["rules"]["finish_slip"]["enabled"] = False
    tuned["rules"]["conflict_alerts"]["enabled"] = False
    etag = read.headers["ETag"]  # the version a PUT names
    saved = cast.owner.put(url, json=tuned, headers={"If-Match": etag})
    assert saved.status_code == 200 and saved.headers["ETag"] != etag
    assert_error(cast.owner.put(url, json=tuned, headers={"If-Match": etag}), 412)
    # the history names each setting changed, from the defaults in force before
    audit = cast.owner.get(f"/api/v1/programs/{cast.program.id}/audit").json()["items"]
    assert audit[0]["changes"] == {
        f"health rule {rule} enabled": [True, False]
        for rule in ("conflict_alerts", "finish_slip", "past_target")
    }
    health = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/health").json()
    assert health["program"]["status"] == "green"
    assert_error(cast.owner.put(url, json={"rules": {"past_target": {"colour": "pink"}}}), 422)
    assert_error(cast.manager.put(url, json=tuned), 403)


def test_health_is_recorded_for_the_trend_once_a_day(cast: Cast, net: Net) -> None:
    pid = cast.program.id
    cast.owner.patch(f"/api/v1/programs/{pid}", json={"status_date": "2027-01-08"})
    assert cast.manager.post(f"/api/v1/programs/{pid}/health/snapshots").status_code == 201
    assert cast.manager.post(f"/api/v1/programs/{pid}/health/snapshots").status_code == 201
    cast.owner.patch(f"/api/v1/programs/{pid}", json={"status_date": "2027-01-15"})
    cast.manager.post(f"/api/v1/programs/{pid}/health/snapshots")
    history = cast.viewer.get(f"/api/v1/programs/{pid}/health/history").json()["items"]
    assert [h["as_of"] for h in history] == ["2027-01-08", "2027-01-15"]
    assert_error(cast.viewer.post(f"/api/v1/programs/{pid}/health/snapshots"), 403)


def test_earned_value_against_the_baseline_with_the_textbook_formulas(cast: Cast, net: Net) -> None:
    pid = cast.program.id
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"budget": 10000})
    _baseline(cast)
    # status Fri 8 Jan 2027, the day the remaining work starts from: PLAT-1 (4–15 Jan,
    # 10 days, 1,000 a day) is planned Mon 4 – Thu 7 Jan before it, PV 4,000; 40 % done
    # is 4 days' work, exactly on plan (the schedule resumes it on 8 Jan, due 15 Jan)
    cast.owner.patch(f"/api/v1/programs/{pid}", json={"status_date": "2027-01-08"})
    cast.assign_member(net.plat["id"])
    cast.member.patch(
        f"/api/v1/tasks/{net.plat['id']}",
        json={"actual_start": "2027-01-04", "percent_complete": 40, "actual_cost": 4500},
    )
    ev = cast.viewer.get(f"/api/v1/programs/{pid}/earned-value").json()
    program = ev["program"]
    assert (program["bac"], program["pv"], program["ev"], program["ac"]) == (
        10000,
        4000,
        4000,
        4500,
    )
    assert (program["sv"], program["cv"]) == (0, -500)  # EV − PV, EV − AC
    assert program["spi"] == pytest.approx(1.0) and program["cpi"] == pytest.approx(
        0.8889, abs=1e-4
    )  # 4,000 / 4,000 and 4,000 / 4,500
    # BAC / CPI = 10,000 × 4,500 / 4,000; VAC = 10,000 − 11,250
    assert program["eac"] == pytest.approx(11250) and program["vac"] == pytest.approx(-1250)
    assert ev["eac_formula"] == "EAC = BAC / CPI" and ev["baseline"] == "Plan"
    plat = next(p for p in ev["projects"] if p["id"] == "PLAT")
    assert plat["spi"] == pytest.approx(1.0)
    # work added after the baseline has no budget there: its cost does not count either
    extra = cast.manager.post(
        "/api/v1/tasks",
        json={"project_id": net.plat["project_id"], "name": "Extra", "duration": 4, "budget": 4000},
    ).json()
    cast.manager.patch(
        f"/api/v1/tasks/{extra['id']}",
        json={"actual_start": "2027-01-04", "percent_complete": 50, "actual_cost": 1000},
    )
    again = cast.viewer.get(f"/api/v1/programs/{pid}/earned-value").json()
    assert again["program"]["ac"] == program["ac"] and again["program"]["cpi"] == program["cpi"]


def test_s_curves_run_weekly_from_the_baseline_start(cast: Cast, net: Net) -> None:
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"budget": 10000})
    _baseline(cast)
    curves = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/earned-value/curves").json()
    assert curves["dates"][0] == "2027-01-04"
    assert curves["program"]["pv"][-1] == pytest.approx(10000)
    assert set(curves["projects"]) == {"PLAT", "TRAIN", "SEC"}


def test_a_far_status_date_draws_the_curves_with_a_longer_step(cast: Cast, net: Net) -> None:
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"budget": 10000})
    _baseline(cast)
    url = f"/api/v1/programs/{cast.program.id}"
    # the last status date a plan may hold: 63,000 days on, drawn in at most 1,001 points
    assert cast.owner.patch(url, json={"status_date": "2200-12-31"}).status_code == 200
    curves = cast.viewer.get(f"{url}/earned-value/curves", params={"step_days": 1}).json()
    assert 900 <= len(curves["dates"]) <= 1001
    assert curves["dates"][0] == "2027-01-04" and curves["dates"][-1] == "2200-12-31"


@pytest.mark.parametrize(
    "path", ["health", "health/rules", "health/history", "earned-value", "earned-value/curves"]
)
def test_outsiders_get_404(cast: Cast, net: Net, path: str) -> None:
    assert_error(cast.outsider.get(f"/api/v1/programs/{cast.program.id}/{path}"), 404)


def test_without_a_baseline_health_still_answers_and_earned_value_is_undefined(
    cast: Cast, net: Net
) -> None:
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"budget": 10000})
    # money spent with nothing planned yet: no cost performance to judge, so not red
    cast.owner.patch(f"/api/v1/programs/{cast.program.id}", json={"status_date": "2027-01-08"})
    spent = cast.manager.patch(
        f"/api/v1/tasks/{net.plat['id']}",
        json={"actual_start": "2027-01-04", "percent_complete": 40, "actual_cost": 300},
    )
    assert spent.status_code == 200, spent.text
    health = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/health").json()
    assert health["program"]["status"] == "green" and health["baseline"] is None
    ev = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/earned-value").json()
    assert ev["program"]["spi"] is None and ev["program"]["bac"] == 0
    assert ev["program"]["cpi"] is None and ev["program"]["ac"] == 300


def test_planned_value_counts_the_working_days_of_the_calendar_a_task_is_scheduled_on(
    cast: Cast, net: Net
) -> None:
    four_days = cast.admin.post(
        "/api/v1/calendars", json={"name": "Four days", "workdays": ["Mon", "Tue", "Wed", "Thu"]}
    )
    assert four_days.status_code == 201, four_days.text
    moved = cast.manager.patch(
        f"/api/v1/projects/{net.plat['project_id']}", json={"calendar_id": four_days.json()["id"]}
    )
    assert moved.status_code == 200, moved.text
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"budget": 10000})
    _baseline(cast)
    # PLAT-1, 10 days Mon–Thu: 4–7, 11–14, 18–19 Jan. Before Mon 11 it was planned 4 of
    # its 10 days (on the program's Mon–Fri calendar: 5 of 12 weekdays, 4,166.67)
    pid = cast.program.id
    cast.owner.patch(f"/api/v1/programs/{pid}", json={"status_date": "2027-01-11"})
    cast.manager.patch(
        f"/api/v1/tasks/{net.plat['id']}",
        json={"actual_start": "2027-01-04", "percent_complete": 40, "actual_cost": 4000},
    )
    projects = cast.viewer.get(f"/api/v1/programs/{pid}/earned-value").json()["projects"]
    plat = next(p for p in projects if p["id"] == "PLAT")  # PLAT-1 alone
    assert (plat["pv"], plat["ev"], plat["spi"]) == (4000, 4000, 1.0)


def test_the_eac_formula_can_be_chosen_and_is_named(cast: Cast, net: Net) -> None:
    pid = cast.program.id
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"budget": 10000})
    _baseline(cast)
    cast.owner.patch(f"/api/v1/programs/{pid}", json={"status_date": "2027-01-08"})
    cast.assign_member(net.plat["id"])
    cast.member.patch(
        f"/api/v1/tasks/{net.plat['id']}",
        json={"actual_start": "2027-01-04", "percent_complete": 40, "actual_cost": 4500},
    )
    url = f"/api/v1/programs/{pid}/earned-value"
    rate = cast.viewer.get(url, params={"eac_formula": "budget_rate"}).json()
    assert rate["program"]["eac"] == pytest.approx(4500 + (10000 - 4000))
    assert "AC + (BAC - EV)" in rate["eac_formula"].replace("−", "-")
    both = cast.viewer.get(url, params={"eac_formula": "cpi_spi"}).json()
    # on plan as of Fri 8 Jan (PV 4,000 = EV: SPI 1.0), CPI 4,000 / 4,500
    assert both["program"]["eac"] == pytest.approx(4500 + 6000 / (1.0 * 4000 / 4500))
    assert_error(cast.viewer.get(url, params={"eac_formula": "guess"}), 422)


def test_health_on_a_past_date_reads_the_alerts_open_then(cast: Cast, net: Net) -> None:
    """As the status report's blockers: an alert found after the date is not counted."""
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12})
    url = f"/api/v1/programs/{cast.program.id}/health"
    (alert,) = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/alerts").json()["items"]
    found = date.fromisoformat(alert["first_detected_at"][:10])

    def alert_reasons(day: date) -> list[str]:
        health = cast.viewer.get(url, params={"status_date": day.isoformat()}).json()
        reasons = health["program"]["reasons"]
        return [r["message"] for r in reasons if r["rule"] == "conflict_alerts"]

    assert any(f"alert {alert['id']}" in m for m in alert_reasons(found))
    assert alert_reasons(found - timedelta(days=1)) == []
