"""A resource's load strip draws every week, a row of weeks without any work included."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from podium.db import session_factory
from podium.models import Assignment, ConstraintType
from podium.services.actor import SYSTEM
from podium.services.resources import catalog
from podium.services.uow import complete
from tests.browser.conftest import screenshot
from tests.browser.work_plan import WorkPeople
from tests.factories import make_program, make_project, make_task

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]
_numbers = itertools.count(1)


def _booked_a_year_apart(engine: Engine) -> int:
    """A person on a week of work in January 2027 and another in January 2028, nothing
    between (the strip's whole second and third rows); the person's id."""
    db = session_factory(engine)()
    try:
        n = next(_numbers)
        program = make_program(db, key=f"GAP{n}", start_date=date(2027, 1, 4))
        project = make_project(db, program, "RUN")
        person = catalog.create_resource(db, SYSTEM, key=f"lea-{n}", name=f"Lea Roth {n}")
        for key, start, finish in (
            ("RUN-1", date(2027, 1, 4), date(2027, 1, 8)),
            ("RUN-2", date(2028, 1, 3), date(2028, 1, 7)),
        ):
            task = make_task(
                db,
                project,
                key,
                duration=5,
                constraint_type=ConstraintType.SNET,
                constraint_date=start,
                early_start=start,
                early_finish=finish,
            )
            db.add(Assignment(program_id=program.id, task_id=task.id, resource_id=person.id))
        complete(db)
        return person.id
    finally:
        db.close()


def test_weeks_without_work_keep_their_box_when_a_whole_row_has_none(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    console_errors: Callable[[Page], list[str]],
) -> None:
    lea = _booked_a_year_apart(web_engine)
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    page.goto(f"/resources/{lea}")
    strip = page.get_by_test_id("load-strip")
    expect(strip.locator("li.rs-l-empty").first).to_be_visible()
    boxes = strip.locator("li .rs-pct").evaluate_all(
        "spans => spans.map(s => Math.round(s.getBoundingClientRect().height))"
    )
    assert len(boxes) > 50  # a year of weeks, in several rows
    # a week without work is drawn as tall as a week with some, whichever row it is in
    assert min(boxes) > 0 and len(set(boxes)) == 1, boxes
    screenshot(page, "resource-strip-gap.png", full_page=True)
