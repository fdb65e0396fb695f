"""A load horizon runs over whole weeks or months, whether its ends were given or taken
from the bookings, and never past 31 Dec 9999."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from podium.services.resources.load import _whole_periods, period_start


def d(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


@pytest.mark.parametrize(
    ("period", "span", "expected"),
    [
        ("week", ("2027-01-06", "2027-01-07"), ("2027-01-04", "2027-01-10")),
        ("month", ("2027-02-03", "2027-02-09"), ("2027-02-01", "2027-02-28")),
        ("month", ("2027-01-06", "2027-03-02"), ("2027-01-01", "2027-03-31")),
        ("day", ("2027-01-06", "2027-01-07"), ("2027-01-06", "2027-01-07")),
        ("week", ("9999-12-27", "9999-12-30"), ("9999-12-27", "9999-12-31")),
        ("month", ("9999-12-02", "9999-12-30"), ("9999-12-01", "9999-12-31")),
        ("week", (None, None), (None, None)),
    ],
)
def test_both_ends_widen_to_whole_periods(
    period: Any, span: tuple[str | None, str | None], expected: tuple[str | None, str | None]
) -> None:
    widened = _whole_periods(period, (d(span[0]), d(span[1])))
    assert widened == (d(expected[0]), d(expected[1]))


@pytest.mark.parametrize(
    ("period", "day", "first"),
    [
        ("week", "2027-01-10", "2027-01-04"),  # a Sunday: the Monday before
        ("week", "2027-01-04", "2027-01-04"),
        ("month", "2027-01-31", "2027-01-01"),
        ("day", "2027-01-06", "2027-01-06"),
    ],
)
def test_a_period_starts_on_its_monday_or_its_first(period: Any, day: str, first: str) -> None:
    assert period_start(date.fromisoformat(day), period) == date.fromisoformat(first)
