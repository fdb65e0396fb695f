"""Benefits API: the KPIs a program exists to move, their measurements, and realization
against the linear path from baseline to target."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field, ValidationInfo, field_validator

from podium.api.dependencies import DbId, NoNul, refuse_null
from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, paged, set_etag
from podium.api.schemas import ERROR_RESPONSES, IsoDate, PageOut, PathId, Strict
from podium.models import BenefitMeasurement
from podium.services import benefits
from podium.services.benefits import BenefitView

router = APIRouter(tags=["benefits"], responses=ERROR_RESPONSES)

Direction = Literal["up", "down"]
State = Literal["no_data", "met", "on_track", "behind", "off_track"]
Name = Annotated[str, Field(min_length=1, max_length=200), NoNul]
Unit = Annotated[str, Field(max_length=50), NoNul]
LongText = Annotated[str, Field(max_length=10000), NoNul]
Value = Annotated[float, Field(allow_inf_nan=False, ge=-1e15, le=1e15)]
Ids = Annotated[list[DbId], Field(max_length=100)]


def _target_after_baseline(value: date | None, info: ValidationInfo) -> date | None:
    """The target date comes after the baseline date when the body gives both."""
    baseline = info.data.get("baseline_date")
    if value is not None and baseline is not None and value <= baseline:
        raise ValueError(f"must be after the baseline date ({baseline.isoformat()})")
    return value


class BenefitCreate(Strict):
    program_id: DbId
    name: Name
    description: LongText = ""
    unit: Unit = ""
    baseline_value: Value
    baseline_date: date | None = Field(default=None, description="default: the program's start")
    target_value: Value
    target_date: date
    direction: Direction = Field(description="which way is good")
    is_goal: bool = Field(default=False, description="the KPI the program's goal is measured by")
    project_ids: Ids = Field(default_factory=list, description="the projects that contribute")

    _target_date = field_validator("target_date")(_target_after_baseline)


class BenefitUpdate(Strict):
    name: Name | None = None
    description: LongText | None = None
    unit: Unit | None = None
    baseline_value: Value | None = None
    baseline_date: date | None = None
    target_value: Value | None = None
    target_date: date | None = None
    direction: Direction | None = None
    is_goal: bool | None = None
    project_ids: Ids | None = None

    _not_null = field_validator(
        "name",
        "description",
        "unit",
        "baseline_value",
        "baseline_date",
        "target_value",
        "target_date",
        "direction",
        "is_goal",
        "project_ids",
    )(refuse_null)
    _target_date = field_validator("target_date")(_target_after_baseline)


class MeasurementCreate(Strict):
    measured_on: date
    value: Value
    source: Annotated[str, Field(max_length=200), NoNul] = ""
    note: LongText = ""


class MeasurementOut(BaseModel):
    id: int
    measured_on: date
    value: float
    source: str
    note: str
    recorded_by: str
    recorded_at: datetime

    @classmethod
    def of(cls, m: BenefitMeasurement) -> MeasurementOut:
        return cls(
            id=m.id,
            measured_on=m.measured_on,
            value=m.value,
            source=m.source,
            note=m.note,
            recorded_by=m.recorded_by,
            recorded_at=m.recorded_at,
        )


class ProjectLink(BaseModel):
    id: int
    key: str
    name: str


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or math.isnan(value) else round(value, digits)


class RealizationOut(BaseModel):
    as_of: date
    state: State = Field(
        description="met, on_track, behind, off_track (past tolerance), no_data (no reading "
        "since the baseline date: readings before it are the old normal, never judged)"
    )
    latest_value: float | None = Field(description="the latest reading since the baseline date")
    latest_date: date | None
    realization_pct: float | None = Field(description="share of the planned change achieved")
    expected_pct: float = Field(description="where the linear path is on the latest reading's day")
    expected_value: float
    gap_points: float | None = Field(description="realization − expected (negative: behind)")
    trend_at_target: float | None = Field(description="the least-squares trend on the target date")
    trend_pct_at_target: float | None


class BenefitOut(BaseModel):
    id: int
    program_id: int
    name: str
    description: str
    unit: str
    baseline_value: float
    baseline_date: date
    target_value: float
    target_date: date
    direction: Direction
    is_goal: bool
    projects: list[ProjectLink]
    realization: RealizationOut
    measurements: list[MeasurementOut]
    url: str
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: BenefitView) -> BenefitOut:
        b, r = view.benefit, view.realization
        return cls(
            id=b.id,
            program_id=b.program_id,
            name=b.name,
            description=b.description,
            unit=b.unit,
            baseline_value=b.baseline_value,
            baseline_date=b.baseline_date,
            target_value=b.target_value,
            target_date=b.target_date,
            direction=b.direction,
            is_goal=b.is_goal,
            projects=[ProjectLink(id=p.id, key=p.key, name=p.name) for p in b.projects],
            realization=RealizationOut(
                as_of=r.as_of,
                state=r.state,
                latest_value=r.latest.value if r.latest else None,
                latest_date=r.latest.on if r.latest else None,
                realization_pct=_round(r.realization_pct, 1),
                expected_pct=round(r.expected_pct, 1),
                expected_value=round(r.expected_value, 2),
                gap_points=_round(r.gap_points, 1),
                trend_at_target=_round(r.trend_at_target),
                trend_pct_at_target=_round(r.trend_pct_at_target, 1),
            ),
            measurements=[MeasurementOut.of(m) for m in view.measurements],
            url=benefits.benefit_url(b),
            version=b.version,
            created_at=b.created_at,
            updated_at=b.updated_at,
        )


AsOf = Annotated[IsoDate | None, Query(description="judge on this day (default: the status date)")]


@router.get(
    "/programs/{program_id}/benefits",
    response_model=PageOut[BenefitOut],
    summary="A program's benefits (the goal's KPI first) with realization against the path",
)
def list_benefits(
    program_id: PathId, db: Db, actor: CurrentActor, page: Page, as_of: AsOf = None
) -> PageOut[BenefitOut]:
    return paged(benefits.list_benefits(db, actor, program_id, as_of=as_of), page, BenefitOut.of)


@router.get(
    "/benefits",
    response_model=PageOut[BenefitOut],
    summary="A program's benefits (the same as /programs/{id}/benefits)",
)
def list_benefits_flat(
    db: Db,
    actor: CurrentActor,
    page: Page,
    program_id: Annotated[int, Query(ge=1, le=2**31 - 1)],
    as_of: AsOf = None,
) -> PageOut[BenefitOut]:
    return paged(benefits.list_benefits(db, actor, program_id, as_of=as_of), page, BenefitOut.of)


@router.post(
    "/benefits",
    response_model=BenefitOut,
    status_code=status.HTTP_201_CREATED,
    summary="Define a benefit KPI (manager)",
)
def create_benefit(
    body: BenefitCreate, db: Db, actor: CurrentActor, response: Response
) -> BenefitOut:
    benefit = benefits.create_benefit(db, actor, **body.model_dump())
    benefit_id = benefit.id
    commit(db)
    benefit = benefits.get_benefit(db, actor, benefit_id)
    set_etag(response, benefit.version)
    return BenefitOut.of(benefits.describe(db, benefit))


@router.get("/benefits/{benefit_id}", response_model=BenefitOut)
def get_benefit(
    benefit_id: PathId, db: Db, actor: CurrentActor, response: Response, as_of: AsOf = None
) -> BenefitOut:
    benefit = benefits.get_benefit(db, actor, benefit_id)
    set_etag(response, benefit.version)
    return BenefitOut.of(benefits.describe(db, benefit, as_of))


@router.patch(
    "/benefits/{benefit_id}", response_model=BenefitOut, summary="Change a benefit (manager)"
)
def update_benefit(
    benefit_id: PathId,
    body: BenefitUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> BenefitOut:
    benefits.update_benefit(
        db, actor, benefit_id, body.model_dump(exclude_unset=True), expected_version=version
    )
    commit(db)
    db.expire_all()
    benefit = benefits.get_benefit(db, actor, benefit_id)
    set_etag(response, benefit.version)
    return BenefitOut.of(benefits.describe(db, benefit))


@router.delete(
    "/benefits/{benefit_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a benefit and its measurements (manager)",
)
def delete_benefit(
    benefit_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion
) -> Response:
    benefits.delete_benefit(db, actor, benefit_id, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/benefits/{benefit_id}/measurements", response_model=PageOut[MeasurementOut])
def list_measurements(
    benefit_id: PathId, db: Db, actor: CurrentActor, page: Page
) -> PageOut[MeasurementOut]:
    benefit = benefits.get_benefit(db, actor, benefit_id)
    return paged(benefit.measurements, page, MeasurementOut.of)


@router.post(
    "/benefits/{benefit_id}/measurements",
    response_model=MeasurementOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record a measurement, one per day (member)",
)
def add_measurement(
    benefit_id: PathId, body: MeasurementCreate, db: Db, actor: CurrentActor
) -> MeasurementOut:
    measurement = benefits.add_measurement(db, actor, benefit_id, **body.model_dump())
    out = MeasurementOut.of(measurement)
    commit(db)
    return out


@router.delete(
    "/benefits/{benefit_id}/measurements/{measurement_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a measurement (manager)",
)
def delete_measurement(
    benefit_id: PathId, measurement_id: PathId, db: Db, actor: CurrentActor
) -> Response:
    benefits.delete_measurement(db, actor, benefit_id, measurement_id)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
