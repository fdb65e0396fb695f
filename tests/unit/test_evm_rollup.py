"""Roll-up of earned value to projects and the program, and the fast engine against a
plain day-by-day reference on random programs."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import pytest

from podium.engine import WorkCalendar
from podium.engine.evm import (
    PROFILES,
    EacFormula,
    EvmInput,
    EvmTask,
    earned_value,
    s_curves,
)

from .engine_factories import day

STATUS = day("2027-01-15")
ADDITIVE = ("bac", "pv", "ev", "ac", "sv", "cv")


def two_projects() -> EvmInput:
    # as of Friday 15 Jan (PV counts the working days before it, Mon 4 - Thu 14 Jan):
    # A (4-8 Jan) fully planned, 10,000; B (11-15 Jan, 400 a day) 4 of its 5 days, 1,600;
    # C (11-22 Jan, 400 a day) 4 of its 10 days, 1,600
    return EvmInput.from_tasks(
        [
            EvmTask(
                "A",
                "PLAT",
                10_000,
                day("2027-01-04"),
                day("2027-01-08"),
                progress=[(day("2027-01-08"), 100.0)],
                costs=[(day("2027-01-08"), 12_000.0)],
            ),
            EvmTask(
                "B",
                "PLAT",
                2_000,
                day("2027-01-11"),
                day("2027-01-15"),
                progress=[(day("2027-01-15"), 50.0)],
                costs=[(day("2027-01-15"), 1_000.0)],
            ),
            EvmTask(
                "C",
                "TRAIN",
                4_000,
                day("2027-01-11"),
                day("2027-01-22"),
                progress=[(day("2027-01-15"), 25.0)],
                costs=[(day("2027-01-15"), 500.0)],
            ),
        ]
    )


def test_a_project_adds_up_its_tasks_and_recomputes_its_indices() -> None:
    plat = earned_value(two_projects(), STATUS).projects["PLAT"]
    # PV 10,000 + 1,600; EV 10,000 + 50 % of 2,000
    assert (plat.bac, plat.pv, plat.ev, plat.ac) == (12_000, 11_600, 11_000, 13_000)
    assert plat.spi == pytest.approx(11_000 / 11_600)
    assert plat.cpi == pytest.approx(11_000 / 13_000)  # not the mean of 10/12 and 1/1
    assert plat.eac == pytest.approx(12_000 * 13_000 / 11_000)  # BAC / CPI of the sums


def test_the_program_is_the_sum_of_its_projects_for_additive_measures() -> None:
    result = earned_value(two_projects(), STATUS)
    for measure in ADDITIVE:
        total = sum(getattr(p, measure) for p in result.projects)
        assert getattr(result.program, measure) == pytest.approx(total)
    program = result.program
    # PV 11,600 (PLAT) + 1,600 (C); EV 11,000 + 25 % of 4,000
    assert (program.bac, program.pv, program.ev, program.ac) == (16_000, 13_200, 12_000, 13_500)
    assert program.spi == pytest.approx(12 / 13.2)
    mean_spi = np.mean([p.spi for p in result.projects])
    assert program.spi != pytest.approx(mean_spi)  # recomputed, not averaged


def test_bottom_up_estimates_add_up_with_the_budget_left_where_none_was_given() -> None:
    data = EvmInput.from_tasks(
        [
            EvmTask(
                "A",
                "P",
                1_000,
                day("2027-01-04"),
                day("2027-01-08"),
                progress=[(day("2027-01-04"), 50.0)],
                costs=[(day("2027-01-04"), 700.0)],
                estimate_to_complete=800.0,
            ),
            EvmTask(
                "B",
                "P",
                1_000,
                day("2027-01-04"),
                day("2027-01-08"),
                progress=[(day("2027-01-04"), 20.0)],
                costs=[(day("2027-01-04"), 100.0)],
            ),
        ]
    )
    result = earned_value(data, STATUS, eac_formula="bottom_up")
    assert result.tasks["B"].eac == 100 + 800  # no estimate: BAC − EV = 800
    assert result.program.eac == 700 + 100 + 800 + 800
    assert result.program.etc == 1_600


def test_rolling_up_by_any_key_uses_the_same_rules() -> None:
    result = earned_value(two_projects(), STATUS)
    table = result.group_by(["WP1", "WP1", "WP2"])
    assert table.ids == ("WP1", "WP2")
    assert table["WP1"].ev == result.projects["PLAT"].ev
    with pytest.raises(ValueError, match="one key per task"):
        result.group_by(["WP1"])


def test_s_curves_of_the_projects_add_up_to_the_program_curve() -> None:
    curves = s_curves(two_projects(), end=day("2027-01-29"))
    for measure in ("pv", "ev", "ac"):
        total = sum(getattr(c, measure) for c in curves.groups.values())
        assert getattr(curves.program, measure).tolist() == pytest.approx(total.tolist())
    # the curve at a date is the status at that date
    result = earned_value(two_projects(), day("2027-01-18"))
    assert curves.dates[2] == np.datetime64("2027-01-18")
    assert curves.groups["PLAT"].ev[2] == result.projects["PLAT"].ev


def test_the_status_date_is_a_point_of_the_curves_with_the_status_values() -> None:
    status = day("2027-01-13")  # a Wednesday, between two weekly points
    curves = s_curves(two_projects(), end=day("2027-01-29"), status_date=status)
    dates = curves.dates.tolist()
    assert status in dates and dates == sorted(dates)
    at = dates.index(status)
    result = earned_value(two_projects(), status)
    assert curves.program.pv[at] == pytest.approx(result.program.pv)
    assert curves.program.ev[at] == pytest.approx(result.program.ev)
    assert curves.program.ac[at] == pytest.approx(result.program.ac)
    assert np.isnan(curves.program.ev[at + 1])  # not known after it


def test_an_empty_program_has_no_value_and_no_indices() -> None:
    result = earned_value(EvmInput.from_tasks([]), STATUS)
    assert result.program.bac == 0 and result.program.spi is None and len(result.projects) == 0


# --- the vectorized engine against a plain reference --------------------------


def reference(task: EvmTask, calendar: WorkCalendar, on: date) -> tuple[float, float, float]:
    """PV, EV, AC of one task as of the status date ``on``, a day at a time (the definitions:
    PV planned on the working days before ``on``, EV and AC reported on or before it)."""
    pv = 0.0
    if task.baseline_start is not None and task.baseline_finish is not None:
        days = [
            task.baseline_start + timedelta(i)
            for i in range((task.baseline_finish - task.baseline_start).days + 1)
        ]
        worked = [d for d in days if calendar.is_workday(d)]
        if not worked:
            share = 1.0 if on > task.baseline_finish else 0.0
        else:
            elapsed = sum(1 for d in worked if d < on) / len(worked)
            weights = PROFILES[task.profile] if isinstance(task.profile, str) else task.profile
            parts = len(weights)
            whole = min(int(elapsed * parts), parts - 1)
            below = sum(weights[:whole])
            within = elapsed * parts - whole
            share = (below + within * weights[whole]) / sum(weights)
        pv = task.budget * share
    percent = 0.0
    for when, value in task.progress:
        if when <= on:
            percent = value  # records are in date order here; the last one counts
    ac = sum(amount for when, amount in task.costs if when <= on)
    return pv, task.budget * percent / 100, ac


def random_program(seed: int) -> tuple[list[EvmTask], WorkCalendar]:
    rng = random.Random(seed)
    calendar = WorkCalendar("1111100", [day("2027-01-06"), day("2027-02-15")])
    tasks = []
    for i in range(40):
        start = day("2027-01-01") + timedelta(rng.randrange(40))
        finish = start + timedelta(rng.randrange(25))
        points = sorted(rng.sample(range(60), rng.randrange(4)))
        progress = [(start + timedelta(p), float(rng.randrange(101))) for p in points]
        costs = [
            (start + timedelta(rng.randrange(-3, 60)), float(rng.randrange(1, 500)))
            for _ in range(rng.randrange(4))
        ]
        shapes: list[str | tuple[float, ...]] = [*PROFILES, (1.0, 2.0, 0.0, 5.0)]
        profile = rng.choice(shapes)
        tasks.append(
            EvmTask(
                f"T{i}",
                f"P{i % 3}",
                float(rng.randrange(0, 5_000)),
                start,
                finish,
                profile=profile,
                progress=progress,
                costs=costs,
            )
        )
    return tasks, calendar


@pytest.mark.parametrize("seed", range(5))
def test_the_engine_agrees_with_the_day_by_day_reference(seed: int) -> None:
    tasks, calendar = random_program(seed)
    data = EvmInput.from_tasks(tasks, default_calendar=calendar)
    curves = s_curves(
        data,
        start=day("2027-01-01"),
        end=day("2027-04-01"),
        step_days=3,
        groups=[t.id for t in tasks],
    )
    for when in curves.dates.tolist()[::4]:
        result = earned_value(data, when)
        for task in tasks:
            expected = reference(task, calendar, when)
            row = result.tasks[task.id]
            assert (row.pv, row.ev, row.ac) == pytest.approx(expected), (task.id, when)
    for i, when in enumerate(curves.dates.tolist()):
        for task in tasks:
            curve = curves.groups[task.id]
            assert (curve.pv[i], curve.ev[i], curve.ac[i]) == pytest.approx(
                reference(task, calendar, when)
            )


@pytest.mark.parametrize("formula", ["cpi", "budget_rate", "cpi_spi", "bottom_up"])
def test_indices_of_a_project_are_those_of_its_summed_base_figures(formula: EacFormula) -> None:
    tasks, calendar = random_program(7)
    result = earned_value(
        EvmInput.from_tasks(tasks, default_calendar=calendar),
        day("2027-02-10"),
        eac_formula=formula,
    )
    for project in result.projects:
        rows = [result.tasks[t.id] for t in tasks if t.project == project.id]
        bac, ev, ac = (sum(getattr(r, m) for r in rows) for m in ("bac", "ev", "ac"))
        assert project.cpi == pytest.approx(ev / ac)
        if formula == "budget_rate":
            assert project.eac == pytest.approx(ac + bac - ev)


@pytest.mark.parametrize(
    ("start", "end"), [("2027-01-20", "2027-02-10"), ("2026-12-01", "2027-01-02")]
)
def test_a_curve_over_a_window_counts_the_plan_before_it_and_stops_at_its_end(
    start: str,
    end: str,
) -> None:
    tasks, calendar = random_program(11)
    data = EvmInput.from_tasks(tasks, default_calendar=calendar)
    curves = s_curves(data, start=day(start), end=day(end), step_days=2)
    for i, when in enumerate(curves.dates.tolist()):
        expected = [sum(reference(t, calendar, when)[m] for t in tasks) for m in range(3)]
        program = curves.program
        assert [program.pv[i], program.ev[i], program.ac[i]] == pytest.approx(expected)
