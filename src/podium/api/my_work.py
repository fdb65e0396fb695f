"""A person's work: the tasks assigned to them across their programs (``/users/…/tasks``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from podium.api.deps import CurrentActor, Db
from podium.api.schemas import ERROR_RESPONSES, PathId
from podium.services import my_work
from podium.services.common import today

router = APIRouter(tags=["users"], responses=ERROR_RESPONSES)

On = Annotated[
    date | None,
    Query(description="the day the states are judged on (default: today)"),
]


class WorkItemOut(BaseModel):
    """One task of the person's, read from :class:`podium.services.my_work.WorkItem`."""

    model_config = ConfigDict(from_attributes=True)

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
        items=[WorkItemOut.model_validate(item) for item in work.items],
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
def user_tasks(user_id: PathId, db: Db, actor: CurrentActor, on: On = None) -> WorkOut:
    return _out(my_work.work_of(db, actor, user_id=user_id, on=on or today()))
