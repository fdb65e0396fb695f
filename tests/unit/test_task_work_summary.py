"""What the task page and the commands say about a task's work: the work given for it
against what its whole working days plan, in each case."""

from __future__ import annotations

import pytest

from podium.services.resources.effort import TaskWork


def work(**fields: object) -> TaskWork:
    defaults: dict[str, object] = {
        "effort_driven": True,
        "started": False,
        "given": 80.0,
        "per_day": 12.0,
        "duration": 7,
        "planned": 84.0,
    }
    return TaskWork(**{**defaults, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("case", "said"),
    [
        (work(), "80 h of work given for the task: at 12 h a day that takes 6.67 days, "
                 "rounded up to 7 working days, so 84 h planned."),
        (work(per_day=8.0, duration=10, planned=80.0),
         "80 h of work given for the task: at 8 h a day that takes 10 working days, so 80 h "
         "planned."),
        (work(started=True), "80 h of work given for the task; it has started, so its "
                             "duration (7 working days) is its own now: 84 h planned."),
        (work(effort_driven=False, duration=3, planned=36.0),
         "80 h of work given for the task is kept for when it becomes effort-driven; its "
         "duration (3 working days) drives the work now: 36 h planned."),
        (work(given=None, duration=1, planned=12.0),
         "No work is given yet, so its duration (1 working day) sets the work: 12 h planned. "
         "Work given on an assignment would set the duration."),
        (work(effort_driven=False, given=None), None),
        (work(given=None, per_day=0.0, planned=0.0), None),
    ],
)  # fmt: skip
def test_a_task_says_what_was_given_and_what_its_whole_days_plan(
    case: TaskWork, said: str | None
) -> None:
    assert case.summary() == said
    assert case.drives == (case.effort_driven and not case.started and case.given is not None)
