"""Which milestones the plan has on track that the newest forecast has likely late."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from podium.services.forecasts import ForecastGlance
from podium.services.pages_schedule import MilestoneRow

TARGET = date(2027, 4, 16)


def _glance(**p80: date) -> ForecastGlance:
    ids = {"m3": 3, "m4": 4}
    return ForecastGlance(
        forecast_id=1,
        created_at=datetime(2027, 1, 4, tzinfo=UTC),
        program_p80=date(2027, 5, 27),
        program_probability=0.14,
        goal_date=date(2027, 4, 29),
        milestone_p80={ids[k]: v for k, v in p80.items()},
        plan_changed=False,
    )


def _row(
    *, forecast: date | None = date(2027, 3, 30), slip: int | None = -13, **kw: object
) -> MilestoneRow:
    fields: dict[str, Any] = {
        "id": 3,
        "key": "M3",
        "name": "All client environments migrated",
        "target": TARGET,
        "forecast": forecast,
        "slip": slip,
        "total_float": 0,
        "reached": False,
        **kw,
    }
    return MilestoneRow(**fields)


def test_a_milestone_on_track_whose_p80_falls_after_its_target_is_picked_out() -> None:
    row = _row()
    assert row.state == "on_track"
    assert _glance(m3=date(2027, 4, 27)).p80_past_target(row) == date(2027, 4, 27)


@pytest.mark.parametrize("p80", [date(2027, 4, 16), date(2027, 4, 2)])
def test_a_p80_on_or_before_the_target_is_not(p80: date) -> None:
    assert _glance(m3=p80).p80_past_target(_row()) is None


@pytest.mark.parametrize(
    "row",
    [
        _row(slip=4, forecast=date(2027, 4, 22)),  # late says more than its P80 does
        _row(reached=True),
        _row(target=None, slip=None),
        _row(fed=False),  # nothing feeds it: no forecast of its own
    ],
    ids=["late", "reached", "no target", "unfed"],
)
def test_only_a_milestone_on_track_is_qualified(row: MilestoneRow) -> None:
    assert row.state != "on_track"
    assert _glance(m3=date(2027, 6, 1)).p80_past_target(row) is None


def test_a_milestone_not_in_the_forecast_has_no_p80_to_judge() -> None:
    assert _glance(m4=date(2027, 6, 1)).p80_past_target(_row()) is None
