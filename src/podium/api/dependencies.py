"""Dependencies API: links between tasks and milestones, flagged when they cross projects."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import AfterValidator, BaseModel, Field, field_validator

from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, set_etag
from podium.api.schemas import ERROR_RESPONSES, PageOut, PathId, Strict
from podium.engine.network import MAX_LAG
from podium.models import DependencyType
from podium.services import dependencies
from podium.services.dependencies import MAX_ID, DependencyView, End, EndRef

router = APIRouter(prefix="/dependencies", tags=["dependencies"], responses=ERROR_RESPONSES)


def _refuse_nul(value: str | None) -> str | None:
    # PostgreSQL cannot store NUL characters; refuse them here rather than fail on write.
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


NoNul = AfterValidator(_refuse_nul)
"""Text that every database can store."""

DbId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id as the database stores it (a positive 32-bit integer)."""

IdFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def refuse_null(value: Any) -> Any:
    """For PATCH bodies: a field that may be left out but not set to null."""
    if value is None:
        raise ValueError("may be left out but not set to null")
    return value


class EndIn(Strict):
    type: Literal["task", "milestone"]
    id: DbId


class DependencyCreate(Strict):
    predecessor: EndIn = Field(examples=[{"type": "task", "id": 1}])
    successor: EndIn = Field(examples=[{"type": "milestone", "id": 1}])
    type: DependencyType = DependencyType.FS
    lag: int = Field(
        default=0, ge=-MAX_LAG, le=MAX_LAG, description="working days; negative is a lead"
    )
    program_id: DbId | None = Field(default=None, description="optional: taken from the ends")


class DependencyUpdate(Strict):
    type: DependencyType | None = None
    lag: int | None = Field(default=None, ge=-MAX_LAG, le=MAX_LAG)

    _not_null = field_validator("type", "lag")(refuse_null)


class EndOut(BaseModel):
    type: Literal["task", "milestone"]
    id: int
    key: str
    name: str
    project_id: int | None = Field(description="null for a program milestone")
    project_key: str | None

    @classmethod
    def of(cls, end: End) -> EndOut:
        return cls(
            type=end.type,
            id=end.id,
            key=end.key,
            name=end.name,
            project_id=end.project_id,
            project_key=end.project_key,
        )


class DependencyOut(BaseModel):
    id: int
    program_id: int
    predecessor: EndOut
    successor: EndOut
    type: DependencyType
    lag: int
    cross_project: bool = Field(description="both ends are tasks of different projects")
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: DependencyView) -> DependencyOut:
        d = view.dependency
        return cls(
            id=d.id,
            program_id=d.program_id,
            predecessor=EndOut.of(view.predecessor),
            successor=EndOut.of(view.successor),
            type=d.type,
            lag=d.lag,
            cross_project=view.cross_project,
            version=d.version,
            created_at=d.created_at,
            updated_at=d.updated_at,
        )


@router.get("", response_model=PageOut[DependencyOut], summary="List dependencies")
def list_dependencies(
    db: Db,
    actor: CurrentActor,
    page: Page,
    program_id: IdFilter = None,
    task_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="either end")] = None,
    milestone_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="either end")] = None,
    cross_project: Annotated[
        bool | None, Query(description="only (or no) cross-project ones")
    ] = None,
) -> PageOut[DependencyOut]:
    views, total = dependencies.list_dependencies(
        db,
        actor,
        program_id=program_id,
        task_id=task_id,
        milestone_id=milestone_id,
        cross_project=cross_project,
        limit=page.limit,
        offset=page.offset,
    )
    return PageOut(
        items=[DependencyOut.of(v) for v in views],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "",
    response_model=DependencyOut,
    status_code=status.HTTP_201_CREATED,
    summary="Link two tasks or milestones of one program (manager)",
)
def create_dependency(
    body: DependencyCreate, db: Db, actor: CurrentActor, response: Response
) -> DependencyOut:
    dependency = dependencies.create_dependency(
        db,
        actor,
        predecessor=EndRef(body.predecessor.type, body.predecessor.id),
        successor=EndRef(body.successor.type, body.successor.id),
        dependency_type=body.type,
        lag=body.lag,
        program_id=body.program_id,
    )
    commit(db)
    set_etag(response, dependency.version)
    return DependencyOut.of(dependencies.describe_dependencies(db, [dependency])[0])


@router.get("/{dependency_id}", response_model=DependencyOut)
def get_dependency(
    dependency_id: PathId, db: Db, actor: CurrentActor, response: Response
) -> DependencyOut:
    dependency = dependencies.get_dependency(db, actor, dependency_id)
    set_etag(response, dependency.version)
    return DependencyOut.of(dependencies.describe_dependencies(db, [dependency])[0])


@router.patch(
    "/{dependency_id}", response_model=DependencyOut, summary="Change type or lag (manager)"
)
def update_dependency(
    dependency_id: PathId,
    body: DependencyUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> DependencyOut:
    dependency = dependencies.update_dependency(
        db, actor, dependency_id, body.model_dump(exclude_unset=True), expected_version=version
    )
    commit(db)
    set_etag(response, dependency.version)
    return DependencyOut.of(dependencies.describe_dependencies(db, [dependency])[0])


@router.delete(
    "/{dependency_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a dependency (manager)",
)
def delete_dependency(
    dependency_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion
) -> Response:
    dependencies.delete_dependency(db, actor, dependency_id, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
