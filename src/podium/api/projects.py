"""Projects of a program: list, create, read, change, delete."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import AfterValidator, Field, field_validator

from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, set_etag
from podium.api.programs import KEY_PATTERN
from podium.api.schemas import ERROR_RESPONSES, Out, PageOut, PathId, Strict
from podium.models import Project
from podium.services import projects

router = APIRouter(prefix="/projects", tags=["projects"], responses=ERROR_RESPONSES)

MAX_INT = 2_147_483_647  # the database's INTEGER


def _refuse_nul(value: str | None) -> str | None:
    # PostgreSQL cannot store NUL characters: refuse them as bad input, not fail on write.
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def refuse_null(value: Any) -> Any:
    """For PATCH bodies: a field that may be left out but not set to null."""
    if value is None:
        raise ValueError("may be left out but not set to null")
    return value


Text = Annotated[str, AfterValidator(_refuse_nul)]
"""Text that every database can store."""
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
IdFilter = Annotated[int | None, Query(ge=1, le=MAX_INT)]
SearchText = Annotated[
    str | None,
    Query(max_length=200, description="text in the key or name"),
    AfterValidator(_refuse_nul),
]


class ProjectCreate(Strict):
    program_id: Id
    key: str = Field(
        pattern=KEY_PATTERN,
        examples=["PLAT"],
        description="unique in the program; uppercase recommended",
    )
    name: Text = Field(min_length=1, max_length=200)
    description: Text = Field(default="", max_length=10000)
    position: int | None = Field(
        default=None, ge=0, le=MAX_INT, description="sort order; default last"
    )
    start_date: date | None = None
    calendar_id: Id | None = None
    manager_id: Id | None = Field(default=None, description="a manager or owner of the program")


class ProjectUpdate(Strict):
    key: str | None = Field(default=None, pattern=KEY_PATTERN)
    name: Text | None = Field(default=None, min_length=1, max_length=200)
    description: Text | None = Field(default=None, max_length=10000)
    position: int | None = Field(default=None, ge=0, le=MAX_INT)
    start_date: date | None = None
    calendar_id: Id | None = None
    manager_id: Id | None = None

    _not_null = field_validator("key", "name", "description", "position")(refuse_null)


class ProjectOut(Out):
    id: int
    program_id: int
    key: str
    name: str
    description: str
    position: int
    start_date: date | None
    calendar_id: int | None
    manager_id: int | None
    task_count: int
    scheduled_start: date | None = Field(description="computed: earliest start of its tasks")
    scheduled_finish: date | None = Field(description="computed: latest finish of its tasks")
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, p: Project, *, task_count: int) -> ProjectOut:
        return cls(
            id=p.id,
            program_id=p.program_id,
            key=p.key,
            name=p.name,
            description=p.description,
            position=p.position,
            start_date=p.start_date,
            calendar_id=p.calendar_id,
            scheduled_start=p.scheduled_start,
            scheduled_finish=p.scheduled_finish,
            manager_id=p.manager_id,
            task_count=task_count,
            version=p.version,
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


@router.get("", response_model=PageOut[ProjectOut], summary="List the projects you can see")
def list_projects(
    db: Db,
    actor: CurrentActor,
    page: Page,
    program_id: IdFilter = None,
    q: SearchText = None,
) -> PageOut[ProjectOut]:
    items, total = projects.list_projects(
        db, actor, program_id=program_id, q=q, limit=page.limit, offset=page.offset
    )
    return PageOut(
        items=[ProjectOut.of(p, task_count=n) for p, n in items],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "",
    response_model=ProjectOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a project (manager)",
)
def create_project(
    body: ProjectCreate, db: Db, actor: CurrentActor, response: Response
) -> ProjectOut:
    project = projects.create_project(db, actor, **body.model_dump())
    commit(db)
    set_etag(response, project.version)
    return ProjectOut.of(project, task_count=0)


@router.get("/{project_id}", response_model=ProjectOut)
def get_project(project_id: PathId, db: Db, actor: CurrentActor, response: Response) -> ProjectOut:
    project = projects.get_project(db, actor, project_id)
    set_etag(response, project.version)
    return ProjectOut.of(project, task_count=projects.count_tasks(db, project.id))


@router.patch("/{project_id}", response_model=ProjectOut, summary="Change a project (manager)")
def update_project(
    project_id: PathId,
    body: ProjectUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> ProjectOut:
    project = projects.update_project(
        db, actor, project_id, body.model_dump(exclude_unset=True), expected_version=version
    )
    commit(db)
    set_etag(response, project.version)
    return ProjectOut.of(project, task_count=projects.count_tasks(db, project.id))


@router.delete(
    "/{project_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a project with its tasks and their dependencies (manager); links to "
    "work outside it need cascade=true",
)
def delete_project(
    project_id: PathId,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    cascade: Annotated[
        bool,
        Query(
            description="also delete the dependencies linking its tasks to other projects' "
            "tasks and to program milestones (without it, any such link is a 409 naming them)"
        ),
    ] = False,
) -> Response:
    projects.delete_project(db, actor, project_id, cascade=cascade, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
