"""The optimizing solver on a resource shared by a task that pauses for another resource's
time off (Mon 2027-01-04 start, Mon-Fri): its stricter model finds nothing better than the
heuristic, which is no defect of Podium's."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from podium.engine.calendar import less_time_off
from podium.engine.leveling import Assignment, Resource, check_leveling, level_optimal
from tests.unit.engine_factories import WEEKDAYS, network, task


def test_work_placed_in_a_pause_is_kept_without_calling_the_solver_broken(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # X needs Ana and the bench for 4 days; Ana is away Wednesday 6 to Friday 8, so X
    # works Mon 4, Tue 5, Mon 11 and Tue 12, and the bench is free in between: Y (3 days
    # on the bench) fits there. The solver books the bench through X's pause, so no plan
    # of its model ends by Tuesday 12: it keeps the heuristic's, found nothing better.
    ana = Resource("ana", 1.0, less_time_off(WEEKDAYS, [(date(2027, 1, 6), date(2027, 1, 8))]))
    bench = Resource("bench", 1.0)
    net = network(task("X", 4), task("Y", 3))
    work = [Assignment("X", "ana"), Assignment("X", "bench"), Assignment("Y", "bench")]
    with caplog.at_level(logging.ERROR):
        result = level_optimal(net, [ana, bench], work, time_limit=2.0)
    assert [r.levelname for r in caplog.records] == []
    assert "defect" not in result.status and "failed" not in result.status
    assert (result["Y"].start, result["Y"].finish) == (date(2027, 1, 6), date(2027, 1, 8))
    assert result.makespan == 7
    assert check_leveling(net, [ana, bench], work, result) == []
