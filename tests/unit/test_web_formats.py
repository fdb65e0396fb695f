"""How the pages write dates, numbers, amounts and percentages."""

from __future__ import annotations

from datetime import date

import pytest

from podium.engine.health.records import Reason, Ref
from podium.web.templating import (
    format_amount,
    format_date,
    format_number,
    format_percent,
    group_reasons,
    input_number,
    reason_text,
    whole_percent,
)


@pytest.mark.parametrize(
    ("value", "written"),
    [(1200.0, "1200"), (1_500_000, "1500000"), (12.5, "12.5"), (0.1 + 0.2, "0.3"), (None, "")],
)
def test_a_number_in_a_form_field_has_no_grouping(value: float | None, written: str) -> None:
    """A number input takes ``1200``; ``1,200`` it shows as an empty field."""
    assert input_number(value) == written


def test_a_date_is_day_month_year() -> None:
    assert format_date(date(2026, 12, 4)) == "4 Dec 2026"
    assert format_date("2026-12-04") == "4 Dec 2026"
    assert format_date(None) == ""


@pytest.mark.parametrize(
    ("value", "written"),
    [(1200, "1,200"), (12.5, "12.5"), (0.1 + 0.2, "0.3"), (None, "")],
)
def test_a_number_keeps_its_fraction_to_four_places(value: float | None, written: str) -> None:
    assert format_number(value) == written


@pytest.mark.parametrize(
    ("value", "written"),
    [(528549.5798, "528,550"), (-1200.4, "\u22121,200"), (0.49, "0"), (None, "")],
)
def test_an_amount_is_written_to_the_whole_unit(value: float | None, written: str) -> None:
    assert format_amount(value) == written


@pytest.mark.parametrize(
    ("value", "written"),
    [(85.714, "86"), (0.3, "1"), (99.6, "99"), (0, "0"), (100, "100"), (42, "42"), (None, "")],
)
def test_percent_complete_is_whole_and_started_work_is_neither_none_nor_done(
    value: float | None, written: str
) -> None:
    assert whole_percent(value) == written


def test_a_percentage_has_a_sign_and_a_true_minus() -> None:
    assert format_percent(-30) == "\u221230\u00a0%"
    assert format_percent(12.54) == "+12.5\u00a0%"


def test_reasons_of_one_rule_and_colour_are_one_line_led_by_the_broadest_record() -> None:
    def reason(rule: str, severity: str, kind: str, key: str) -> Reason:
        ref = Ref(kind, 1, key)  # type: ignore[arg-type]
        return Reason(rule, severity, f"{severity} because {kind} {key} on 2026-12-04", ref, 0, 0)  # type: ignore[arg-type]

    slips = [
        reason("finish_slip", "amber", k, n)
        for k, n in [("task", "A-1"), ("project", "A"), ("program", "P"), ("task", "A-2")]
    ]
    late = reason("finish_slip", "red", "milestone", "M1")
    lines = group_reasons([late, *slips])
    assert [line.reason for line in lines] == [late, slips[2]]
    assert [ref.key for ref in lines[1].others] == ["A-1", "A", "A-2"]
    assert reason_text(lines[0].reason) == "Milestone M1 on 4 Dec 2026"


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"^[A-Za-z][A-Za-z0-9_-]{0,19}$", "Letters, digits, '_' or '-', starting with a letter."),
        (
            r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$",
            "Letters, digits, '.', '_' or '-', starting with a letter.",
        ),
        (
            r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,39}$",
            "Letters, digits, '.', '@', '_' or '-', starting with a letter or digit.",
        ),
    ],
)
def test_a_key_rule_is_said_as_its_pattern_allows(pattern: str, words: str) -> None:
    from podium.web.form_errors import key_rule

    assert key_rule(pattern) == words
