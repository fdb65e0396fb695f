"""A program's currency: an ISO 4217 code, and amounts printed with it.

Every layer prints money (the web pages, the command line, the report writers), so
the codes and the one way of writing an amount with its code live here, below them
all — with the one way of writing the figures beside them (a KPI's value, the share
of a planned change). A program without a currency prints bare amounts, as before
currencies existed.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pycountry

# ISO 4217's codes come from pycountry, kept with the standard; not XTS (reserved for
# testing) nor XXX ("no currency": a program says that by having none)
NOT_AMOUNTS = frozenset({"XTS", "XXX"})


def is_iso_4217(code: str) -> bool:
    """Whether ``code`` (upper case) is a current ISO 4217 currency code."""
    return code not in NOT_AMOUNTS and pycountry.currencies.get(alpha_3=code) is not None


# the largest amount a task's budget or actual cost may be, and a resource's cost of
# one hour, as the API takes them (every import refuses more, in the API's words)
MAX_AMOUNT = 1e12
MAX_COST_RATE = 1e9
WHOLE_FLOATS = 2.0**53  # from here up every float is a whole number

# offered first where a currency is chosen (the form's suggestions)
COMMON = ("EUR", "USD", "GBP", "CHF", "JPY", "CNY", "CAD", "AUD", "INR", "SEK", "NOK", "DKK")
CURRENCY_RULE = "an ISO 4217 code: three letters, like EUR, USD or GBP"
# between an amount and its code: never broken across lines ("32,000 EUR")
SPACE = "\u00a0"
MINUS = "\u2212"


def checked_currency(text: str | None) -> str | None:
    """A currency as typed, upper-cased and trimmed; blank or none: none.

    Raises ``ValueError`` (saying what a code is) for anything but an ISO 4217 code."""
    if text is None:
        return None
    code = text.strip().upper()
    if not code:
        return None
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValueError(f"must be {CURRENCY_RULE}, not {text.strip()!r}")
    if not is_iso_4217(code):
        raise ValueError(f"{code} is not an ISO 4217 currency code (like EUR, USD or GBP)")
    return code


def whole_units(value: float) -> int:
    """``value`` rounded once to the whole unit, halves away from zero (2.5 is 3, −2.5 is
    −3), as people round money; Python's ``round`` sends halves to the even number.

    A float from 2**53 up is a whole number already (and more digits than a decimal
    quantizes to); a value that is not finite raises ``ValueError``."""
    if not math.isfinite(value):
        raise ValueError(f"{value!r} is not an amount")
    if abs(value) >= WHOLE_FLOATS:
        return int(value)
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def whole_amount(value: float) -> str:
    """An amount to the whole unit, with thousands separators and a true minus sign
    (U+2212): ``528,550``, ``−1,200``. The pages and the reports write amounts so; "—"
    for a value that is not finite (a sum past the largest float)."""
    if not math.isfinite(value):
        return "—"
    units = whole_units(value)
    return f"{MINUS if units < 0 else ''}{abs(units):,}"


def _rounded(value: float, digits: int) -> Decimal:
    """``value`` to ``digits`` decimals, halves away from zero, as written (2.675 is 2.68:
    the float's shortest text, not its binary expansion, is what people read)."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)


def figure(value: float | None, digits: int = 2) -> str:
    """A measured value — a KPI's baseline, target or reading, an outcome — as the pages
    and the reports both write it: thousands separators, at most ``digits`` decimals with
    no trailing zeros, a true minus sign: ``1,168``, ``281.5``, ``0.86``, ``−3``; "—" for
    none."""
    if value is None or not math.isfinite(value):
        return "—"
    rounded = _rounded(value, digits)
    text = f"{abs(rounded):,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{MINUS if rounded < 0 else ''}{text}"


def share(percent: float | None) -> str:
    """A share of a planned change, to one decimal always shown so that a column reads
    alike (``8.9 %``, ``95.0 %``, ``−4.2 %``), the sign kept with its number; "—" for
    none."""
    if percent is None or not math.isfinite(percent):
        return "—"
    rounded = _rounded(percent, 1)
    return f"{MINUS if rounded < 0 else ''}{abs(rounded):,f}{SPACE}%"


def with_currency(amount: str, currency: str | None) -> str:
    """An amount already written (``32,000``) followed by its code: ``32,000 EUR``.

    No currency, or no amount (an empty text or a dash): the text as it is."""
    if not currency or amount in ("", "—", "-"):
        return amount
    return f"{amount}{SPACE}{currency}"


def in_currency(heading: str, currency: str | None) -> str:
    """A column heading naming the currency its amounts are in: ``Budget (EUR)``."""
    return f"{heading} ({currency})" if currency else heading
