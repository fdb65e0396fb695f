"""The benefits page: the chart draws the engine's own trend, readings not counted yet are
set apart, a KPI measured only before its baseline date says so, the KPIs are in order of
name whatever its case, and a reading is typed as the page shows numbers."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import Browser, Cast
from tests.api.test_benefits import URL, create, measure

pytestmark = pytest.mark.db

CHART = re.compile(r'<script type="application/json" class="bn-chart-data"[^>]*>(.*?)</script>')
RACKS = {
    "name": "Racks in use",
    "unit": "",
    "baseline_value": 40,
    "baseline_date": "2026-09-28",
    "target_value": 0,
    "target_date": "2027-03-31",
}


def _charts(page: str) -> dict[str, dict[str, Any]]:
    charts = [json.loads(found) for found in CHART.findall(page)]
    return {chart["name"]: chart for chart in charts}


def test_the_chart_draws_the_engines_trend_and_sets_apart_what_is_not_counted(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    racks = create(cast.manager, cast, **RACKS)
    for day, value in (("2026-08-01", 41), ("2026-10-15", 38), ("2026-11-01", 35)):
        assert measure(cast.member, racks, day, value).status_code == 201
    assert measure(cast.member, racks, "2046-01-01", 30).status_code == 201  # after today
    apdex = {"name": "apdex score", "baseline_value": 0.7, "target_value": 0.9, "unit": ""}
    later = {"baseline_date": "2027-01-01", "target_date": "2028-01-01", "direction": "up"}
    apdex_id = create(cast.manager, cast, **apdex, **later)["id"]
    assert measure(cast.member, {"id": apdex_id}, "2026-11-02", 0.6).status_code == 201
    page = browser_as("member@example.com").get(f"/programs/{cast.program.id}/benefits")
    # by name whatever its case, as the API lists them
    assert re.findall(r'data-benefit="([^"]+)"', page) == ["apdex score", "Racks in use"]
    listed = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/benefits").json()["items"]
    assert [b["name"] for b in listed] == ["apdex score", "Racks in use"]
    chart = _charts(page)["Racks in use"]
    # the least-squares line of 38 on 15 Oct and 35 on 1 Nov (the August reading is
    # before the baseline date): 3/17 a day less, 35 - 150 * 3/17 = 8.53 by 31 Mar
    assert chart["trend"] == [["2026-10-15", 38.0], ["2027-03-31", 8.53]]
    assert "it reaches <strong>8.5</strong> by 31 Mar 2027" in page
    assert [day for day, _value in chart["measured"]] == ["2026-08-01", "2026-10-15", "2026-11-01"]
    assert chart["later"] == [["2046-01-01", 30.0]]
    assert "1 reading dated after" in page and "is not counted yet" in page
    # measured only before its baseline date: no judgement yet, and said so
    assert 'data-state="no_data"' in page
    assert "No reading since the baseline" in html.unescape(page)


def test_a_reading_is_typed_as_the_page_shows_numbers(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    benefit = create(cast.manager, cast)
    member = browser_as("member@example.com")
    form = {"measured_on": "2027-02-01", "value": "1,050", "source": "", "note": ""}
    sent = member.post(f"/benefits/{benefit['id']}/measurements", form)
    assert sent.status_code == 303, sent.text
    readings = cast.viewer.get(f"{URL}/{benefit['id']}/measurements").json()["items"]
    assert [r["value"] for r in readings] == [1050]
    refused = member.post(f"/benefits/{benefit['id']}/measurements", {**form, "value": "1,05"})
    assert refused.status_code == 422 and "Enter a number." in refused.text
