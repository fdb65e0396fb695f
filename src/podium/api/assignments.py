"""Assignments API: a resource's units on a task, with its work in hours and its cost.

Work given (``work_hours``) is the task's: on an effort-driven task the work given on
all its assignments sets its duration (rounded up to whole working days); on a
duration-driven task it is kept for when the task becomes effort-driven, and the
duration drives the work meanwhile. Taking a resource off a task passes the work given
on it to the people still on the task.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field, field_validator

from podium.api.dependencies import DbId, IdFilter, NoNul, refuse_null
from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, set_etag
from podium.api.schemas import ERROR_RESPONSES, PageOut, PathId, Strict
from podium.errors import ValidationFailed
from podium.services.resources import assignments
from podium.services.resources.assignments import MAX_UNITS, MIN_UNITS, AssignmentView

router = APIRouter(tags=["assignments"], responses=ERROR_RESPONSES)

# strict: a JSON true is no number of units or hours
Units = Annotated[float, Field(ge=MIN_UNITS, le=MAX_UNITS, allow_inf_nan=False, strict=True)]
WorkHours = Annotated[float, Field(gt=0, le=10_000_000, allow_inf_nan=False, strict=True)]
UNITS_DOC = "per working day of the task (0.5 = half), from 0.01 (1 %)"
WORK_DOC = (
    "work given for the task, in hours (more than 0): on an effort-driven task the work "
    "given on all its assignments sets its duration; on a duration-driven task it is kept "
    "for when the task becomes effort-driven, and the duration drives the work meanwhile"
)


class AssignmentCreate(Strict):
    task_id: DbId
    resource_id: DbId
    units: Units = Field(default=1.0, description=UNITS_DOC)
    work_hours: WorkHours | None = Field(default=None, description=WORK_DOC)
    notes: Annotated[str, NoNul] = Field(default="", max_length=500)


class AssignmentUpdate(Strict):
    """Only the fields sent change; ``work_hours: null`` removes the given work."""

    units: Units | None = Field(default=None, description=UNITS_DOC)
    work_hours: WorkHours | None = Field(default=None, description=WORK_DOC)
    notes: Annotated[str | None, NoNul] = Field(default=None, max_length=500)

    _not_null = field_validator("units", "notes")(refuse_null)


class AssignmentOut(BaseModel):
    id: int
    program_id: int
    task_id: int
    task_key: str
    task_name: str
    resource_id: int
    resource_key: str
    resource_name: str
    units: float
    work_hours: float = Field(
        description="planned hours: the task's working days x units x hours per day"
    )
    given_work_hours: float | None = Field(
        description="the work given on the assignment, if any: its part of the task's work "
        "given (it sets an effort-driven task's duration; see work_hours above for the hours "
        "planned over the whole working days)"
    )
    cost: float = Field(description="planned hours x the resource's cost rate")
    notes: str
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: AssignmentView) -> AssignmentOut:
        a, t, r = view.assignment, view.task, view.resource
        return cls(
            id=a.id,
            program_id=a.program_id,
            task_id=t.id,
            task_key=t.key,
            task_name=t.name,
            resource_id=r.id,
            resource_key=r.key,
            resource_name=r.name,
            units=a.units,
            work_hours=view.work_hours,
            given_work_hours=a.work_hours,
            cost=view.cost,
            notes=a.notes,
            version=a.version,
            created_at=a.created_at,
            updated_at=a.updated_at,
        )


def _page(db: Db, actor: CurrentActor, page: Page, **filters: int | None) -> PageOut[AssignmentOut]:
    views, total = assignments.page_assignments(
        db, actor, limit=page.limit, offset=page.offset, **filters
    )
    return PageOut(
        items=[AssignmentOut.of(v) for v in views],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/assignments",
    response_model=PageOut[AssignmentOut],
    summary="Assignments of a program, a task or a resource (at least one filter)",
)
def list_assignments(
    db: Db,
    actor: CurrentActor,
    page: Page,
    program_id: IdFilter = None,
    task_id: IdFilter = None,
    resource_id: IdFilter = None,
) -> PageOut[AssignmentOut]:
    if program_id is None and task_id is None and resource_id is None:
        raise ValidationFailed(
            "give program_id, task_id or resource_id",
            details=[
                {"field": name, "message": "one of program_id, task_id, resource_id is required"}
                for name in ("program_id", "task_id", "resource_id")
            ],
        )
    return _page(db, actor, page, program_id=program_id, task_id=task_id, resource_id=resource_id)


@router.post(
    "/assignments",
    response_model=AssignmentOut,
    status_code=status.HTTP_201_CREATED,
    summary="Put a resource on a task (manager of the task's program)",
)
def create_assignment(
    body: AssignmentCreate, db: Db, actor: CurrentActor, response: Response
) -> AssignmentOut:
    assignment = assignments.create_assignment(db, actor, **body.model_dump())
    commit(db)
    set_etag(response, assignment.version)
    return AssignmentOut.of(assignments.describe(db, assignment))


@router.get("/assignments/{assignment_id}", response_model=AssignmentOut)
def get_assignment(
    assignment_id: PathId, db: Db, actor: CurrentActor, response: Response
) -> AssignmentOut:
    assignment = assignments.get_assignment(db, actor, assignment_id)
    set_etag(response, assignment.version)
    return AssignmentOut.of(assignments.describe(db, assignment))


@router.patch(
    "/assignments/{assignment_id}",
    response_model=AssignmentOut,
    summary="Change an assignment's units, work or notes (manager)",
)
def update_assignment(
    assignment_id: PathId,
    body: AssignmentUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> AssignmentOut:
    assignment = assignments.update_assignment(
        db, actor, assignment_id, body.model_dump(exclude_unset=True), expected_version=version
    )
    commit(db)
    set_etag(response, assignment.version)
    return AssignmentOut.of(assignments.describe(db, assignment))


@router.delete(
    "/assignments/{assignment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Take a resource off a task (manager)",
    description="Work given on the assignment stays with the task: the people still on it "
    "take it, in proportion to the hours each puts in a day, so an effort-driven task keeps "
    "its total work (and lasts longer with fewer people).",
)
def delete_assignment(
    assignment_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion
) -> Response:
    assignments.delete_assignment(db, actor, assignment_id, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/tasks/{task_id}/assignments",
    response_model=PageOut[AssignmentOut],
    summary="The resources on a task",
)
def list_task_assignments(
    task_id: PathId, db: Db, actor: CurrentActor, page: Page
) -> PageOut[AssignmentOut]:
    return _page(db, actor, page, task_id=task_id)


@router.get(
    "/resources/{resource_id}/assignments",
    response_model=PageOut[AssignmentOut],
    summary="A resource's assignments in the programs you see",
)
def list_resource_assignments(
    resource_id: PathId, db: Db, actor: CurrentActor, page: Page
) -> PageOut[AssignmentOut]:
    return _page(db, actor, page, resource_id=resource_id)
