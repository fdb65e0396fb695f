"""Change requests API: proposed changes to the plan, their computed impact, the decision."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field, field_validator

from podium.api.dependencies import DbId, refuse_null
from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, set_etag
from podium.api.schedule import ChangeIn
from podium.api.schemas import ERROR_RESPONSES, PageOut, PathId, Strict
from podium.models import ChangeRequest, ChangeRequestStatus
from podium.services.governance import change_requests as service

router = APIRouter(tags=["change requests"], responses=ERROR_RESPONSES)


class BudgetChangeIn(Strict):
    task_id: DbId
    budget: float = Field(ge=0, le=1e12, description="the task's new planned cost")


class ChangeRequestCreate(Strict):
    title: str = Field(min_length=1, max_length=300)
    rationale: str = Field(default="", max_length=20000)
    requested_by: str = Field(
        default="", max_length=320, description="default: you, by your account's name"
    )
    changes: list[ChangeIn] = Field(
        default_factory=list,
        max_length=200,
        description="the same changes POST /programs/{id}/impact takes",
    )
    budget_changes: list[BudgetChangeIn] = Field(default_factory=list, max_length=200)
    scope_change: str = Field(default="", max_length=20000)
    rebaseline: bool = Field(default=False, description="take a new baseline on approval")
    scenario_id: DbId | None = Field(
        default=None, description="an active scenario of the program: approving applies it"
    )


class ChangeRequestUpdate(Strict):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    rationale: str | None = Field(default=None, max_length=20000)
    requested_by: str | None = Field(default=None, min_length=1, max_length=320)
    changes: list[ChangeIn] | None = Field(default=None, max_length=200)
    budget_changes: list[BudgetChangeIn] | None = Field(default=None, max_length=200)
    scope_change: str | None = Field(default=None, max_length=20000)
    rebaseline: bool | None = None

    _not_null = field_validator(
        "title",
        "rationale",
        "requested_by",
        "changes",
        "budget_changes",
        "scope_change",
        "rebaseline",
    )(refuse_null)


class DecideIn(Strict):
    rationale: str = Field(default="", max_length=20000, description="why")
    decided_by: str = Field(
        default="", max_length=300, description="who; default: you, by your account's name"
    )
    decided_on: date | None = Field(
        default=None,
        description="default: the meeting's day when taken in one (occurrence_id; another "
        "day is refused), else today",
    )
    occurrence_id: DbId | None = Field(default=None, description="the review it was decided in")


class ApproveIn(DecideIn):
    rebaseline: bool | None = Field(
        default=None, description="take a new baseline; default: as the request says"
    )
    baseline_name: str | None = Field(
        default=None, min_length=1, max_length=200, description="default: After CR-<n>"
    )


class RejectIn(DecideIn):
    rationale: str = Field(min_length=1, max_length=20000, description="why it was rejected")


class ChangeRequestOut(BaseModel):
    id: int
    program_id: int
    key: str = Field(examples=["CR-3"])
    title: str
    rationale: str
    requested_by: str
    status: ChangeRequestStatus
    changes: list[dict[str, Any]]
    budget_changes: list[dict[str, Any]]
    scope_change: str
    rebaseline: bool
    decision_id: int | None
    decided_at: datetime | None
    decided_by: str
    baseline_id: int | None
    scenario_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime


def _out(cr: ChangeRequest) -> ChangeRequestOut:
    return ChangeRequestOut(
        id=cr.id,
        program_id=cr.program_id,
        key=f"CR-{cr.number}",
        title=cr.title,
        rationale=cr.rationale,
        requested_by=cr.requested_by,
        status=cr.status,
        changes=cr.changes,
        budget_changes=cr.budget_changes,
        scope_change=cr.scope_change,
        rebaseline=cr.rebaseline,
        decision_id=cr.decision_id,
        decided_at=cr.decided_at,
        decided_by=cr.decided_by,
        baseline_id=cr.baseline_id,
        scenario_id=cr.scenario_id,
        version=cr.version,
        created_at=cr.created_at,
        updated_at=cr.updated_at,
    )


class ProblemOut(BaseModel):
    field: str
    message: str


class ImpactMoveOut(BaseModel):
    type: str
    id: int
    key: str
    name: str
    project_key: str | None
    early_start_before: date
    early_start_after: date
    early_finish_before: date
    early_finish_after: date
    start_delta: int
    finish_delta: int = Field(description="working days (+ later)")


class ImpactMissOut(BaseModel):
    type: str
    id: int
    key: str
    name: str
    project_key: str | None
    kind: str = Field(description="deadline, target or baseline")
    limit: date
    finish_before: date
    finish_after: date
    days_late_before: int
    days_late_after: int
    is_new: bool


class ScheduleImpactOut(BaseModel):
    finish_before: date
    finish_after: date
    finish_delta: int = Field(description="program finish, working days")
    projects_affected: list[str]
    milestones: list[ImpactMoveOut]
    moves: list[ImpactMoveOut]
    misses: list[ImpactMissOut]


class CostLineOut(BaseModel):
    task_id: int
    key: str
    name: str
    before: float
    after: float
    delta: float


class CostImpactOut(BaseModel):
    budget_before: float
    budget_after: float
    delta: float
    tasks: list[CostLineOut]


class DurationChangeOut(BaseModel):
    task_id: int
    key: str
    name: str
    before: int
    after: int


class ScopeImpactOut(BaseModel):
    note: str
    duration_changes: list[DurationChangeOut]
    dependencies_added: list[str]
    dependencies_removed: list[str]
    tasks_added: list[str] = Field(default_factory=list, description="keys, from a scenario")
    tasks_removed: list[str] = Field(default_factory=list, description="keys, from a scenario")
    dependencies_changed: list[dict[str, str]] = Field(
        default_factory=list,
        description="links whose type or lag a scenario changes: link, live, scenario",
    )


class ScenarioRefOut(BaseModel):
    id: int
    key: str = Field(examples=["S2"])
    name: str
    status: str


class ImpactOut(BaseModel):
    computed_at: datetime
    as_decided: bool = Field(description="the impact kept when the request was decided")
    applicable: bool = Field(description="false: the plan moved and a change no longer applies")
    problems: list[ProblemOut]
    scenario: ScenarioRefOut | None = Field(
        default=None, description="the scenario the impact comes from, when the request has one"
    )
    schedule: ScheduleImpactOut | None
    cost: CostImpactOut
    scope: ScopeImpactOut


StatusFilter = Annotated[ChangeRequestStatus | None, Query()]


@router.get("/programs/{program_id}/change-requests", response_model=PageOut[ChangeRequestOut])
def list_change_requests(
    program_id: PathId, db: Db, actor: CurrentActor, page: Page, status: StatusFilter = None
) -> PageOut[ChangeRequestOut]:
    """A program's change requests, newest first."""
    found, total = service.list_change_requests(
        db, actor, program_id, status=status, limit=page.limit, offset=page.offset
    )
    return PageOut(
        items=[_out(cr) for cr in found], total=total, limit=page.limit, offset=page.offset
    )


