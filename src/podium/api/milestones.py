"""Milestones API: program-level milestones and the work (in any project) that feeds them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session

from podium.api.dependencies import DbId, EndOut, IdFilter, NoNul, refuse_null
from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, set_etag
from podium.api.schemas import ERROR_RESPONSES, PageOut, PathId, Strict
from podium.models import DependencyType, Milestone
from podium.services import milestones
from podium.services.dependencies import DependencyView
from podium.services.forecasts import ForecastGlance, forecast_glances
from podium.services.milestones import MilestoneView
from podium.services.pages_schedule import MilestoneState

router = APIRouter(prefix="/milestones", tags=["milestones"], responses=ERROR_RESPONSES)

KEY_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$"


class MilestoneCreate(Strict):
    program_id: DbId
    key: Annotated[str | None, NoNul] = Field(
        default=None, pattern=KEY_PATTERN, description="unique in the program; M1, M2… if left out"
    )
    name: Annotated[str, NoNul] = Field(min_length=1, max_length=300)
    description: Annotated[str, NoNul] = Field(default="", max_length=10000)
    target_date: date | None = None


class MilestoneUpdate(Strict):
    key: Annotated[str | None, NoNul] = Field(default=None, pattern=KEY_PATTERN)
    name: Annotated[str | None, NoNul] = Field(default=None, min_length=1, max_length=300)
    description: Annotated[str | None, NoNul] = Field(default=None, max_length=10000)
    target_date: date | None = None

    _not_null = field_validator("key", "name", "description")(refuse_null)


class PredecessorOut(EndOut):
    """The task or milestone at the start of a dependency into the milestone."""

    dependency_id: int
    dependency_type: DependencyType
    lag: int

    @classmethod
    def of_dependency(cls, view: DependencyView) -> PredecessorOut:
        return cls(
            **EndOut.of(view.predecessor).model_dump(),
            dependency_id=view.dependency.id,
            dependency_type=view.dependency.type,
            lag=view.dependency.lag,
        )


class MilestoneLatestForecastOut(BaseModel):
    """The milestone in the newest Monte Carlo forecast of its program."""

    forecast_id: int = Field(description="GET /api/v1/forecasts/{forecast_id} reads it whole")
    created_at: datetime
    p80: date | None = Field(
        description="reached by this date in 80 % of the simulated runs; null: the milestone "
        "was not in that forecast (added since) or no work leads to it"
    )
    p80_past_target: bool = Field(
        description="the plan has it on track (state on_track) but its p80 falls after its "
        "target: it is less than 80 % likely to be reached by the target"
    )
    plan_changed_since: bool = Field(
        description="the plan was written since this forecast ran: p80 reads an older plan "
        "(run a new forecast)"
    )


class MilestoneOut(BaseModel):
    id: int
    program_id: int
    key: str
    name: str
    description: str
    target_date: date | None
    predecessors: list[PredecessorOut] = Field(
        description="what feeds the milestone, with project keys"
    )
    forecast: date | None = Field(
        description="the scheduler's forecast (its early finish); for an unfed milestone, only "
        "the date it was placed on (the program's start or status date), not a forecast"
    )
    slip: int | None = Field(
        description="working days the forecast falls past the target (negative: ahead); "
        "null without a target or without work feeding it"
    )
    total_float: int | None = Field(description="working days")
    state: MilestoneState = Field(
        description="reached (all its work done), late, on_track, no_target, not_scheduled, "
        "or unfed (no work leads to it)"
    )
    latest_forecast: MilestoneLatestForecastOut | None = Field(
        default=None,
        description="where the newest Monte Carlo forecast of its program puts it; "
        "null: no forecast run yet",
    )
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: MilestoneView, glance: ForecastGlance | None) -> MilestoneOut:
        """The milestone as the API shows it; ``glance``: its program's newest forecast."""
        m = view.milestone
        standing = view.standing
        forecast = None
        if glance is not None:
            p80 = None if standing.state == "unfed" else glance.milestone_p80.get(m.id)
            forecast = MilestoneLatestForecastOut(
                forecast_id=glance.forecast_id,
                created_at=glance.created_at,
                p80=p80,
                p80_past_target=glance.p80_past_target(standing) is not None,
                plan_changed_since=glance.plan_changed,
            )
        return cls(
            id=m.id,
            program_id=m.program_id,
            key=m.key,
            name=m.name,
            description=m.description,
            target_date=m.target_date,
            predecessors=[PredecessorOut.of_dependency(d) for d in view.predecessors],
            forecast=view.standing.forecast,
            slip=view.standing.slip,
            total_float=view.standing.total_float,
            state=view.standing.state,
            latest_forecast=forecast,
            version=m.version,
            created_at=m.created_at,
            updated_at=m.updated_at,
        )


def _described(db: Session, items: list[Milestone]) -> list[MilestoneOut]:
    """The milestones as the API shows them, with their programs' newest forecasts (one
    query for them all)."""
    views = milestones.describe_milestones(db, items)
    glances = forecast_glances(db, {m.program_id for m in items})
    return [MilestoneOut.of(v, glances.get(v.milestone.program_id)) for v in views]


@router.get(
    "",
    response_model=PageOut[MilestoneOut],
    summary="List milestones of a program (or of all yours)",
)
def list_milestones(
    db: Db, actor: CurrentActor, page: Page, program_id: IdFilter = None
) -> PageOut[MilestoneOut]:
    items, total = milestones.list_milestones(
        db, actor, program_id=program_id, limit=page.limit, offset=page.offset
    )
    return PageOut(items=_described(db, items), total=total, limit=page.limit, offset=page.offset)


@router.post(
    "",
    response_model=MilestoneOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a milestone (manager)",
)
def create_milestone(
    body: MilestoneCreate, db: Db, actor: CurrentActor, response: Response
) -> MilestoneOut:
    milestone = milestones.create_milestone(db, actor, **body.model_dump())
    commit(db)
    set_etag(response, milestone.version)
    return _described(db, [milestone])[0]


@router.get("/{milestone_id}", response_model=MilestoneOut)
def get_milestone(
    milestone_id: PathId, db: Db, actor: CurrentActor, response: Response
) -> MilestoneOut:
    milestone = milestones.get_milestone(db, actor, milestone_id)
    set_etag(response, milestone.version)
    return _described(db, [milestone])[0]


@router.patch(
    "/{milestone_id}", response_model=MilestoneOut, summary="Change a milestone (manager)"
)
def update_milestone(
    milestone_id: PathId,
    body: MilestoneUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> MilestoneOut:
    milestone = milestones.update_milestone(
        db, actor, milestone_id, body.model_dump(exclude_unset=True), expected_version=version
    )
    commit(db)
    set_etag(response, milestone.version)
    return _described(db, [milestone])[0]


@router.delete(
    "/{milestone_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a milestone (manager); cascade=true also deletes its dependencies",
)
def delete_milestone(
    milestone_id: PathId,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    cascade: Annotated[
        bool, Query(description="also delete the dependencies to and from it")
    ] = False,
) -> Response:
    milestones.delete_milestone(db, actor, milestone_id, cascade=cascade, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
