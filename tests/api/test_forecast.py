"""Forecasts through the API: managers run them, readers read them, the P80 trend."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest

from tests.api.conftest import ROLES, Browser, Cast, Net, start_program_on
from tests.factories import assert_error


def _run(cast: Cast, **body: object) -> dict:
    response = cast.manager.post(
        f"/api/v1/programs/{cast.program.id}/forecast", json={"iterations": 2000, **body}
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_forecast_gives_percentiles_for_the_program_milestones_and_projects(
    cast: Cast, net: Net
) -> None:
    cast.manager.patch(
        f"/api/v1/tasks/{net.plat['id']}",
        json={"estimate": {"optimistic": 8, "most_likely": 10, "pessimistic": 20}},
    )
    f = _run(cast, seed=7)
    assert f["seed"] == 7 and f["iterations"] == 2000
    assert f["program_finish"] == "2027-01-22"
    program = f["results"]["program"]
    assert program["finish"] == "2027-01-22"
    assert program["p10"] <= program["p50"] <= program["p80"] <= program["p90"]
    assert f["program_p80"] == program["p80"] > "2027-01-22"  # the pessimistic tail
    (m1,) = f["results"]["milestones"]
    assert (m1["key"], m1["target"]) == ("M1", "2027-01-22")
    assert 0 < m1["probability"] < 0.5
    assert sum(b[2] for b in m1["histogram"]) == 2000
    assert {p["key"] for p in f["results"]["projects"]} == {"PLAT", "TRAIN", "SEC"}
    top = f["results"]["tornado"][0]
    assert top["key"] == net.plat["key"] and top["correlation"] > 0.5
    crit = {c["key"]: c["criticality"] for c in f["results"]["criticality"]}
    assert crit[net.plat["key"]] == pytest.approx(1.0, abs=0.01)
    assert f["inputs"]["estimates"] == {net.plat["key"]: [8.0, 10.0, 20.0]}


def test_the_same_seed_gives_the_same_forecast(cast: Cast, net: Net) -> None:
    one, two = _run(cast, seed=42), _run(cast, seed=42)
    assert one["results"] == two["results"]
    assert one["id"] != two["id"]


def test_risk_events_from_the_register_delay_the_forecast(cast: Cast, net: Net) -> None:
    without = _run(cast, seed=1, default_uncertainty=0)
    risk = cast.manager.post(
        "/api/v1/risks",
        json={
            "program_id": cast.program.id,
            "title": "Vendor late",
            "probability": 5,
            "impact": 4,
            "schedule_impact_days": 5,
            "level": "task",
            "task_ids": [net.plat["id"]],
        },
    )
    assert risk.status_code == 201, risk.text
    assert risk.json()["schedule_impact_days"] == 5
    with_risk = _run(cast, seed=1, default_uncertainty=0)
    assert without["results"]["program"]["p80"] == "2027-01-22"
    assert with_risk["results"]["program"]["p80"] == "2027-01-29"  # 90 %: five days later
    assert with_risk["inputs"]["risks"][0]["tasks"] == [net.plat["key"]]
    ignored = _run(cast, seed=1, default_uncertainty=0, include_risks=False)
    assert ignored["results"]["program"]["p80"] == "2027-01-22"


def test_forecasts_are_listed_newest_first_and_read_back(cast: Cast, net: Net) -> None:
    first, second = _run(cast, seed=1), _run(cast, seed=2, distribution="triangular")
    listed = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/forecasts").json()["items"]
    assert [f["id"] for f in listed] == [second["id"], first["id"]]
    assert "results" not in listed[0]
    got = cast.viewer.get(f"/api/v1/forecasts/{first['id']}").json()
    assert got["results"] == first["results"]
    assert [f["plan_changed_since"] for f in listed] == [False, False]
    trend = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/forecast-trend").json()["items"]
    assert [p["forecast_id"] for p in trend] == [first["id"], second["id"]]
    assert trend[0]["milestones"]["M1"] == first["results"]["milestones"][0]["p80"]


def test_a_forecast_says_when_the_plan_changed_since_it_ran(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    forecast = _run(cast, seed=1)
    assert forecast["plan_changed_since"] is False
    page = browser_as("viewer@example.com")
    program = f"/programs/{cast.program.id}"
    assert 'data-testid="forecast-outdated"' not in page.get(f"{program}/forecast")
    assert 'data-testid="p80-outdated"' not in page.get(program)
    longer = cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 14})
    assert longer.status_code == 200, longer.text
    got = cast.viewer.get(f"/api/v1/forecasts/{forecast['id']}").json()
    assert got["plan_changed_since"] is True
    listed = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/forecasts").json()["items"]
    assert listed[0]["plan_changed_since"] is True
    assert "The plan changed since this forecast" in page.get(f"{program}/forecast")
    assert "before the plan's latest changes" in page.get(program)  # beside the P80
    assert _run(cast, seed=1)["plan_changed_since"] is False


def test_a_forecast_names_the_estimates_it_could_not_use(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    gate = cast.manager.post(
        "/api/v1/tasks",
        json={
            "project_id": net.plat["project_id"],
            "name": "Gate",
            "is_milestone": True,
            "estimate": {"optimistic": 0, "most_likely": 0, "pessimistic": 0},
        },
    )
    assert gate.status_code == 201, gate.text
    forecast = _run(cast, seed=1)
    assert forecast["inputs"]["unused_estimates"] == [gate.json()["key"]]
    page = browser_as("viewer@example.com").get(f"/programs/{cast.program.id}/forecast")
    assert f"Not used: the three-point estimates of {gate.json()['key']}" in page


@pytest.mark.parametrize("role", ROLES)
def test_managers_run_forecasts_and_every_reader_reads_them(
    cast: Cast, net: Net, role: str
) -> None:
    stored = _run(cast, seed=3)
    client = cast.by_role(role)
    run = client.post(f"/api/v1/programs/{cast.program.id}/forecast", json={"iterations": 100})
    listed = client.get(f"/api/v1/programs/{cast.program.id}/forecasts")
    one = client.get(f"/api/v1/forecasts/{stored['id']}")
    trend = client.get(f"/api/v1/programs/{cast.program.id}/forecast-trend")
    if role in ("owner", "manager", "admin"):
        assert run.status_code == 201
    elif role == "outsider":
        assert_error(run, 404)
    else:
        assert_error(run, 403, "forbidden")
    for response in (listed, one, trend):
        if role == "outsider":
            assert_error(response, 404, "not_found")
        else:
            assert response.status_code == 200
    if role == "outsider":  # the same answer as for a forecast that does not exist
        assert assert_error(one, 404)["message"] == f"forecast {stored['id']} not found"


@pytest.mark.parametrize(
    "body",
    [
        {"iterations": 99},
        {"iterations": 100_001},
        {"distribution": "normal"},
        {"default_uncertainty": -0.1},
        {"seed": -1},
        {"unknown": 1},
    ],
)
def test_bad_forecast_requests_are_refused_with_a_json_error(
    cast: Cast, net: Net, body: dict
) -> None:
    response = cast.manager.post(f"/api/v1/programs/{cast.program.id}/forecast", json=body)
    assert_error(response, 422)


def test_unknown_forecasts_and_programs_are_not_found(cast: Cast) -> None:
    assert_error(cast.admin.get("/api/v1/forecasts/999999"), 404, "not_found")
    assert_error(cast.admin.post("/api/v1/programs/999999/forecast", json={}), 404)


def test_a_forecast_that_would_run_past_the_last_date_is_refused_and_nothing_is_kept(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    program = f"/api/v1/programs/{cast.program.id}"
    start_program_on(cast, "9999-06-07")
    changed = cast.manager.patch(
        f"/api/v1/tasks/{net.plat['id']}",
        json={"estimate": {"optimistic": 100, "most_likely": 200, "pessimistic": 400}},
    )
    assert changed.status_code == 200, changed.text
    response = cast.manager.post(f"{program}/forecast", json={"iterations": 200, "seed": 1})
    error = assert_error(response, 422)
    assert "would finish after 9999-12-31" in error["message"]
    assert error["details"][0]["field"] == "estimates"
    assert cast.viewer.get(f"{program}/forecasts").json()["items"] == []
    # the page's form says so above its fields (estimates are no field of the form), as
    # it does for a distribution the form does not offer
    page = browser_as("manager@example.com")
    for form, said in (
        ({"iterations": "200", "seed": "1"}, "would finish after 9999-12-31"),
        ({"iterations": "200", "distribution": "normal"}, "Distribution: pert or triangular"),
    ):
        refused = page.post(f"/programs/{cast.program.id}/forecast", form)
        assert refused.status_code == 422
        shown = re.search(r'<p class="fc-error" role="alert">([^<]*)</p>', refused.text)
        assert shown is not None and said in html.unescape(shown[1]), refused.text
    assert cast.viewer.get(f"{program}/forecasts").json()["items"] == []


def test_a_program_with_nothing_in_it_has_nothing_to_forecast(cast: Cast) -> None:
    program = f"/api/v1/programs/{cast.program.id}"
    response = cast.manager.post(f"{program}/forecast", json={"iterations": 100})
    error = assert_error(response, 409, "empty_program")
    assert "no tasks or milestones" in error["message"]
