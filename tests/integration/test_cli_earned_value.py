"""``podium earned-value``: the program's and each project's earned value at the status
date, as the API gives it, checked by hand on two ten-day tasks."""

from __future__ import annotations

import pytest

from podium.cli._app import console
from tests.integration.test_cli import podium


def _two_tasks() -> None:
    """EV1 from Mon 2 Mar 2026: A1 and B1, ten days and 1,000 EUR each, not linked; A1
    half done on Mon 9 Mar, for 600."""
    for args in (
        ("program", "create", "EV1", "--name", "Earned value", "--start", "2026-03-02"),
        ("program", "set", "EV1", "--currency", "EUR"),
        ("project", "add", "EV1", "PA", "--name", "Alpha"),
        ("task", "add", "EV1", "--project", "PA", "--name", "Build", "--duration", "10",
         "--budget", "1000"),
        ("task", "add", "EV1", "--project", "PA", "--name", "Test", "--duration", "10",
         "--budget", "1000"),
    ):  # fmt: skip
        code, out = podium(*args)
        assert code == 0, out


def test_the_table_reads_the_textbook_figures_and_names_its_baseline(
    cli_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _two_tasks()
    code, out = podium("earned-value", "EV1")
    assert code == 0, out
    assert "EV1 has no current baseline" in out and "podium baseline take EV1" in out
    for args in (
        ("baseline", "take", "EV1", "--name", "BL1"),
        ("program", "set", "EV1", "--status-date", "2026-03-09"),
        ("task", "progress", "EV1", "PA-1", "--percent", "50", "--actual-start", "2026-03-02",
         "--actual-cost", "600"),
    ):  # fmt: skip
        code, out = podium(*args)
        assert code == 0, out
    monkeypatch.setattr(console, "width", 160)
    code, out = podium("earned-value", "EV1")
    assert code == 0, out
    assert "Earned value of EV1 at 2026-03-09, amounts in EUR" in out
    # BAC 2,000; five of each task's ten days planned before Mon 9: PV 1,000; EV 500; AC
    # 600; SV −500, CV −100; SPI 0.50, CPI 0.83; EAC 2,000 / (5/6) = 2,400; ETC 1,800;
    # VAC −400; TCPI (2,000 − 500) / (2,000 − 600) = 1.07
    program = next(line for line in out.splitlines() if line.startswith("│ Program"))
    assert [cell.strip() for cell in program.split("│")[2:-1]] == [
        "2,000", "1,000", "500", "600", "−500", "−100", "0.50", "0.83", "2,400", "1,800",
        "−400", "1.07",
    ], program  # fmt: skip
    assert "Against baseline 'BL1' (budget 2,000\u00a0EUR)." in out
    # on a narrow terminal: the figures, then the indices and forecasts, nothing cut short
    monkeypatch.setattr(console, "width", 60)
    code, narrow = podium("earned-value", "EV1", "--formula", "budget_rate")
    assert code == 0, narrow
    rows = [line for line in narrow.splitlines() if line.startswith("│ Program")]
    assert [[cell.strip() for cell in r.split("│")[2:-1]] for r in rows] == [
        ["2,000", "1,000", "500", "600", "−500", "−100"],
        ["0.50", "0.83", "2,100", "1,500", "−100", "1.07"],  # EAC = AC + (BAC − EV)
    ]
    assert "EAC = AC + (BAC − EV)" in narrow


def test_an_unknown_formula_or_date_is_refused_naming_the_option(cli_env: None) -> None:
    _two_tasks()
    code, out = podium("earned-value", "EV1", "--formula", "average")
    assert code != 0 and "unknown --formula 'average': cpi, budget_rate" in out
    code, out = podium("earned-value", "EV1", "--date", "2026-02-30")
    assert code != 0 and "--date must be YYYY-MM-DD" in out
    code, out = podium("earned-value", "NOPE")
    assert code != 0 and "NOPE" in out
