"""Earned value formulas against worked examples from the EVM literature.

Formulas: PMBOK Guide, 6th ed., §7.4.2.2 and Table 7-1 ("Earned Value
Calculations Summary Table"). Every expected number is written out and was
checked by hand.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

from podium.engine.evm import (
    EAC_FORMULAS,
    EacFormula,
    EarnedValue,
    EvmInput,
    EvmTask,
    earned_value,
    evm_table,
)

MONDAY = date(2027, 1, 4)


def one(
    bac: float,
    pv: float,
    ev: float,
    ac: float,
    formula: EacFormula = "cpi",
    etc: float = np.nan,
) -> EarnedValue:
    """The measures of one control account from its four base figures."""
    bac_, pv_, ev_, ac_, etc_ = (np.array([x], dtype=np.float64) for x in (bac, pv, ev, ac, etc))
    return evm_table(["A"], bac_, pv_, ev_, ac_, etc_, formula).row(0)


# The textbook case used in PMP preparation with the PMBOK Guide's formulas:
# BAC 10,000; at the status date PV 5,000, EV 4,000, AC 4,500.
PMBOK: dict[str, Any] = {"bac": 10_000.0, "pv": 5_000.0, "ev": 4_000.0, "ac": 4_500.0}


def test_pmbok_case_variances_and_indices() -> None:
    row = one(**PMBOK)
    assert row.sv == -1_000  # EV − PV
    assert row.cv == -500  # EV − AC
    assert row.spi == pytest.approx(0.8)  # 4,000 / 5,000
    assert row.cpi == pytest.approx(0.8889, abs=1e-4)  # 4,000 / 4,500


def test_pmbok_case_forecasts_with_typical_variances_bac_over_cpi() -> None:
    row = one(**PMBOK)
    assert row.eac == pytest.approx(11_250)  # 10,000 / 0.8889
    assert row.etc == pytest.approx(6_750)  # 11,250 − 4,500
    assert row.vac == pytest.approx(-1_250)  # 10,000 − 11,250
    assert row.tcpi_bac == pytest.approx(1.0909, abs=1e-4)  # 6,000 / 5,500
    # to the EAC of BAC / CPI the TCPI is the CPI itself: 6,000 / 6,750
    assert row.tcpi_eac == pytest.approx(0.8889, abs=1e-4)


def test_pmbok_case_with_atypical_variances_remaining_work_at_budget_rate() -> None:
    row = one(**PMBOK, formula="budget_rate")
    assert row.eac == 10_500  # 4,500 + (10,000 − 4,000)
    assert row.etc == 6_000
    assert row.vac == -500
    assert row.tcpi_eac == 1.0  # 6,000 / 6,000


def test_pmbok_case_with_schedule_and_cost_both_weighing_on_the_rest() -> None:
    row = one(**PMBOK, formula="cpi_spi")
    # 4,500 + 6,000 / (0.8889 × 0.8) = 4,500 + 6,000 / 0.71111 = 4,500 + 8,437.5
    assert row.eac == pytest.approx(12_937.5)
    assert row.etc == pytest.approx(8_437.5)
    assert row.vac == pytest.approx(-2_937.5)
    assert row.tcpi_eac == pytest.approx(0.7111, abs=1e-4)  # 6,000 / 8,437.5


def test_pmbok_case_with_a_bottom_up_estimate_to_complete() -> None:
    row = one(**PMBOK, formula="bottom_up", etc=7_000)
    assert row.eac == 11_500  # 4,500 + 7,000
    assert row.etc == 7_000
    assert row.vac == -1_500
    assert row.tcpi_eac == pytest.approx(6_000 / 7_000)


def test_bread_project_of_questpond() -> None:
    # Koirala, "Earned value" (questpond): 400 breads at $0.02, BAC $8; after 3 hours
    # 120 planned (PV 2.4), 80 made (EV 1.6) for $3 spent. The page gives SV −0.8,
    # CV −1.4, CPI 0.53 and TCPI 1.28; its SPI "0.6" is 1.6 / 2.4 = 0.667.
    row = one(bac=8.0, pv=2.4, ev=1.6, ac=3.0)
    assert row.sv == pytest.approx(-0.8)
    assert row.cv == pytest.approx(-1.4)
    assert row.spi == pytest.approx(0.6667, abs=1e-4)
    assert row.cpi == pytest.approx(0.5333, abs=1e-4)
    assert row.tcpi_bac == pytest.approx(1.28)  # (8 − 1.6) / (8 − 3)


def test_construction_project_eac_assuming_current_cost_efficiency() -> None:
    # A building project (CE board exam review, "Project control and earned value"):
    # BAC P5,000,000, EV P1,500,000, AC P1,800,000 → CPI 0.8333, EAC P6,000,000.
    row = one(bac=5e6, pv=1.5e6, ev=1.5e6, ac=1.8e6)
    assert row.cpi == pytest.approx(0.8333, abs=1e-4)
    assert row.eac == pytest.approx(6e6)
    assert row.vac == pytest.approx(-1e6)
    assert row.tcpi_bac == pytest.approx(3.5e6 / 3.2e6)


def test_the_pmbok_case_from_a_task_history_gives_the_same_figures() -> None:
    # ten working days from Monday 2027-01-04, 1,000 a day: as of Monday 11 Jan (PV counts
    # the working days before the status date) five are planned; the cost of Tuesday 12
    # Jan is not known yet
    task = EvmTask(
        "A",
        "P",
        10_000,
        MONDAY,
        date(2027, 1, 15),
        progress=[(date(2027, 1, 6), 25.0), (date(2027, 1, 8), 40.0)],
        costs=[
            (date(2027, 1, 5), 2_000.0),
            (date(2027, 1, 8), 2_500.0),
            (date(2027, 1, 12), 900.0),
        ],
    )
    row = earned_value(EvmInput.from_tasks([task]), date(2027, 1, 11)).tasks["A"]
    assert (row.bac, row.pv, row.ev, row.ac) == (10_000, 5_000, 4_000, 4_500)
    assert row.eac == pytest.approx(11_250)


# --- undefined values --------------------------------------------------------


def test_spi_is_undefined_before_any_work_is_planned() -> None:
    row = one(bac=1_000, pv=0, ev=0, ac=0)
    assert row.spi is None and row.sv == 0


def test_cpi_is_undefined_before_any_cost_is_booked() -> None:
    row = one(bac=1_000, pv=500, ev=200, ac=0)
    assert row.cpi is None
    assert row.eac is None and row.etc is None and row.vac is None  # BAC / CPI
    assert one(bac=1_000, pv=500, ev=200, ac=0, formula="budget_rate").eac == 800


@pytest.mark.parametrize("formula", ["cpi", "cpi_spi", "budget_rate"])
def test_with_nothing_earned_nor_spent_the_budget_stands(formula: EacFormula) -> None:
    row = one(bac=1_000, pv=300, ev=0, ac=0, formula=formula)
    assert row.eac == 1_000 and row.etc == 1_000 and row.vac == 0


def test_a_bottom_up_estimate_counts_even_before_work_starts() -> None:
    assert one(bac=1_000, pv=0, ev=0, ac=0, formula="bottom_up", etc=1_400).eac == 1_400


@pytest.mark.parametrize("formula", ["cpi", "cpi_spi", "budget_rate", "bottom_up"])
def test_with_no_work_left_the_estimate_at_completion_is_the_actual_cost(
    formula: EacFormula,
) -> None:
    row = one(bac=1_000, pv=1_000, ev=1_000, ac=1_250, formula=formula)
    assert row.eac == 1_250 and row.etc == 0 and row.vac == -250


def test_earning_nothing_for_money_spent_leaves_the_cpi_forecast_undefined() -> None:
    row = one(bac=1_000, pv=400, ev=0, ac=300)
    assert row.cpi == 0.0
    assert row.eac is None  # BAC / 0
    assert one(bac=1_000, pv=400, ev=0, ac=300, formula="cpi_spi").eac is None


def test_with_no_budget_a_cost_says_nothing_of_cost_performance() -> None:
    # no baseline yet, or work baselined without a budget: nothing could be earned, so a
    # CPI of 0 (and a red program for it) would be a verdict on no plan; the cost stands
    row = one(bac=0, pv=0, ev=0, ac=300)
    assert row.cpi is None and row.spi is None and row.tcpi_bac is None
    assert (row.eac, row.etc, row.vac) == (300, 0, -300)


def test_tcpi_to_budget_is_undefined_once_the_budget_is_spent() -> None:
    row = one(bac=1_000, pv=900, ev=800, ac=1_100)
    assert row.tcpi_bac is None
    assert row.tcpi_eac == pytest.approx(200 / (1_375 - 1_100))  # EAC = 1,000 / (8/11)


def test_unknown_formula_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="bottom_up"):
        one(**PMBOK, formula="magic")  # type: ignore[arg-type]


def test_every_formula_is_written_out_for_display() -> None:
    data = EvmInput.from_tasks([EvmTask("A", "P", 100, MONDAY, MONDAY)])
    for formula, text in EAC_FORMULAS.items():
        assert earned_value(data, MONDAY, eac_formula=formula).formula == text
    assert EAC_FORMULAS["cpi"] == "EAC = BAC / CPI"
