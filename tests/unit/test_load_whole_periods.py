"""A default load horizon runs over whole weeks or months, and never past 31 Dec 9999."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from podium.services.resources.load import _whole_periods

NOTHING: Any = SimpleNamespace(bookings=[])


def d(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


@pytest.mark.parametrize(
    ("period", "span", "given", "expected"),
    [
        ("week", ("2027-01-06", "2027-01-07"), (None, None), ("2027-01-04", "2027-01-10")),
        ("month", ("2027-02-03", "2027-02-09"), (None, None), ("2027-02-01", "2027-02-28")),
        ("week", ("2027-01-06", "2027-01-07"), ("2027-01-06", None), ("2027-01-06", "2027-01-10")),
        ("day", ("2027-01-06", "2027-01-07"), (None, None), ("2027-01-06", "2027-01-07")),
        ("week", ("9999-12-27", "9999-12-30"), (None, None), ("9999-12-27", "9999-12-31")),
        ("month", ("9999-12-02", "9999-12-30"), (None, None), ("9999-12-01", "9999-12-31")),
    ],
)
def test_the_ends_not_given_widen_to_whole_periods(
    period: Any, span: tuple[str, str], given: tuple[str | None, None], expected: tuple[str, str]
) -> None:
    widened = _whole_periods(NOTHING, period, (d(span[0]), d(span[1])), (d(given[0]), None))
    assert widened == (d(expected[0]), d(expected[1]))
