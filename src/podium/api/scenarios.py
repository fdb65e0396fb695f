"""Scenarios API: what-if copies of a program's plan, compared, applied or discarded.

A scenario's copy is a program of its own (``copy_program_id``): edit it through the
usual routes (tasks, dependencies, milestones, assignments…) without touching the
live plan.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field, field_validator

from podium.api.dependencies import DbId, refuse_null
from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, set_etag
from podium.api.schemas import ERROR_RESPONSES, PageOut, PathId, Strict
from podium.models import Program, Scenario, ScenarioStatus
from podium.services import scenarios as service

router = APIRouter(tags=["scenarios"], responses=ERROR_RESPONSES)


# the service checks the same (podium.services.scenarios.checked_texts), for every caller
NAME_LENGTH, DESCRIPTION_LENGTH = service.NAME_LENGTH, service.DESCRIPTION_LENGTH


class ScenarioCreate(Strict):
    name: str = Field(min_length=1, max_length=NAME_LENGTH, examples=["Slip the pilot two weeks"])
    description: str = Field(default="", max_length=DESCRIPTION_LENGTH)


class ScenarioUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_LENGTH)
    description: str | None = Field(default=None, max_length=DESCRIPTION_LENGTH)

    _not_null = field_validator("name", "description")(refuse_null)


class ScenarioOut(BaseModel):
    id: int
    program_id: int = Field(description="the live program")
    key: str = Field(examples=["S2"])
    name: str
    description: str
    status: ScenarioStatus
    copy_program_id: int | None = Field(
        description="the program to edit the scenario through (null once applied or discarded)"
    )
    copy_program_key: str | None = Field(examples=["CLOUD~S2"])
    created_by: str
    closed_at: datetime | None
    closed_by: str
    outcome: dict[str, Any] | None = Field(
        description="what applying created, updated, deleted (`applied`); when someone's "
        "hours per day changed since the copy, also `hours_changed`: as in the comparison, "
        "each task with the duration `applied`"
    )
    version: int
    created_at: datetime
    updated_at: datetime


def _out(db: Db, s: Scenario) -> ScenarioOut:
    copy = db.get(Program, s.copy_program_id) if s.copy_program_id else None
    return ScenarioOut(
        id=s.id,
        program_id=s.program_id,
        key=f"S{s.number}",
        name=s.name,
        description=s.description,
        status=s.status,
        copy_program_id=s.copy_program_id,
        copy_program_key=copy.key if copy else None,
        created_by=s.created_by,
        closed_at=s.closed_at,
        closed_by=s.closed_by,
        outcome=s.outcome,
        version=s.version,
        created_at=s.created_at,
        updated_at=s.updated_at,
    )


@router.get("/programs/{program_id}/scenarios", response_model=PageOut[ScenarioOut])
def list_scenarios(
    program_id: PathId,
    db: Db,
    actor: CurrentActor,
    page: Page,
    status_: Annotated[ScenarioStatus | None, Query(alias="status")] = None,
) -> PageOut[ScenarioOut]:
    items, total = service.list_scenarios(
        db, actor, program_id, status=status_, limit=page.limit, offset=page.offset
    )
    return PageOut(
        items=[_out(db, s) for s in items], total=total, limit=page.limit, offset=page.offset
    )


@router.post(
    "/programs/{program_id}/scenarios",
    response_model=ScenarioOut,
    status_code=status.HTTP_201_CREATED,
    summary="Copy the live plan into a new scenario (manager)",
)
def create_scenario(
    program_id: PathId, body: ScenarioCreate, db: Db, actor: CurrentActor, response: Response
) -> ScenarioOut:
    scenario = service.create_scenario(
        db, actor, program_id, name=body.name, description=body.description
    )
    commit(db)
    set_etag(response, scenario.version)
    return _out(db, scenario)


@router.get("/scenarios/{scenario_id}", response_model=ScenarioOut)
def get_scenario(
    scenario_id: PathId, db: Db, actor: CurrentActor, response: Response
) -> ScenarioOut:
    scenario = service.get_scenario(db, actor, scenario_id)
    set_etag(response, scenario.version)
    return _out(db, scenario)


@router.patch("/scenarios/{scenario_id}", response_model=ScenarioOut, summary="Rename (manager)")
def update_scenario(
    scenario_id: PathId,
    body: ScenarioUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> ScenarioOut:
    scenario = service.update_scenario(
        db, actor, scenario_id, body.model_dump(exclude_unset=True), expected_version=version
    )
    commit(db)
    set_etag(response, scenario.version)
    return _out(db, scenario)


@router.delete(
    "/scenarios/{scenario_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a scenario and its copy altogether (manager)",
)
def delete_scenario(
    scenario_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion
) -> Response:
    service.delete_scenario(db, actor, scenario_id, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class DatesOut(BaseModel):
    live: date | None
    scenario: date | None
    baseline: date | None = None
    slip: int | None = Field(default=None, description="working days, scenario − live")


class MilestoneCompareOut(DatesOut):
    key: str
    name: str
    target_live: date | None
    target_scenario: date | None
    late_live: bool
    late_scenario: bool
    fed_live: bool = Field(
        default=True,
        description="false when no work leads to the milestone in the live plan (unfed): it "
        "has no forecast there, and live is null",
    )
    fed_scenario: bool = Field(
        default=True,
        description="false when no work leads to the milestone in the scenario (unfed): it "
        "has no forecast there, and scenario is null",
    )
    only_in: str | None = Field(description="live or scenario when the other lacks it")
    p80_live: date | None = Field(description="P80 from the live plan's latest forecast")
    p80_scenario: date | None = Field(description="P80 from the scenario's latest forecast")
    p80_live_plan_changed_since: bool = Field(
        description="the live plan was written since the forecast p80_live comes from ran: "
        "it reads an older plan (false without a P80)"
    )
    p80_scenario_plan_changed_since: bool = Field(
        description="the scenario was written since the forecast of its copy p80_scenario "
        "comes from ran: it reads an older plan (false without a P80)"
    )


class ProjectCompareOut(DatesOut):
    key: str
    name: str


class P80CompareOut(DatesOut):
    live_forecast_at: datetime | None = Field(
        description="when the live program's latest forecast, the live P80s' source, ran"
    )
    scenario_forecast_at: datetime | None = Field(
        description="when the latest forecast of the scenario's copy, its P80s' source, ran"
    )
    live_plan_changed_since: bool = Field(
        description="the live plan was written since its latest forecast ran: the live P80s "
        "(here and the milestones') read an older plan (false without a forecast)"
    )
    scenario_plan_changed_since: bool = Field(
        description="the scenario was written since its copy's latest forecast ran: the "
        "scenario's P80s read an older plan (false without a forecast)"
    )


class ProgramCompareOut(BaseModel):
    start: DatesOut
    finish: DatesOut
    p80: P80CompareOut = Field(
        description="P80 finish from each program's latest stored forecast (null without one)"
    )


class CostCompareOut(BaseModel):
    live: float
    scenario: float
    difference: float
    baseline: float | None = None


class TaskBriefOut(BaseModel):
    key: str
    name: str
    project_key: str | None
    duration: int
    budget: float


class TaskChangeOut(BaseModel):
    key: str
    name: str
    fields: dict[str, list[Any]] = Field(description="field: [live, scenario]")
    finish: list[date | None] = Field(description="[live, scenario]")


class KeyedOut(BaseModel):
    key: str
    name: str


class KeyedChangeOut(KeyedOut):
    fields: dict[str, list[Any]] = Field(description="field: [live, scenario]")


class LinkChangeOut(BaseModel):
    link: str
    live: str = Field(description="the link's type and lag in the live plan")
    scenario: str


class AssignmentChangeOut(BaseModel):
    assignment: str
    fields: dict[str, list[Any]] = Field(
        description="field: [live, scenario], of units, given_work_hours (the work given, "
        "in hours, as the assignments API names it) and notes; work_hours repeats "
        "given_work_hours (deprecated: read given_work_hours)"
    )


class ScopeCompareOut(BaseModel):
    """What applying the scenario would write, record by record: records are matched by
    the live record each copy was made from, as applying matches them (not by key)."""

    tasks_added: list[TaskBriefOut]
    tasks_removed: list[TaskBriefOut]
    tasks_changed: list[TaskChangeOut]
    tasks_moved: list[TaskChangeOut] = Field(description="unchanged tasks whose dates move")
    projects_added: list[KeyedOut]
    projects_removed: list[KeyedOut]
    projects_changed: list[KeyedChangeOut]
    milestones_added: list[KeyedOut]
    milestones_removed: list[KeyedOut]
    milestones_changed: list[KeyedChangeOut]
    dependencies_added: list[str]
    dependencies_removed: list[str]
    dependencies_changed: list[LinkChangeOut]
    assignments_added: list[str]
    assignments_removed: list[str]
    assignments_changed: list[AssignmentChangeOut]


class ResourceCompareOut(BaseModel):
    key: str
    name: str
    live: int = Field(description="over-allocated working days")
    scenario: int


class ScenarioRefOut(BaseModel):
    id: int
    number: int
    name: str


class BaselineRefOut(BaseModel):
    id: int
    name: str


class OverAllocationOut(BaseModel):
    live: int
    scenario: int


class HoursResourceOut(BaseModel):
    key: str
    name: str
    hours_per_day: list[float] = Field(description="[when the scenario was copied, now]")


class HoursTaskOut(BaseModel):
    task_id: int = Field(description="the live task")
    key: str
    name: str
    copied: int = Field(description="working days when the scenario was copied")
    live: int = Field(description="working days in the live plan now")
    scenario: int = Field(description="working days in the scenario now")
    resources: list[str] = Field(description="keys of the resources whose hours changed")


class HoursChangedOut(BaseModel):
    """Resources are shared with the live plan: when someone's hours per day changed since
    the copy, the effort-driven tasks they work on take their work at today's hours in
    both. Not a conflict: applying sets those durations at today's hours."""

    resources: list[HoursResourceOut]
    tasks: list[HoursTaskOut] = Field(description="the effort-driven tasks that moved for it")
    note: str = Field(description="the same in a sentence (empty when nothing changed)")


