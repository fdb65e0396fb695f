"""A program milestone whose work is all done sits where that work finished, not on the
status date: its forecast, slip, the program finish and its slip alert follow.

The program, computed by hand (Monday-Friday, start Monday 2027-01-04):

* PLAT-1 (project PLAT), 5 days, done 2027-01-04 … Friday 2027-01-08;
* TRAIN-1 (project TRAIN), 3 days, started Monday 2027-01-11, done Thursday 2027-01-14
  (a day later than planned);
* M1 "Pilot done", FS after both, target Friday 2027-01-15;
* status date Thursday 2027-01-21, a week after the work finished.

M1 is reached on Thursday 2027-01-14, one working day ahead of its target; so does the
program finish. Held to the status date it would read 2027-01-21, four working days
(18, 19, 20, 21 January) past the target, with its slip alert open.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Alert, AlertKind, Milestone, Program, User
from podium.services import milestones, programs, projects
from podium.services.actor import SYSTEM
from podium.services.dependencies import EndRef, create_dependency
from podium.services.scheduling.views import program_schedule
from podium.services.tasks.writing import create_task, update_task
from podium.services.uow import complete
from tests.factories import ApiUser, api_as, make_program, make_user

STATUS = date(2027, 1, 21)
TARGET = date(2027, 1, 15)
WORK_DONE = date(2027, 1, 14)


@dataclass
class Pilot:
    program_id: int
    milestone_id: int
    train_id: int


def _build(db: Session, *, owner: User | None = None) -> Pilot:
    """The program above with TRAIN-1 still under way (half done) on the status date."""
    program = make_program(db, owner=owner, key="PILOT", status_date=STATUS)
    plat = projects.create_project(db, SYSTEM, program_id=program.id, key="PLAT", name="Platform")
    train = projects.create_project(db, SYSTEM, program_id=program.id, key="TRAIN", name="Training")
    setup = create_task(
        db,
        SYSTEM,
        project_id=plat.id,
        name="Set up",
        key="PLAT-1",
        duration=5,
        actual_start=date(2027, 1, 4),
        actual_finish=date(2027, 1, 8),
    )
    course = create_task(
        db,
        SYSTEM,
        project_id=train.id,
        name="Course",
        key="TRAIN-1",
        duration=3,
        actual_start=date(2027, 1, 11),
        percent_complete=50,
    )
    pilot = milestones.create_milestone(
        db, SYSTEM, program_id=program.id, name="Pilot done", key="M1", target_date=TARGET
    )
    for task in (setup, course):
        create_dependency(
            db, SYSTEM, predecessor=EndRef("task", task.id), successor=EndRef("milestone", pilot.id)
        )
    complete(db)
    return Pilot(program.id, pilot.id, course.id)


def _target_alerts(db: Session, pilot: Pilot) -> list[Alert]:
    db.expire_all()
    return list(
        db.scalars(
            select(Alert).where(
                Alert.program_id == pilot.program_id,
                Alert.kind == AlertKind.MILESTONE_TARGET_MISSED,
                Alert.subject_type == "milestone",
                Alert.subject_id == pilot.milestone_id,
            )
        )
    )


def test_a_milestone_whose_work_is_done_sits_on_its_last_finish_not_the_status_date(
    db: Session,
) -> None:
    pilot = _build(db)
    # under way: its remaining two days run from the status date, Thursday and Friday
    before = program_schedule(db, SYSTEM, pilot.program_id)
    assert [(m.forecast, m.slip) for m in before.milestones] == [(date(2027, 1, 22), 5)]
    [open_alert] = _target_alerts(db, pilot)
    assert open_alert.resolved_at is None

    update_task(db, SYSTEM, pilot.train_id, {"actual_finish": WORK_DONE})
    complete(db)

    after = program_schedule(db, SYSTEM, pilot.program_id)
    [m1] = after.milestones
    assert (m1.forecast, m1.slip, m1.total_float) == (WORK_DONE, -1, 0)
    assert after.finish == WORK_DONE
    assert after.critical_path == []  # the work is done: nothing left drives the finish
    milestone = db.get(Milestone, pilot.milestone_id)
    program = db.get(Program, pilot.program_id)
    assert milestone is not None and program is not None
    assert (milestone.early_start, milestone.early_finish) == (WORK_DONE, WORK_DONE)
    assert (milestone.late_finish, milestone.is_critical) == (WORK_DONE, False)
    assert program.scheduled_finish == WORK_DONE
    [resolved] = _target_alerts(db, pilot)
    assert resolved.id == open_alert.id and resolved.resolved_at is not None


def test_a_milestone_reached_late_keeps_its_slip_as_it_happened(db: Session) -> None:
    pilot = _build(db)
    milestones.update_milestone(db, SYSTEM, pilot.milestone_id, {"target_date": date(2027, 1, 12)})
    update_task(db, SYSTEM, pilot.train_id, {"actual_finish": WORK_DONE})
    complete(db)

    [m1] = program_schedule(db, SYSTEM, pilot.program_id).milestones
    assert (m1.forecast, m1.slip) == (WORK_DONE, 2)  # 13 and 14 January, not 7 days
    [alert] = _target_alerts(db, pilot)
    assert alert.resolved_at is None
    assert alert.details["forecast"] == WORK_DONE.isoformat()
    assert alert.details["days_late"] == 2
    assert alert.title == "Milestone M1 Pilot done was reached 2 working days past its target"
    assert alert.message == "reached 2027-01-14, target 2027-01-12"


def test_a_milestone_with_work_left_stays_after_the_status_date(db: Session) -> None:
    pilot = _build(db)
    programs.update_program(db, SYSTEM, pilot.program_id, {"status_date": date(2027, 1, 28)})
    complete(db)

    # TRAIN-1 is still half done: its two days left run Thursday 28 and Friday 29
    [m1] = program_schedule(db, SYSTEM, pilot.program_id).milestones
    assert (m1.forecast, m1.slip) == (date(2027, 1, 29), 10)
    assert _target_alerts(db, pilot)[0].resolved_at is None


# --- through the API --------------------------------------------------------------


@pytest.fixture
def owner_api(app_client: TestClient, db: Session) -> Iterator[ApiUser]:
    yield api_as(app_client, db, make_user(db, email="pilot-owner@example.com"))


def _get(api: ApiUser, url: str) -> Any:
    response = api.get(url)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_api_reads_the_reached_milestone_on_its_last_finish(
    db: Session, owner_api: ApiUser
) -> None:
    pilot = _build(db, owner=owner_api.user)
    base = f"/api/v1/programs/{pilot.program_id}"
    assert _get(owner_api, f"{base}/alerts")["total"] == 1

    task = _get(owner_api, f"/api/v1/tasks/{pilot.train_id}")
    response = owner_api.patch(
        f"/api/v1/tasks/{pilot.train_id}",
        json={"actual_finish": WORK_DONE.isoformat()},
        headers={"If-Match": f'"{task["version"]}"'},
    )
    assert response.status_code == 200, response.text

    schedule = _get(owner_api, f"{base}/schedule")
    assert schedule["finish"] == WORK_DONE.isoformat()
    assert [
        (m["milestone"]["key"], m["forecast"], m["slip"], m["total_float"])
        for m in schedule["milestones"]
    ] == [("M1", WORK_DONE.isoformat(), -1, 0)]
    m1 = _get(owner_api, f"/api/v1/milestones/{pilot.milestone_id}")
    assert (m1["forecast"], m1["slip"], m1["state"]) == (WORK_DONE.isoformat(), -1, "reached")
    program = _get(owner_api, base)
    assert program["scheduled_finish"] == WORK_DONE.isoformat()
    assert _get(owner_api, f"{base}/alerts")["total"] == 0
    [resolved] = _get(owner_api, f"{base}/alerts?status=resolved")["items"]
    assert resolved["kind"] == "milestone_target_missed"
    assert resolved["subject_id"] == pilot.milestone_id
