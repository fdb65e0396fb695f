"""Governance arithmetic: cadences, the stakeholder grid, conflict lead times (hand-checked)."""

from __future__ import annotations

from datetime import date

import pytest

from podium.engine import WorkCalendar
from podium.engine.governance import (
    Cadence,
    FlaggedConflict,
    detection_leads,
    engagement,
    next_occurrence,
    occurrences_between,
    previous_occurrence,
    summarize_leads,
)

MON_4_JAN = date(2027, 1, 4)  # a Monday


def test_weekly_review_recurs_every_monday_from_its_first() -> None:
    weekly = Cadence(MON_4_JAN, "weekly")
    assert next_occurrence(weekly, date(2026, 12, 1)) == MON_4_JAN
    assert next_occurrence(weekly, MON_4_JAN) == MON_4_JAN  # on the day: that one
    assert next_occurrence(weekly, date(2027, 1, 5)) == date(2027, 1, 11)
    assert next_occurrence(weekly, date(2027, 1, 11)) == date(2027, 1, 11)
    assert next_occurrence(weekly, date(2027, 3, 3)) == date(2027, 3, 8)


def test_biweekly_steering_committee_skips_the_week_between() -> None:
    biweekly = Cadence(date(2027, 1, 5), "biweekly")  # a Tuesday
    assert next_occurrence(biweekly, date(2027, 1, 6)) == date(2027, 1, 19)
    assert next_occurrence(biweekly, date(2027, 1, 12)) == date(2027, 1, 19)
    assert next_occurrence(biweekly, date(2027, 1, 20)) == date(2027, 2, 2)
    assert occurrences_between(biweekly, date(2027, 1, 1), date(2027, 2, 28)) == [
        date(2027, 1, 5),
        date(2027, 1, 19),
        date(2027, 2, 2),
        date(2027, 2, 16),
    ]


def test_four_weekly_cadence() -> None:
    cadence = Cadence(MON_4_JAN, "four_weekly")
    assert next_occurrence(cadence, date(2027, 1, 5)) == date(2027, 2, 1)


def test_monthly_review_keeps_the_nth_weekday_of_the_month() -> None:
    first_tuesday = Cadence(date(2027, 2, 2), "monthly")
    assert first_tuesday.week_of_month == 1
    assert next_occurrence(first_tuesday, date(2027, 2, 3)) == date(2027, 3, 2)
    assert next_occurrence(first_tuesday, date(2027, 3, 3)) == date(2027, 4, 6)
    assert previous_occurrence(first_tuesday, date(2027, 4, 6)) == date(2027, 3, 2)
    assert previous_occurrence(first_tuesday, date(2027, 4, 7)) == date(2027, 4, 6)


def test_monthly_review_in_the_fifth_week_means_the_last_weekday() -> None:
    last_tuesday = Cadence(date(2027, 3, 30), "monthly")
    assert last_tuesday.week_of_month == -1
    assert next_occurrence(last_tuesday, date(2027, 3, 31)) == date(2027, 4, 27)
    assert next_occurrence(last_tuesday, date(2027, 4, 28)) == date(2027, 5, 25)


def test_cadence_ends_on_its_until_date() -> None:
    weekly = Cadence(MON_4_JAN, "weekly", until=date(2027, 1, 18))
    assert next_occurrence(weekly, date(2027, 1, 18)) == date(2027, 1, 18)
    assert next_occurrence(weekly, date(2027, 1, 19)) is None
    assert previous_occurrence(weekly, date(2027, 6, 1)) == date(2027, 1, 18)


def test_previous_occurrence_is_strictly_before() -> None:
    weekly = Cadence(MON_4_JAN, "weekly")
    assert previous_occurrence(weekly, MON_4_JAN) is None
    assert previous_occurrence(weekly, date(2027, 1, 11)) == MON_4_JAN
    assert previous_occurrence(weekly, date(2027, 1, 12)) == date(2027, 1, 11)


def test_cadence_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="unknown frequency"):
        Cadence(MON_4_JAN, "daily")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot end before"):
        Cadence(MON_4_JAN, "weekly", until=date(2027, 1, 1))


@pytest.mark.parametrize(
    ("influence", "interest", "quadrant"),
    [
        (5, 5, "manage_closely"),
        (3, 3, "manage_closely"),
        (4, 2, "keep_satisfied"),
        (2, 4, "keep_informed"),
        (1, 2, "monitor"),
    ],
)
def test_stakeholder_grid(influence: int, interest: int, quadrant: str) -> None:
    assert engagement(influence, interest) == quadrant


def test_stakeholder_scores_are_one_to_five() -> None:
    with pytest.raises(ValueError, match="influence"):
        engagement(0, 3)


def test_lead_time_counts_working_days_from_detection_to_the_threatened_date() -> None:
    calendar = WorkCalendar(holidays=[date(2027, 5, 31)])
    conflicts = [
        # flagged Mon 3 May about Fri 7 May: Mon..Thu = 4 working days → late
        FlaggedConflict("A", date(2027, 5, 3), date(2027, 5, 7)),
        # flagged Mon 3 May about Mon 7 Jun: 5 weeks = 25 days, less the 31 May holiday = 24
        FlaggedConflict("B", date(2027, 5, 3), date(2027, 6, 7), cross_project=True),
        # flagged Mon 10 May about Mon 24 May: exactly 10 working days → early
        FlaggedConflict("C", date(2027, 5, 10), date(2027, 5, 24)),
        # flagged Wed 12 May, two working days after the date (Mon 10 May) → -2
        FlaggedConflict("D", date(2027, 5, 12), date(2027, 5, 10)),
    ]
    leads = detection_leads(conflicts, calendar)
    assert [(lead.conflict.key, lead.lead_days, lead.caught) for lead in leads] == [
        ("A", 4, "late"),
        ("B", 24, "early"),
        ("C", 10, "early"),
        ("D", -2, "late"),
    ]
    summary = summarize_leads(leads)
    assert (summary.count, summary.early, summary.late) == (4, 2, 2)
    assert summary.median_lead_days == 7.0  # (4 + 10) / 2
    assert summary.mean_lead_days == 9.0  # (4 + 24 + 10 - 2) / 4
    assert (summary.shortest_lead_days, summary.longest_lead_days) == (-2, 24)
    assert summary.share_early == 0.5


def test_lead_threshold_is_tunable_and_empty_history_has_no_statistics() -> None:
    conflict = FlaggedConflict("A", date(2027, 5, 3), date(2027, 5, 7))
    [lead] = detection_leads([conflict], WorkCalendar(), early_threshold=4)
    assert lead.caught == "early"
    empty = summarize_leads([])
    assert (empty.count, empty.median_lead_days, empty.share_early) == (0, None, None)
