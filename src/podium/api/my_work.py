"""A person's work: the tasks assigned to them across their programs (``/users/…/tasks``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from podium.api.deps import CurrentActor, Db
from podium.api.schemas import ERROR_RESPONSES
from podium.services import my_work
from podium.services.common import today

router = APIRouter(tags=["users"], responses=ERROR_RESPONSES)

On = Annotated[
    date | None,
    Query(description="the day the states are judged on (default: today)"),
]


class WorkItemOut(BaseModel):
    task_id: int
    key: str
    name: str
    version: int = Field(description="send it back as If-Match when reporting progress")
    program_id: int
    program_key: str
    program_name: str
    program_on_hold: bool
    project_id: int
    project_key: str
    project_name: str
    early_start: date | None
    early_finish: date | None
    total_float: int | None = Field(description="working days")
    is_critical: bool
    deadline: date | None
    actual_start: date | None
    actual_finish: date | None
    percent_complete: float
    units: float = Field(description="the person's share of the task (1.0 = full time)")
    role: str = Field(description="the person's role in the task's program")
    can_report: bool = Field(description="whether that role may report progress (member and up)")
    state: my_work.State = Field(
        description="late, in_progress, next (starts within 14 days), later, or finished "
        "(within the last 14 days)"
    )
    should_have_started: bool = Field(description="not started; scheduled to start before `on`")


class WorkOut(BaseModel):
    user_id: int
    email: str
    on: date
    counts: dict[str, int] = Field(description="tasks in each state")
    items: list[WorkItemOut] = Field(description="late first, then in progress, next, later")


def _out(work: my_work.Work) -> WorkOut:
    return WorkOut(
        user_id=work.user.id,
        email=work.user.email,
        on=work.on,
        counts=dict(work.counts()),
        items=[
            WorkItemOut(
                task_id=i.task_id,
                key=i.key,
                name=i.name,
                version=i.version,
                program_id=i.program_id,
                program_key=i.program_key,
                program_name=i.program_name,
                program_on_hold=i.program_on_hold,
                project_id=i.project_id,
                project_key=i.project_key,
                project_name=i.project_name,
                early_start=i.early_start,
                early_finish=i.early_finish,
                total_float=i.total_float,
                is_critical=i.is_critical,
                deadline=i.deadline,
                actual_start=i.actual_start,
                actual_finish=i.actual_finish,
                percent_complete=i.percent_complete,
                units=i.units,
                role=i.role.value,
                can_report=i.can_report,
                state=i.state,
                should_have_started=i.should_have_started,
            )
            for i in work.items
        ],
    )


@router.get(
    "/users/me/tasks",
    response_model=WorkOut,
    summary="Your work: the tasks assigned to you across your programs",
)
def my_tasks(db: Db, actor: CurrentActor, on: On = None) -> WorkOut:
    return _out(my_work.work_of(db, actor, on=on or today()))


@router.get(
    "/users/{user_id}/tasks",
    response_model=WorkOut,
    summary="A person's work (admins; everyone else: their own)",
)
def user_tasks(user_id: int, db: Db, actor: CurrentActor, on: On = None) -> WorkOut:
    return _out(my_work.work_of(db, actor, user_id=user_id, on=on or today()))
