"""The Performance page says why SPI or CPI is undefined: no baseline, no budget in it,
nothing planned yet or nothing spent yet, whichever holds for that row."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from podium.engine.evm import EarnedValue
from podium.services.performance import why_cpi_undefined, why_spi_undefined
from tests.api.conftest import Browser, Cast, Net

NO_BASELINE_SPI = "no baseline, so nothing is planned (PV = 0)"
NO_BASELINE_CPI = "no baseline, so no budget to earn value against (BAC = 0)"
NO_BUDGET_SPI = "no budget in the baseline, so no value is planned (BAC = 0, PV = 0)"
NO_BUDGET_CPI = "no budget in the baseline, so no value is earned (BAC = 0)"
NOTHING_SPENT = "no actual cost reported yet (AC = 0)"
NOTHING_PLANNED = "no work planned before the status date (PV = 0)"


def _value(*, bac: float, pv: float, ac: float) -> EarnedValue:
    return EarnedValue(
        "program", bac, pv, 0, ac, -pv, -ac, None, None, None, None, None, None, None
    )


@pytest.mark.parametrize(
    ("bac", "pv", "ac", "baseline", "spi", "cpi"),
    [
        (0, 0, 232_800, False, NO_BASELINE_SPI, NO_BASELINE_CPI),
        (0, 0, 0, False, NO_BASELINE_SPI, f"{NO_BASELINE_CPI} and {NOTHING_SPENT}"),
        (0, 0, 500, True, NO_BUDGET_SPI, NO_BUDGET_CPI),
        (0, 0, 0, True, NO_BUDGET_SPI, f"{NO_BUDGET_CPI} and {NOTHING_SPENT}"),
        (9_000, 0, 0, True, NOTHING_PLANNED, NOTHING_SPENT),
    ],
)
def test_the_reason_is_the_one_that_holds(
    bac: float, pv: float, ac: float, baseline: bool, spi: str, cpi: str
) -> None:
    value = _value(bac=bac, pv=pv, ac=ac)
    assert why_spi_undefined(value, baseline=baseline) == spi
    assert why_cpi_undefined(value, baseline=baseline) == cpi


def _reasons(page: str, scope: str) -> dict[str, str]:
    """The undefined SPI and CPI of one earned value row, with the reason each gives."""
    row = re.search(rf'<tr data-scope="{scope}".*?</tr>', page, re.S)
    assert row is not None, scope
    found = re.findall(
        r'data-col="(spi|cpi)"><span class="pf-undefined"[^>]*data-undefined="([^"]*)"',
        row.group(0),
    )
    return dict(found)


def test_a_cost_with_no_baseline_is_not_called_nothing_spent(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    m = cast.manager
    assert m.patch(f"/api/v1/tasks/{net.plat['id']}", json={"budget": 9000}).status_code == 200
    spent = m.patch(f"/api/v1/tasks/{net.sec['id']}", json={"actual_cost": 1200})
    assert spent.status_code == 200, spent.text
    url = f"/programs/{cast.program.id}/performance"
    viewer = browser_as("viewer@example.com")
    # no baseline: the program and the project that spent have AC > 0, and no budget
    page = viewer.get(url)
    assert _reasons(page, "program") == {"spi": NO_BASELINE_SPI, "cpi": NO_BASELINE_CPI}
    assert _reasons(page, "SEC") == {"spi": NO_BASELINE_SPI, "cpi": NO_BASELINE_CPI}
    assert NOTHING_SPENT not in page.split('data-scope="PLAT"')[0]
    # in the figures above the table too
    figures = page.split('data-testid="ev-summary"')[1].split("</dl>")[0]
    assert f'data-undefined="{NO_BASELINE_CPI}"' in figures
    # a baseline: the program has a budget (9,000 on PLAT), SEC has none, TRAIN nothing
    taken = m.post(f"/api/v1/programs/{cast.program.id}/baselines", json={"name": "Plan"})
    assert taken.status_code == 201, taken.text
    page = viewer.get(url)
    assert _reasons(page, "SEC")["cpi"] == NO_BUDGET_CPI
    assert _reasons(page, "SEC")["spi"] == NO_BUDGET_SPI
    assert _reasons(page, "TRAIN")["cpi"] == f"{NO_BUDGET_CPI} and {NOTHING_SPENT}"
    assert _reasons(page, "PLAT")["cpi"] == NOTHING_SPENT
