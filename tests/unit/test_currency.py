"""ISO 4217 codes as typed, and amounts written with them."""

from __future__ import annotations

import pytest

from podium.currency import (
    COMMON,
    checked_currency,
    figure,
    in_currency,
    is_iso_4217,
    share,
    with_currency,
)
from podium.web.templating import format_money


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("EUR", "EUR"), ("usd", "USD"), (" gbp ", "GBP"), ("", None), ("  ", None), (None, None)],
)
def test_a_code_is_trimmed_and_kept_in_capitals_and_blank_is_none(
    typed: str | None, stored: str | None
) -> None:
    assert checked_currency(typed) == stored


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("EURO", "must be an ISO 4217 code: three letters, like EUR, USD or GBP, not 'EURO'"),
        ("€", "not '€'"),
        ("E1R", "not 'E1R'"),
        ("ÉUR", "not 'ÉUR'"),
        ("ABC", "ABC is not an ISO 4217 currency code"),
        ("xxx", "XXX is not an ISO 4217 currency code"),
    ],
)
def test_anything_but_a_current_iso_4217_code_is_refused_saying_why(typed: str, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        checked_currency(typed)


def test_the_suggested_codes_are_all_iso_4217_and_the_placeholders_are_not_amounts() -> None:
    assert all(is_iso_4217(code) for code in COMMON)
    assert is_iso_4217("VES") and is_iso_4217("CHF")
    assert not any(is_iso_4217(code) for code in ("XXX", "XTS", "ABC", "EU"))


def test_an_amount_takes_its_code_after_a_no_break_space_and_none_leaves_it_bare() -> None:
    assert with_currency("32,000", "EUR") == "32,000\u00a0EUR"
    assert with_currency("32,000", None) == "32,000"
    assert with_currency("—", "EUR") == "—"  # no amount: no code
    assert with_currency("", "EUR") == ""
    assert in_currency("Budget", "EUR") == "Budget (EUR)"
    assert in_currency("Budget", None) == "Budget"


def test_the_pages_money_filter_rounds_signs_and_adds_the_code() -> None:
    assert format_money(-1234.6, "USD") == "\u22121,235\u00a0USD"
    assert format_money(32000, None) == "32,000"
    assert format_money(None, "USD") == ""


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (1168.0, "1,168"),
        (281.5, "281.5"),
        (0.86, "0.86"),
        (0.9, "0.9"),
        (2.675, "2.68"),  # halves away from zero, on the number as written
        (-1234.5, "\u22121,234.5"),
        (-0.001, "0"),  # no "−0"
        (None, "—"),
    ],
)
def test_a_figure_keeps_up_to_two_decimals_and_drops_trailing_zeros(
    value: float | None, written: str
) -> None:
    assert figure(value) == written


def test_a_share_of_a_change_always_shows_one_decimal() -> None:
    assert [share(v) for v in (8.9, 95, 255.12, -4.25, None)] == [
        "8.9\u00a0%",
        "95.0\u00a0%",
        "255.1\u00a0%",
        "\u22124.3\u00a0%",
        "—",
    ]
