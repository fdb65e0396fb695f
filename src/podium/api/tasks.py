"""Tasks: the WBS of each project — list, create, read, change, move, delete."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field, field_validator

from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, set_etag
from podium.api.projects import MAX_INT, Id, IdFilter, SearchText, Text, refuse_null
from podium.api.schemas import ERROR_RESPONSES, Out, PageOut, PathId, Strict
from podium.engine.network import MAX_DURATION
from podium.models import ConstraintType, Task
from podium.services import tasks
from podium.services.tasks import TaskView
from podium.services.tasks.rollup import shown_values

router = APIRouter(prefix="/tasks", tags=["tasks"], responses=ERROR_RESPONSES)

TASK_KEY_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$"
MAX_DAYS = MAX_DURATION
ESTIMATE_PARTS = ("optimistic", "most_likely", "pessimistic")

Days = Annotated[float, Field(ge=0, le=MAX_DAYS, allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]

EFFORT_DRIVEN_DOC = "the duration follows from the work given on its assignments"
LEVELED_START_DOC = "leveling hold: starts no earlier than this day (set by leveling)"


class EstimateIn(Strict):
    """A three-point estimate in working days: optimistic ≤ most likely ≤ pessimistic."""

    optimistic: Days
    most_likely: Days
    pessimistic: Days


class EstimateOut(BaseModel):
    optimistic: float
    most_likely: float
    pessimistic: float


class TaskCreate(Strict):
    project_id: Id
    parent_id: Id | None = Field(default=None, description="a task of the same project")
    position: int | None = Field(
        default=None, ge=0, le=MAX_INT, description="among siblings; default last"
    )
    key: str | None = Field(
        default=None,
        pattern=TASK_KEY_PATTERN,
        description="unique in the program; default PROJECT-n",
    )
    name: Text = Field(min_length=1, max_length=300)
    description: Text = Field(default="", max_length=10000)
    duration: int | None = Field(
        default=None, ge=0, le=MAX_DAYS, description="working days; default 1, or 0 for a milestone"
    )
    is_milestone: bool = False
    calendar_id: Id | None = None
    constraint_type: ConstraintType = ConstraintType.ASAP
    constraint_date: date | None = Field(
        default=None, description="required unless constraint_type is asap"
    )
    deadline: date | None = None
    actual_start: date | None = None
    actual_finish: date | None = Field(default=None, description="implies percent_complete 100")
    percent_complete: Percent = Field(default=0, description="100 needs an actual_finish")
    estimate: EstimateIn | None = None
    budget: float = Field(default=0, ge=0, le=1e12, description="planned cost (money)")
    actual_cost: float = Field(default=0, ge=0, le=1e12, description="cost incurred so far")
    effort_driven: bool = Field(default=False, description=EFFORT_DRIVEN_DOC)
    leveled_start: date | None = Field(default=None, description=LEVELED_START_DOC)


class TaskUpdate(Strict):
    """Only the fields sent change; members may change only the progress fields."""

    parent_id: Id | None = Field(default=None, description="moves the task (null: top level)")
    position: int | None = Field(default=None, ge=0, le=MAX_INT)
    key: str | None = Field(default=None, pattern=TASK_KEY_PATTERN)
    name: Text | None = Field(default=None, min_length=1, max_length=300)
    description: Text | None = Field(default=None, max_length=10000)
    duration: int | None = Field(default=None, ge=0, le=MAX_DAYS)
    is_milestone: bool | None = None
    calendar_id: Id | None = None
    constraint_type: ConstraintType | None = None
    constraint_date: date | None = None
    deadline: date | None = None
    actual_start: date | None = None
    actual_finish: date | None = None
    percent_complete: Percent | None = None
    estimate: EstimateIn | None = Field(default=None, description="null removes the estimate")
    budget: float | None = Field(default=None, ge=0, le=1e12, description="planned cost (money)")
    actual_cost: float | None = Field(
        default=None, ge=0, le=1e12, description="cost incurred so far (members may report it)"
    )
    effort_driven: bool | None = Field(default=None, description=EFFORT_DRIVEN_DOC)
    leveled_start: date | None = Field(
        default=None, description=LEVELED_START_DOC + " (null removes the hold)"
    )

    _not_null = field_validator(
        "position",
        "key",
        "name",
        "description",
        "duration",
        "is_milestone",
        "constraint_type",
        "percent_complete",
        "budget",
        "actual_cost",
        "effort_driven",
    )(refuse_null)


class MoveIn(Strict):
    parent_id: Id | None = Field(description="the new parent, or null for the top level")
    position: int | None = Field(
        default=None, ge=0, le=MAX_INT, description="among the new siblings; default last"
    )


SCHEDULED_DOCS = {
    "early_start": "computed: earliest first working day",
    "early_finish": "computed: earliest last working day",
    "late_start": "computed: latest start that keeps the program finish",
    "late_finish": "computed: latest finish that keeps the program finish",
    "total_float": "computed: working days it can slip without moving the program finish",
    "free_float": "computed: working days it can slip without moving any successor",
    "is_critical": "computed: on a critical path (no float)",
}


SUMMARY_DOC = (
    "has sub-tasks: its duration, actual_start, actual_finish, percent_complete, budget "
    "and actual_cost are then rolled up from the leaf tasks below it (read-only; the "
    "duration is the working days from early_start to early_finish, the percent complete "
    "weighted by duration, the costs summed)"
)


class TaskOut(Out):
    """A task as read; a summary's progress, duration and costs roll up from its sub-tasks."""

    id: int
    program_id: int
    project_id: int
    project_key: str
    parent_id: int | None
    key: str
    wbs: str = Field(description="outline number in the project, like 1.2.3 (read-only)")
    position: int
    is_summary: bool = Field(description=SUMMARY_DOC)
    name: str
    description: str
    duration: int = Field(description="working days (a summary: the span of its sub-tasks)")
    is_milestone: bool
    calendar_id: int | None
    constraint_type: ConstraintType
    constraint_date: date | None
    deadline: date | None
    actual_start: date | None
    actual_finish: date | None
    percent_complete: float
    estimate: EstimateOut | None
    budget: float = Field(description="planned cost (money)")
    actual_cost: float = Field(description="cost incurred so far (money)")
    effort_driven: bool = Field(description=EFFORT_DRIVEN_DOC)
    leveled_start: date | None = Field(description=LEVELED_START_DOC)
    early_start: date | None = Field(description=SCHEDULED_DOCS["early_start"])
    early_finish: date | None = Field(description=SCHEDULED_DOCS["early_finish"])
    late_start: date | None = Field(description=SCHEDULED_DOCS["late_start"])
    late_finish: date | None = Field(description=SCHEDULED_DOCS["late_finish"])
    total_float: int | None = Field(description=SCHEDULED_DOCS["total_float"])
    free_float: int | None = Field(description=SCHEDULED_DOCS["free_float"])
    is_critical: bool = Field(description=SCHEDULED_DOCS["is_critical"])
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: TaskView) -> TaskOut:
        t = view.task
        shown = shown_values(t, view.rolled)
        estimate = None
        if (
            t.estimate_optimistic is not None
            and t.estimate_most_likely is not None
            and t.estimate_pessimistic is not None
        ):
            estimate = EstimateOut(
                optimistic=t.estimate_optimistic,
                most_likely=t.estimate_most_likely,
                pessimistic=t.estimate_pessimistic,
            )
        return cls(
            id=t.id,
            program_id=t.program_id,
            project_id=t.project_id,
            project_key=view.project_key,
            parent_id=t.parent_id,
            key=t.key,
            wbs=t.wbs,
            position=t.position,
            is_summary=view.is_summary,
            name=t.name,
            description=t.description,
            duration=shown["duration"],
            is_milestone=t.is_milestone,
            calendar_id=t.calendar_id,
            constraint_type=t.constraint_type,
            constraint_date=t.constraint_date,
            deadline=t.deadline,
            actual_start=shown["actual_start"],
            actual_finish=shown["actual_finish"],
            percent_complete=shown["percent_complete"],
            early_start=t.early_start,
            early_finish=t.early_finish,
            late_start=t.late_start,
            late_finish=t.late_finish,
            total_float=t.total_float,
            free_float=t.free_float,
            is_critical=t.is_critical,
            estimate=estimate,
            budget=shown["budget"],
            actual_cost=shown["actual_cost"],
            effort_driven=t.effort_driven,
            leveled_start=t.leveled_start,
            version=t.version,
            created_at=t.created_at,
            updated_at=t.updated_at,
        )


