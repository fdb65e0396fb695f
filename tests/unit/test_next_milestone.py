"""The overview's next milestone is the next one due by its target, late or not."""

from __future__ import annotations

from datetime import date

from podium.services.pages_schedule import MilestoneRow, next_milestone


def _milestone(key: str, *, target: date, forecast: date, reached: bool = False) -> MilestoneRow:
    slip = (forecast - target).days
    return MilestoneRow(
        id=hash(key),
        key=key,
        name=key,
        target=target,
        forecast=forecast,
        slip=slip,
        total_float=None,
        reached=reached,
    )


def test_a_late_milestone_due_first_is_the_next_one_not_a_later_one_on_track() -> None:
    done = _milestone("M0", target=date(2027, 2, 1), forecast=date(2027, 1, 29), reached=True)
    late = _milestone("M1", target=date(2027, 3, 1), forecast=date(2027, 5, 3))
    on_track = _milestone("M2", target=date(2027, 4, 1), forecast=date(2027, 3, 30))
    # as the overview lists them: by forecast
    assert next_milestone([done, on_track, late]) == late
    assert late.state == "late"
