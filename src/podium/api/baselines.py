"""Baselines of a program and the variance of the live plan against them."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, paged, set_etag
from podium.api.schemas import ERROR_RESPONSES, PageOut, PathId, Strict
from podium.models import Baseline
from podium.services import baselines

router = APIRouter(tags=["baselines"], responses=ERROR_RESPONSES)


class BaselineCreate(Strict):
    name: str = Field(min_length=1, max_length=200, examples=["Plan of record"])
    description: str = Field(default="", max_length=10000)
    make_current: bool = Field(default=True, description="measure variance against this one")


class BaselineUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10000)
    is_current: bool | None = Field(default=None, description="true makes this the current one")


class BaselineOut(BaseModel):
    id: int
    program_id: int
    name: str
    description: str
    is_current: bool
    taken_at: datetime
    taken_by: str
    start: date | None
    finish: date | None
    items: int
    version: int


def _out(db: Db, b: Baseline) -> BaselineOut:
    return BaselineOut(
        id=b.id,
        program_id=b.program_id,
        name=b.name,
        description=b.description,
        is_current=b.is_current,
        taken_at=b.taken_at,
        taken_by=b.taken_by,
        start=b.start,
        finish=b.finish,
        items=baselines.item_count(db, b.id),
        version=b.version,
    )


@router.get("/programs/{program_id}/baselines", response_model=PageOut[BaselineOut])
def list_baselines(
    program_id: PathId, db: Db, actor: CurrentActor, page: Page
) -> PageOut[BaselineOut]:
    return paged(baselines.list_baselines(db, actor, program_id), page, lambda b: _out(db, b))


@router.post(
    "/programs/{program_id}/baselines",
    response_model=BaselineOut,
    status_code=status.HTTP_201_CREATED,
    summary="Take a baseline of the plan as scheduled now (manager)",
)
def take_baseline(
    program_id: PathId, body: BaselineCreate, db: Db, actor: CurrentActor, response: Response
) -> BaselineOut:
    baseline = baselines.take_baseline(
        db,
        actor,
        program_id,
        name=body.name,
        description=body.description,
        make_current=body.make_current,
    )
    commit(db)
    set_etag(response, baseline.version)
    return _out(db, baseline)


@router.get("/baselines/{baseline_id}", response_model=BaselineOut)
def get_baseline(
    baseline_id: PathId, db: Db, actor: CurrentActor, response: Response
) -> BaselineOut:
    baseline = baselines.get_baseline(db, actor, baseline_id)
    set_etag(response, baseline.version)
    return _out(db, baseline)


@router.patch(
    "/baselines/{baseline_id}",
    response_model=BaselineOut,
    summary="Rename or make current (manager)",
)
def update_baseline(
    baseline_id: PathId,
    body: BaselineUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> BaselineOut:
    updates = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    baseline = baselines.update_baseline(db, actor, baseline_id, updates, expected_version=version)
    commit(db)
    set_etag(response, baseline.version)
    return _out(db, baseline)


@router.delete(
    "/baselines/{baseline_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a baseline (manager)",
)
def delete_baseline(
    baseline_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion
) -> Response:
    baselines.delete_baseline(db, actor, baseline_id, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class ItemVarianceOut(BaseModel):
    kind: str
    id: int
    key: str
    name: str
    project_key: str | None
    baseline_start: date | None
    baseline_finish: date | None
    live_start: date | None
    live_finish: date | None
    start_variance: int | None = Field(
        description="working days later (+) or earlier (−) than the baseline"
    )
    finish_variance: int | None = Field(
        description="working days later (+) or earlier (−) than the baseline"
    )
    baseline_cost: float
    live_cost: float
    cost_variance: float


class ProjectVarianceOut(BaseModel):
    project_key: str
    baseline_finish: date | None
    live_finish: date | None
    finish_variance: int | None
    baseline_cost: float
    live_cost: float


class VarianceOut(BaseModel):
    baseline: BaselineOut
    program_finish_baseline: date | None
    program_finish_live: date | None
    program_finish_variance: int | None
    cost_baseline: float
    cost_live: float
    projects: list[ProjectVarianceOut]
    milestones: list[ItemVarianceOut]
    tasks: list[ItemVarianceOut]
    scope_added: list[ItemVarianceOut]
    scope_removed: list[ItemVarianceOut]


def _item(v: baselines.ItemVariance) -> ItemVarianceOut:
    data = {**v.__dict__}
    data["id"] = data.pop("record_id")
    return ItemVarianceOut(**data)


@router.get(
    "/baselines/{baseline_id}/variance",
    response_model=VarianceOut,
    summary="The live plan against this baseline: slips, cost and scope",
)
def variance(baseline_id: PathId, db: Db, actor: CurrentActor) -> VarianceOut:
    v = baselines.compare(db, actor, baseline_id)
    return VarianceOut(
        baseline=_out(db, v.baseline),
        program_finish_baseline=v.program_finish_baseline,
        program_finish_live=v.program_finish_live,
        program_finish_variance=v.program_finish_variance,
        cost_baseline=v.cost_baseline,
        cost_live=v.cost_live,
        projects=[ProjectVarianceOut(**p.__dict__) for p in v.projects],
        milestones=[_item(m) for m in v.milestones],
        tasks=[_item(t) for t in v.tasks],
        scope_added=[_item(t) for t in v.added],
        scope_removed=[_item(t) for t in v.removed],
    )