def _task_fields(body: TaskCreate | TaskUpdate, *, partial: bool) -> dict[str, Any]:
    """The body as task fields: ``estimate`` becomes the three ``estimate_*`` fields."""
    data = body.model_dump(exclude_unset=partial, exclude={"estimate"})
    if not partial and "percent_complete" not in body.model_fields_set:
        # left to the service, so that an actual finish implies 100 % as documented
        del data["percent_complete"]
    if not partial or "estimate" in body.model_fields_set:
        for part in ESTIMATE_PARTS:
            data[f"estimate_{part}"] = getattr(body.estimate, part) if body.estimate else None
    return data


def _answer(db: Db, task: Task, response: Response) -> TaskOut:
    set_etag(response, task.version)
    return TaskOut.of(tasks.describe(db, task))


@router.get(
    "", response_model=PageOut[TaskOut], summary="List tasks in project order, then WBS order"
)
def list_tasks(
    db: Db,
    actor: CurrentActor,
    page: Page,
    program_id: IdFilter = None,
    project_id: IdFilter = None,
    parent_id: Annotated[
        int | None, Query(ge=1, le=MAX_INT, description="direct sub-tasks of this task")
    ] = None,
    q: SearchText = None,
    milestones_only: bool = False,
) -> PageOut[TaskOut]:
    items, total = tasks.list_tasks(
        db,
        actor,
        program_id=program_id,
        project_id=project_id,
        parent_id=parent_id,
        q=q,
        milestones_only=milestones_only,
        limit=page.limit,
        offset=page.offset,
    )
    return PageOut(
        items=[TaskOut.of(v) for v in items], total=total, limit=page.limit, offset=page.offset
    )


