"""Monte Carlo forecasting: analytic networks, convergence, seeds, risks, criticality."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podium.engine import Activity, Link, Network, WorkCalendar, schedule
from podium.engine.forecast import (
    Estimate,
    InvalidForecast,
    Outcome,
    RiskEvent,
    block_size,
    simulate,
)

START = date(2027, 1, 4)  # a Monday
EVERY_DAY = WorkCalendar("1111111")  # so that working days and calendar days agree


def chain(n: int, *, milestone: bool = True) -> Network:
    acts = [Activity(f"T{i}", 10, group="P") for i in range(n)]
    links = [Link(f"T{i}", f"T{i + 1}") for i in range(n - 1)]
    if milestone:
        acts.append(Activity("M", 0))
        links.append(Link(f"T{n - 1}", "M"))
    return Network(START, acts, links, default_calendar=EVERY_DAY)


def finish_days(outcome_samples: np.ndarray) -> np.ndarray:
    """Working days of the whole chain: the finish day is one less than the total."""
    return outcome_samples + 1


def test_chain_of_triangular_tasks_has_the_analytic_mean_and_variance() -> None:
    a, m, b, n = 4.0, 10.0, 25.0, 12
    net = chain(n)
    est = {f"T{i}": Estimate(a, m, b) for i in range(n)}
    f = simulate(net, estimates=est, distribution="triangular", iterations=40_000, seed=3)
    total = finish_days(f.program.samples)
    mean = n * (a + m + b) / 3
    variance = n * ((a * a + m * m + b * b - a * m - a * b - m * b) / 18 + 1 / 12)  # + rounding
    assert total.mean() == pytest.approx(mean, rel=0.005)
    assert total.var() == pytest.approx(variance, rel=0.04)
    assert np.array_equal(f.activities["M"].samples, f.program.samples)


def test_chain_of_pert_tasks_has_the_pert_mean_and_variance() -> None:
    a, m, b, n = 5.0, 8.0, 20.0, 10
    est = {f"T{i}": Estimate(a, m, b) for i in range(n)}
    f = simulate(chain(n), estimates=est, distribution="pert", iterations=40_000, seed=4)
    total = finish_days(f.program.samples)
    mu = (a + 4 * m + b) / 6
    assert total.mean() == pytest.approx(n * mu, rel=0.005)
    assert total.var() == pytest.approx(n * ((mu - a) * (b - mu) / 7 + 1 / 12), rel=0.04)


def test_two_parallel_tasks_finish_with_the_distribution_of_their_maximum() -> None:
    acts = [Activity("A", 10), Activity("B", 10), Activity("M", 0)]
    links = [Link("A", "M"), Link("B", "M")]
    net = Network(START, acts, links, default_calendar=EVERY_DAY)
    est = {"A": Estimate(5, 10, 20), "B": Estimate(5, 10, 20)}
    f = simulate(net, estimates=est, distribution="triangular", iterations=50_000, seed=5)
    finish = finish_days(f.activities["M"].samples)

    def cdf_rounded(d: int) -> float:  # P(rint(X) <= d) for X ~ triangular(5, 10, 20)
        x = d + 0.5
        if x <= 5:
            return 0.0
        if x <= 10:
            return (x - 5) ** 2 / (15 * 5)
        return 1 - (20 - x) ** 2 / (15 * 10) if x < 20 else 1.0

    for d in (7, 9, 11, 13, 16):
        assert float(np.mean(finish <= d)) == pytest.approx(cdf_rounded(d) ** 2, abs=0.01)
    crit_a, crit_b = f.criticality[0], f.criticality[1]
    assert crit_a + crit_b >= 1  # one of them always drives; on a tie both do
    assert crit_a == pytest.approx(crit_b, abs=0.02)


def test_the_same_seed_gives_identical_results_and_another_seed_does_not() -> None:
    net = chain(30)
    one = simulate(net, iterations=3000, seed=11)
    two = simulate(net, iterations=3000, seed=11)
    other = simulate(net, iterations=3000, seed=12)
    assert np.array_equal(one.program.samples, two.program.samples)
    assert np.array_equal(one.criticality, two.criticality)
    assert np.allclose(one.correlation, two.correlation, equal_nan=True)
    assert not np.array_equal(one.program.samples, other.program.samples)


def test_results_do_not_depend_on_progress_reporting() -> None:
    net = chain(20)
    seen: list[tuple[int, int]] = []
    quiet = simulate(net, iterations=5000, seed=2)
    loud = simulate(net, iterations=5000, seed=2, progress=lambda d, t: seen.append((d, t)))
    assert np.array_equal(quiet.program.samples, loud.program.samples)
    assert seen[-1] == (5000, 5000)
    assert len(seen) == math.ceil(5000 / block_size(21))


def test_p50_converges_as_iterations_grow() -> None:
    net = chain(20)
    est = {f"T{i}": Estimate(5, 10, 30) for i in range(20)}
    exact = simulate(net, estimates=est, iterations=200_000, seed=1).program.samples.mean()
    errors = []
    for iterations in (100, 1000, 10_000, 100_000):
        spread = [
            abs(
                np.median(
                    simulate(net, estimates=est, iterations=iterations, seed=s).program.samples
                )
                - exact
            )
            for s in range(5)
        ]
        errors.append(float(np.mean(spread)))
    assert errors[-1] < errors[0]
    assert errors[-1] < 1.0  # days, on a ~280-day chain


def test_zero_uncertainty_reproduces_the_deterministic_schedule() -> None:
    cal = WorkCalendar("1111100", [date(2027, 1, 6)])
    acts = [
        Activity("A", 3),
        Activity("B", 4, constraint_type="snet", constraint_date=date(2027, 1, 20)),
        Activity("S", 0),
        Activity("C", 2, parent="S"),
        Activity("D", 5, parent="S"),
        Activity("E", 2, calendar="six"),
        Activity("M", 0),
        Activity("F", 6, actual_start=date(2027, 1, 4), percent_complete=50),
    ]
    links = [
        Link("A", "B"),
        Link("A", "C", "SS", 1),
        Link("C", "D"),
        Link("S", "E", "FS", 2),
        Link("B", "M"),
        Link("E", "M", "FF"),
        Link("F", "M"),
    ]
    net = Network(
        START,
        acts,
        links,
        calendars={"six": WorkCalendar("1111110")},
        default_calendar=cal,
        status_date=date(2027, 1, 11),
    )
    det = schedule(net)
    f = simulate(net, default_uncertainty=0, iterations=10, seed=0)
    assert f.program.percentile(50) == det.finish
    assert f.activities["M"].percentile(90) == det["M"].early_finish
    critical = f.criticality > 0.5
    assert [det.ids[i] for i in np.flatnonzero(critical)] == [
        i for i in det.critical_ids() if not det[i].is_summary
    ]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 8), min_size=2, max_size=12), st.randoms(use_true_random=False))
def test_zero_uncertainty_matches_the_engine_on_random_networks(
    durations: list[int], rnd: object
) -> None:
    import random

    assert isinstance(rnd, random.Random)
    acts = [Activity(f"A{i}", d, group=f"G{i % 2}") for i, d in enumerate(durations)]
    links = []
    for j in range(1, len(durations)):
        for i in rnd.sample(range(j), k=min(j, rnd.randint(0, 2))):
            links.append(
                Link(f"A{i}", f"A{j}", rnd.choice(["FS", "SS", "FF", "SF"]), rnd.randint(-2, 3))
            )
    net = Network(START, acts, links)
    det = schedule(net)
    f = simulate(net, default_uncertainty=0, iterations=3, seed=0, track=[a.id for a in acts])
    assert f.program.percentile(50) == det.finish
    for a in acts:
        assert f.activities[a.id].percentile(50) == det[a.id].early_finish, a.id
    for group, outcome in f.groups.items():
        ends = [det[a.id].early_finish for a in acts if a.group == group]
        assert outcome.percentile(50) == max(ends)
    assert [f.ids[i] for i in np.flatnonzero(f.criticality > 0.5)] == list(det.critical_ids())


def test_a_milestone_on_the_morning_of_the_last_day_is_critical_as_the_engine_says() -> None:
    # M sits at B's start, Friday 8 morning, the program's last day: slipping a day would
    # show it on Monday 11 and move the finish, so it is critical in every iteration, as
    # the deterministic schedule says (with the program's calendar or another of its own)
    for calendars in ({}, {"six": WorkCalendar("1111110")}):
        acts = [
            Activity("A", 5),
            Activity("B", 1, constraint_type="snet", constraint_date=date(2027, 1, 8)),
            Activity("M", 0, calendar="six" if calendars else None),
        ]
        net = Network(START, acts, [Link("B", "M", "SS")], calendars=calendars)
        det = schedule(net)
        f = simulate(net, default_uncertainty=0, iterations=8, seed=0)
        assert det["M"].is_critical
        assert dict(zip(f.ids, f.criticality.tolist(), strict=True))["M"] == 1.0


def test_a_certain_risk_event_shifts_the_finish_by_its_impact() -> None:
    net = chain(5)
    base = simulate(net, default_uncertainty=0, iterations=200, seed=1)
    hit = simulate(
        net, default_uncertainty=0, iterations=200, seed=1, risks=[RiskEvent("R1", 1.0, 7, ("T2",))]
    )
    assert (hit.program.samples - base.program.samples == 7).all()
    half = simulate(
        net,
        default_uncertainty=0,
        iterations=20_000,
        seed=1,
        risks=[RiskEvent("R1", 0.3, 10, ("T2", "unknown"))],
    )
    assert half.risk_rate[0] == pytest.approx(0.3, abs=0.01)
    assert half.program.probability_by(base.program.percentile(50)) == pytest.approx(0.7, abs=0.01)
    assert half.tornado(1)[0].id == "R1"


def test_a_dominant_path_is_critical_in_almost_every_iteration() -> None:
    acts = [Activity("LONG1", 30), Activity("LONG2", 30), Activity("SHORT", 10), Activity("M", 0)]
    links = [Link("LONG1", "LONG2"), Link("LONG2", "M"), Link("SHORT", "M")]
    net = Network(START, acts, links)
    f = simulate(net, iterations=5000, seed=9)
    crit = dict(zip(f.ids, f.criticality.tolist(), strict=True))
    assert crit["LONG1"] > 0.99 and crit["LONG2"] > 0.99
    assert crit["SHORT"] < 0.01
    top = [d.id for d in f.tornado(2)]
    assert set(top) == {"LONG1", "LONG2"}


def test_finished_work_keeps_its_actual_dates() -> None:
    acts = [Activity("A", 5, actual_start=START, actual_finish=date(2027, 1, 8)), Activity("B", 5)]
    net = Network(START, acts, [Link("A", "B")], status_date=date(2027, 1, 11))
    f = simulate(net, iterations=2000, seed=1, track=["A", "B"])
    assert (f.activities["A"].samples == 4).all()
    assert np.isnan(f.correlation[0])
    assert f.activities["B"].samples.std() > 0


def test_histogram_and_percentiles_agree() -> None:
    f = simulate(chain(10), iterations=5000, seed=1)
    bins = f.program.histogram(bins=20)
    assert sum(b.count for b in bins) == 5000
    assert bins[-1].cumulative == pytest.approx(1.0)
    p = f.program.percentiles()
    assert p["p10"] <= p["p50"] <= p["p80"] <= p["p90"]
    assert f.program.probability_by(p["p80"]) >= 0.8


def test_the_mean_finish_is_a_day_some_iteration_finished_on() -> None:
    # half the iterations finish on Friday 8 January, half on Monday 11 January: the mean
    # of the days (Sunday) is no finish; the nearer finish, the later of two, is
    fri_or_mon = Outcome(START, np.array([4, 7] * 50))
    assert fri_or_mon.mean() == date(2027, 1, 11)
    mostly_friday = Outcome(START, np.array([4] * 70 + [7] * 30))
    assert mostly_friday.mean() == date(2027, 1, 8)
    # on a weekday calendar every simulated finish, and so the mean, is a weekday
    week = Network(
        START, [Activity("A", 10, group="P")], [], default_calendar=WorkCalendar("1111100")
    )
    f = simulate(week, estimates={"A": Estimate(5, 10, 30)}, iterations=2000, seed=3)
    assert f.program.mean().weekday() < 5


def test_bad_inputs_are_refused_with_every_reason() -> None:
    with pytest.raises(InvalidForecast) as err:
        simulate(
            chain(2),
            estimates={"T0": Estimate(5, 3, 8)},
            iterations=0,
            distribution="normal",
            risks=[RiskEvent("R", 2, -1, ())],
        )  # type: ignore[arg-type]
    assert len(err.value.problems) == 5


def test_results_do_not_depend_on_the_number_of_worker_threads() -> None:
    net = chain(40)
    net = Network(
        START,
        [*net.activities],
        [*net.links],
        default_calendar=WorkCalendar("1111100", [date(2027, 3, 1)]),
    )
    one = simulate(net, iterations=3 * block_size(41) + 7, seed=5, workers=1)
    many = simulate(net, iterations=3 * block_size(41) + 7, seed=5, workers=3)
    assert np.array_equal(one.program.samples, many.program.samples)
    assert np.array_equal(one.criticality, many.criticality)
    assert np.array_equal(one.correlation, many.correlation, equal_nan=True)


def test_a_forecast_that_would_run_past_the_last_date_is_refused() -> None:
    # 40 tasks of about 100,000 days: over 10,000 years after 2027
    net = chain(40)
    far = {f"T{i}": Estimate(90_000, 100_000, 100_000) for i in range(40)}
    with pytest.raises(InvalidForecast, match="would finish after 9999-12-31"):
        simulate(net, estimates=far, distribution="triangular", iterations=200, seed=1)
    # the same chain within reach forecasts as usual
    near = {f"T{i}": Estimate(1, 10, 1_000) for i in range(40)}
    result = simulate(net, estimates=near, distribution="triangular", iterations=200, seed=1)
    assert result.program.percentile(90) < date(2200, 1, 1)