@router.post(
    "/programs/{program_id}/change-requests",
    response_model=ChangeRequestOut,
    status_code=status.HTTP_201_CREATED,
    summary="Raise a change request (member)",
)
def create_change_request(
    program_id: PathId,
    body: ChangeRequestCreate,
    db: Db,
    actor: CurrentActor,
    response: Response,
) -> ChangeRequestOut:
    data = body.model_dump(exclude_none=True)
    data["changes"] = [c.model_dump(exclude_none=True) for c in body.changes]
    cr = service.create_change_request(db, actor, program_id=program_id, **data)
    commit(db)
    set_etag(response, cr.version)
    return _out(cr)


@router.get("/change-requests/{cr_id}", response_model=ChangeRequestOut)
def get_change_request(
    cr_id: PathId, db: Db, actor: CurrentActor, response: Response
) -> ChangeRequestOut:
    cr = service.get_change_request(db, actor, cr_id)
    set_etag(response, cr.version)
    return _out(cr)


@router.patch(
    "/change-requests/{cr_id}",
    response_model=ChangeRequestOut,
    summary="Change a proposed request (its requester or a manager)",
)
def update_change_request(
    cr_id: PathId,
    body: ChangeRequestUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> ChangeRequestOut:
    updates = body.model_dump(exclude_unset=True)
    if body.changes is not None:
        updates["changes"] = [c.model_dump(exclude_none=True) for c in body.changes]
    cr = service.update_change_request(db, actor, cr_id, updates, expected_version=version)
    commit(db)
    set_etag(response, cr.version)
    return _out(cr)


@router.get(
    "/change-requests/{cr_id}/impact",
    response_model=ImpactOut,
    summary="Its schedule, cost and scope impact on the live plan (as decided, once decided)",
)
def impact(cr_id: PathId, db: Db, actor: CurrentActor) -> ImpactOut:
    cr = service.get_change_request(db, actor, cr_id)
    return ImpactOut.model_validate(service.compute_impact(db, actor, cr))


@router.post(
    "/change-requests/{cr_id}/approve",
    response_model=ChangeRequestOut,
    summary="Approve: apply the changes in one transaction, log the decision (manager)",
    responses={409: {"description": "Already decided, or a change no longer applies"}},
)
def approve(
    cr_id: PathId,
    body: ApproveIn,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> ChangeRequestOut:
    cr = service.approve_change_request(
        db, actor, cr_id, **body.model_dump(), expected_version=version
    )
    commit(db)
    set_etag(response, cr.version)
    return _out(cr)


@router.post(
    "/change-requests/{cr_id}/reject",
    response_model=ChangeRequestOut,
    summary="Reject, with the reason (manager)",
)
def reject(
    cr_id: PathId,
    body: RejectIn,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> ChangeRequestOut:
    cr = service.reject_change_request(
        db, actor, cr_id, **body.model_dump(), expected_version=version
    )
    commit(db)
    set_etag(response, cr.version)
    return _out(cr)


@router.post(
    "/change-requests/{cr_id}/withdraw",
    response_model=ChangeRequestOut,
    summary="Withdraw a proposed request (its requester or a manager)",
)
def withdraw(
    cr_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion, response: Response
) -> ChangeRequestOut:
    cr = service.withdraw_change_request(db, actor, cr_id, expected_version=version)
    commit(db)
    set_etag(response, cr.version)
    return _out(cr)
