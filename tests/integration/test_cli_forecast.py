"""`podium forecast` on a real database, over the demo program."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.models import Forecast

runner = CliRunner()


def podium(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _count(engine: Engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(Forecast)) or 0


def test_forecast_prints_the_confidence_table_and_stores_it(demo: None, engine: Engine) -> None:
    before = _count(engine)
    code, out = podium("forecast", "CLOUD", "--iterations", "2000", "--seed", "5")
    assert code == 0, out
    assert "2000 iterations, seed 5" in out
    program = next(
        line
        for line in out.splitlines()
        if line.strip().startswith("│ Program") or line.strip().startswith("Program")
    )
    # target, planned, P10, P50, P80, P90: whole dates
    assert len(re.findall(r"\b20\d\d-\d\d-\d\d\b", program)) == 6
    assert "…" not in program
    assert "P10" in out
    assert "What drives the finish" in out and "Stored as forecast" in out
    # a risk's figure is how often it occurs, not a criticality: in its own column
    risk = next(line for line in out.splitlines() if re.search(r"\bR\d+ ", line))
    assert re.search(r"│ —\s+│ \d+%\s+│$", risk.strip()), risk
    task = next(line for line in out.splitlines() if re.search(r"\bDATA-\d+ ", line))
    assert re.search(r"│ \d+%\s+│ —\s+│$", task.strip()), task
    assert _count(engine) == before + 1


def test_the_same_seed_prints_the_same_table(demo: None, engine: Engine) -> None:
    one = podium("forecast", "CLOUD", "-n", "500", "--seed", "9", "--no-store")
    two = podium(
        "forecast", "CLOUD", "-n", "500", "--seed", "9", "--no-store", "--distribution", "pert"
    )
    assert one == two and one[0] == 0
    assert "Stored" not in one[1]


def test_bad_options_are_refused(demo: None) -> None:
    code, out = podium("forecast", "CLOUD", "--iterations", "5")
    assert code == 1 and "iterations" in out
    code, out = podium("forecast", "NOPE")
    assert code == 1


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--uncertainty", "-1"), "--uncertainty: between 0 and 0.9 (a share of the duration)"),
        (("-n", "50"), "--iterations: between 100 and 100000"),
        (("--seed", "-3"), "--seed: between 0 and 2^63 - 1"),
        (("--distribution", "normal"), "--distribution: pert or triangular"),
    ],
)
def test_a_refused_setting_names_the_option_not_the_api_field(
    demo: None, engine: Engine, args: tuple[str, ...], said: str
) -> None:
    before = _count(engine)
    code, out = podium("forecast", "CLOUD", *args, "--no-store")
    assert code == 1
    assert f"error: {said}" in out and "│ " + said.split(":")[0] in out, out
    assert "default_uncertainty" not in out
    assert re.search(r"(?<!-)\b(iterations|seed|distribution)\b", out.replace(said, "")) is None
    assert _count(engine) == before


def test_the_demo_comes_with_a_forecast_and_risk_events(demo: None, engine: Engine) -> None:
    with Session(engine) as s:
        stored = s.scalars(select(Forecast)).first()
        assert stored is not None and stored.seed == 2027
        assert stored.inputs["risks"]  # live risks with a schedule impact
        assert stored.inputs["tasks_with_estimates"] > 20
        p = stored.results["program"]
        assert p["p50"] <= p["p80"] <= p["p90"] and p["finish"] <= p["p80"]
