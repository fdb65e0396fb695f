"""Benefit realization against the linear path to target, checked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from podium.engine.benefits import (
    BenefitPlan,
    Measurement,
    assess_benefit,
    expected_value,
    is_met,
    linear_path,
    path_fraction,
    realization_pct,
    trend_line,
)

# the demo's KPI: support tickets per month, 1200 → 840 over a year (365 days)
TICKETS = BenefitPlan(1200, 840, date(2027, 1, 1), date(2028, 1, 1), "down")
UPTIME = BenefitPlan(99.0, 99.9, date(2027, 1, 1), date(2027, 11, 28), "up")  # 331 days


def test_realization_reads_the_same_whichever_way_is_good() -> None:
    assert realization_pct(TICKETS, 1020) == pytest.approx(50.0)  # -180 / -360
    assert realization_pct(TICKETS, 840) == pytest.approx(100.0)
    assert realization_pct(TICKETS, 1260) == pytest.approx(
        -16.6667, abs=1e-3
    )  # worse than baseline
    assert realization_pct(TICKETS, 800) == pytest.approx(111.1111, abs=1e-3)  # beyond the target
    assert realization_pct(UPTIME, 99.45) == pytest.approx(50.0)


def test_the_linear_path_runs_from_baseline_to_target_and_holds_flat_outside() -> None:
    # 2027-07-02 is day 182 of 365: 1200 - 360 * 182 / 365 = 1020.4932
    assert path_fraction(TICKETS, date(2027, 7, 2)) == pytest.approx(182 / 365)
    assert expected_value(TICKETS, date(2027, 7, 2)) == pytest.approx(1020.4932, abs=1e-4)
    assert linear_path(
        TICKETS, [date(2026, 6, 1), date(2027, 1, 1), date(2028, 1, 1), date(2029, 1, 1)]
    ) == [1200, 1200, 840, 840]


def test_a_benefit_on_its_path_is_on_track() -> None:
    readings = [Measurement(date(2027, 4, 1), 1110)]  # day 90: path 1200 - 360*90/365 = 1111.23
    result = assess_benefit(TICKETS, readings, date(2027, 4, 15))
    assert result.state == "on_track"
    assert result.realization_pct == pytest.approx(25.0)
    assert result.expected_pct == pytest.approx(90 / 365 * 100)  # 24.66: judged on its own day
    assert result.expected_value == pytest.approx(1111.2329, abs=1e-4)
    assert result.gap_points == pytest.approx(25.0 - 24.6575, abs=1e-4)


def test_a_benefit_trailing_its_path_is_behind_then_off_track() -> None:
    # day 182: expected 49.86 %; 1100 is 27.78 % (22 points behind), 1150 is 13.9 % (36 behind)
    behind = assess_benefit(
        TICKETS, [Measurement(date(2027, 7, 2), 1100)], date(2027, 7, 2), tolerance=25
    )
    assert behind.state == "behind" and behind.gap_points == pytest.approx(-22.08, abs=0.01)
    off = assess_benefit(TICKETS, [Measurement(date(2027, 7, 2), 1150)], date(2027, 7, 2))
    assert off.state == "off_track" and off.gap_points == pytest.approx(-35.97, abs=0.01)


def test_only_readings_up_to_the_day_count_and_met_wins() -> None:
    readings = [Measurement(date(2027, 3, 1), 1180), Measurement(date(2027, 9, 1), 830)]
    early = assess_benefit(TICKETS, readings, date(2027, 5, 1))
    assert early.latest == Measurement(date(2027, 3, 1), 1180)
    assert assess_benefit(TICKETS, readings, date(2027, 9, 1)).state == "met"
    assert is_met(TICKETS, 840) and not is_met(TICKETS, 841)
    assert is_met(UPTIME, 99.9) and not is_met(UPTIME, 99.8)


def test_no_readings_means_no_data() -> None:
    result = assess_benefit(TICKETS, [], date(2027, 7, 2))
    assert result.state == "no_data" and result.realization_pct is None
    assert result.expected_pct == pytest.approx(182 / 365 * 100)


def test_the_trend_is_the_least_squares_line_projected_to_the_target_date() -> None:
    # 30 tickets fewer every 30 days from 1200: the line is exact
    readings = [
        Measurement(date(2027, 1, 1), 1200),
        Measurement(date(2027, 1, 31), 1170),
        Measurement(date(2027, 3, 2), 1140),
    ]
    slope, intercept, _origin = trend_line(readings) or (0, 0, None)
    assert slope == pytest.approx(-1.0) and intercept == pytest.approx(1200)
    result = assess_benefit(TICKETS, readings, date(2027, 3, 2))
    assert result.trend_at_target == pytest.approx(1200 - 365)  # 835 by 2028-01-01
    assert result.trend_pct_at_target == pytest.approx(365 / 360 * 100)
    # the line a chart draws: from the first reading it is fitted from
    assert result.trend_from == date(2027, 1, 1) and result.trend_at_from == pytest.approx(1200)
    assert trend_line(readings[:1]) is None


def test_readings_before_the_baseline_date_are_neither_judged_nor_part_of_the_trend() -> None:
    # the old normal, 1500 and 1260 tickets before the program's baseline date (2027-01-01):
    # 1260 would be -16.7 % realized, 16.7 points behind a path at 0 %: off track
    old = [Measurement(date(2026, 6, 1), 1500), Measurement(date(2026, 11, 1), 1260)]
    waiting = assess_benefit(TICKETS, old, date(2026, 12, 1))
    assert (waiting.state, waiting.latest, waiting.realization_pct) == ("no_data", None, None)
    assert waiting.gap_points is None and waiting.expected_pct == 0.0
    assert waiting.before_baseline == Measurement(date(2026, 11, 1), 1260)
    assert (waiting.trend_at_target, waiting.trend_from) == (None, None)  # not 1500 → 1260
    # one reading since: judged on it (25 % against 24.66 %), still no trend of two
    started = assess_benefit(TICKETS, [*old, Measurement(date(2027, 4, 1), 1110)], date(2027, 4, 2))
    assert started.state == "on_track" and started.realization_pct == pytest.approx(25.0)
    assert started.latest == Measurement(date(2027, 4, 1), 1110)
    assert started.trend_at_target is None and started.trend_pct_at_target is None


@pytest.mark.parametrize(
    ("plan", "problem"),
    [
        (BenefitPlan(10, 10, date(2027, 1, 1), date(2028, 1, 1), "up"), "must differ"),
        (BenefitPlan(1200, 840, date(2027, 1, 1), date(2028, 1, 1), "up"), "direction says up"),
        (BenefitPlan(1, 2, date(2027, 1, 1), date(2027, 1, 1), "up"), "after the baseline date"),
    ],
)
def test_a_plan_that_cannot_be_measured_says_why(plan: BenefitPlan, problem: str) -> None:
    assert any(problem in p for p in plan.problems())
    assert TICKETS.problems() == []


# --- the health rule: a benefit off its path ----------------------------------------


def _program_health(*benefits: object, rules: object = None):  # type: ignore[no-untyped-def]
    from podium.engine.health import (
        HealthInput,
        ProgramFacts,
        ProjectFacts,
        Ref,
        RuleSet,
        TaskFacts,
        assess_health,
    )

    facts = HealthInput(
        ProgramFacts(Ref("program", 1, "CLOUD")),
        projects=[ProjectFacts(Ref("project", 1, "PLAT"))],
        tasks=[TaskFacts(Ref("task", 1, "PLAT-1"), "PLAT")],  # a plan to be on
        benefits=benefits,  # type: ignore[arg-type]
    )
    return assess_health(facts, rules or RuleSet()).program  # type: ignore[arg-type]


def test_a_benefit_more_than_10_points_behind_its_path_turns_the_program_amber() -> None:
    from podium.engine.health import BenefitFacts, Ref

    ref = Ref("benefit", 7, "support tickets per month")
    assert _program_health(BenefitFacts(ref, realization_pct=40, expected_pct=50)).status == "green"
    amber = _program_health(
        BenefitFacts(ref, realization_pct=39, expected_pct=50, measured_on=date(2027, 7, 2))
    )
    assert amber.status == "amber"
    (reason,) = amber.reasons
    assert reason.rule == "benefit_off_track" and reason.ref == ref
    assert reason.value == pytest.approx(11) and reason.limit == 10
    assert reason.message == (
        "amber because benefit support tickets per month is 11 points behind its path to "
        "target: 39 % realized on 2027-07-02, 50 % expected (more than 10 behind)"
    )


def test_a_benefit_more_than_25_points_behind_turns_it_red_and_the_limits_are_tunable() -> None:
    from podium.engine.health import BenefitFacts, Ref, RuleSet

    facts = BenefitFacts(Ref("benefit", 7, "tickets"), realization_pct=20, expected_pct=46)
    assert _program_health(facts).status == "red"
    tuned = RuleSet.from_json({"rules": {"benefit_off_track": {"red_behind_points": 30}}})
    assert _program_health(facts, rules=tuned).status == "amber"
    off = RuleSet.from_json({"rules": {"benefit_off_track": {"enabled": False}}})
    assert _program_health(facts, rules=off).status == "green"