class CompareOut(BaseModel):
    scenario: ScenarioRefOut
    live_program_id: int
    copy_program_id: int
    baseline: BaselineRefOut | None
    program: ProgramCompareOut
    milestones: list[MilestoneCompareOut]
    projects: list[ProjectCompareOut]
    cost: CostCompareOut
    scope: ScopeCompareOut
    resources: list[ResourceCompareOut]
    over_allocated_days: OverAllocationOut
    hours_changed: HoursChangedOut


@router.get(
    "/scenarios/{scenario_id}/compare",
    response_model=CompareOut,
    summary="The scenario side by side with the live plan (and a baseline)",
)
def compare_scenario(
    scenario_id: PathId,
    db: Db,
    actor: CurrentActor,
    baseline_id: Annotated[DbId | None, Query()] = None,
) -> dict[str, Any]:
    return service.compare_scenario(db, actor, scenario_id, baseline_id=baseline_id)


@router.post(
    "/scenarios/{scenario_id}/apply",
    response_model=ScenarioOut,
    summary="Apply the scenario to the live plan in one transaction (manager); 409 with "
    "details.conflicts if the live plan changed since the copy",
)
def apply_scenario(
    scenario_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion, response: Response
) -> ScenarioOut:
    scenario = service.apply_scenario(db, actor, scenario_id, expected_version=version)
    commit(db)
    set_etag(response, scenario.version)
    return _out(db, scenario)


@router.post(
    "/scenarios/{scenario_id}/discard",
    response_model=ScenarioOut,
    summary="Give the scenario up: its copy is deleted (manager)",
)
def discard_scenario(
    scenario_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion, response: Response
) -> ScenarioOut:
    scenario = service.discard_scenario(db, actor, scenario_id, expected_version=version)
    commit(db)
    set_etag(response, scenario.version)
    return _out(db, scenario)
