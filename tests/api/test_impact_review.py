"""The impact page offers only the tasks that can still slip, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests.api.conftest import Browser, Cast
from tests.factories import make_project, make_task

pytestmark = pytest.mark.db

DAY = date(2027, 1, 4)


def test_the_chooser_leaves_out_finished_tasks_and_summaries(
    cast: Cast, db: Session, browser_as: Callable[[str], Browser]
) -> None:
    project = make_project(db, cast.program, "APP")
    summary = make_task(db, project, "APP-1", wbs="1")
    under = make_task(db, project, "APP-2", wbs="1.1", parent=summary)
    done = make_task(db, project, "APP-3", wbs="2", actual_start=DAY, actual_finish=DAY)
    full = make_task(db, project, "APP-4", wbs="3", actual_start=DAY, percent_complete=100.0)
    reached = make_task(db, project, "APP-5", wbs="4", actual_start=DAY, is_milestone=True)
    going = make_task(db, project, "APP-6", wbs="5", actual_start=DAY, percent_complete=40.0)
    waiting = make_task(db, project, "APP-7", wbs="6", is_milestone=True)
    viewer = browser_as("viewer@example.com")

    page = viewer.get(f"/programs/{cast.program.id}/impact")

    offered = {t.key for t in (under, going, waiting) if f'<option value="{t.id}"' in page}
    left_out = {t.key for t in (summary, done, full, reached) if f'<option value="{t.id}"' in page}
    assert offered == {"APP-2", "APP-6", "APP-7"}
    assert left_out == set()
    assert "Finished tasks are not listed" in page


def test_a_program_without_tasks_says_there_is_nothing_to_try(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    page = browser_as("viewer@example.com").get(f"/programs/{cast.program.id}/impact")
    assert 'data-testid="no-tasks"' in page
    assert 'data-testid="impact-form"' not in page


def test_a_summary_whose_span_moves_is_listed_apart_from_the_tasks(
    cast: Cast, db: Session, browser_as: Callable[[str], Browser]
) -> None:
    project = make_project(db, cast.program, "APP")
    summary = make_task(db, project, "APP-1", wbs="1", name="Build phase")
    under = make_task(db, project, "APP-2", wbs="1.1", parent=summary)
    slip = {"changes": [{"type": "slip", "task_id": under.id, "days": 3}]}
    impact = cast.viewer.post(f"/api/v1/programs/{cast.program.id}/impact", json=slip)
    assert impact.status_code == 200, impact.text
    body = impact.json()
    ((moved,),) = [[m["activity"]["key"] for m in p["moves"]] for p in body["by_project"]]
    assert moved == "APP-2"  # the summary is not counted as a task that moves
    (phase,) = body["summaries"]
    assert (phase["activity"]["key"], phase["finish_delta"]) == ("APP-1", 3)
    page = (
        browser_as("viewer@example.com")
        .post(
            f"/programs/{cast.program.id}/impact",
            {"task_id": str(under.id), "kind": "slip", "days": "3"},
        )
        .text
    )
    assert 'data-testid="summary-moves"' in page and "Build phase" in page