@router.post(
    "",
    response_model=TaskOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a task (manager)",
)
def create_task(body: TaskCreate, db: Db, actor: CurrentActor, response: Response) -> TaskOut:
    task = tasks.create_task(db, actor, **_task_fields(body, partial=False))
    commit(db)
    return _answer(db, task, response)


@router.get("/{task_id}", response_model=TaskOut)
def get_task(task_id: PathId, db: Db, actor: CurrentActor, response: Response) -> TaskOut:
    return _answer(db, tasks.get_task(db, actor, task_id), response)


@router.patch(
    "/{task_id}",
    response_model=TaskOut,
    summary="Change a task (manager; members: the progress of their own tasks)",
)
def update_task(
    task_id: PathId,
    body: TaskUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> TaskOut:
    task = tasks.update_task(
        db, actor, task_id, _task_fields(body, partial=True), expected_version=version
    )
    commit(db)
    return _answer(db, task, response)


@router.delete(
    "/{task_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a task and its sub-tasks (manager); 409 if dependencies rely on them",
)
def delete_task(
    task_id: PathId,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    cascade: Annotated[
        bool, Query(description="also delete the dependencies touching them")
    ] = False,
) -> Response:
    tasks.delete_task(db, actor, task_id, cascade=cascade, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{task_id}/indent",
    response_model=TaskOut,
    summary="Make the task the last child of the one above (manager)",
)
def indent_task(
    task_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion, response: Response
) -> TaskOut:
    task = tasks.indent_task(db, actor, task_id, expected_version=version)
    commit(db)
    return _answer(db, task, response)


@router.post(
    "/{task_id}/outdent",
    response_model=TaskOut,
    summary="Make the task the next sibling of its parent (manager)",
)
def outdent_task(
    task_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion, response: Response
) -> TaskOut:
    task = tasks.outdent_task(db, actor, task_id, expected_version=version)
    commit(db)
    return _answer(db, task, response)


@router.post(
    "/{task_id}/move",
    response_model=TaskOut,
    summary="Move the task (with its sub-tasks) in the WBS (manager)",
)
def move_task(
    task_id: PathId,
    body: MoveIn,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> TaskOut:
    task = tasks.move_task(
        db,
        actor,
        task_id,
        parent_id=body.parent_id,
        position=body.position,
        expected_version=version,
    )
    commit(db)
    return _answer(db, task, response)
