"""Monte Carlo forecasts of a program: run (managers), list, read, and the P80 trend."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from podium.api.deps import CurrentActor, Db, Page, commit, paged
from podium.api.schemas import ERROR_RESPONSES, PageOut, PathId, Strict
from podium.models import Forecast
from podium.services import forecasts
from podium.services.forecasts import MAX_ITERATIONS, MIN_ITERATIONS, ForecastSettings

router = APIRouter(tags=["forecasts"], responses=ERROR_RESPONSES)


class ForecastCreate(Strict):
    iterations: int = Field(default=5000, ge=MIN_ITERATIONS, le=MAX_ITERATIONS)
    seed: int | None = Field(default=None, ge=0, lt=2**63, description="same seed, same result")
    distribution: Literal["pert", "triangular"] = "pert"
    default_uncertainty: float = Field(
        default=0.2,
        ge=0,
        le=0.9,
        description="± share of the duration for tasks without a three-point estimate (0: fixed)",
    )
    include_risks: bool = Field(default=True, description="simulate the register's risk events")


class ForecastSummary(BaseModel):
    id: int
    program_id: int
    created_at: datetime
    created_by: str
    iterations: int
    seed: int
    distribution: str
    default_uncertainty: float
    include_risks: bool
    program_finish: date | None = Field(description="the deterministic finish")
    program_p80: date | None
    plan_changed_since: bool = Field(
        description="the plan was written since this forecast ran: its dates read an older "
        "plan (run a new forecast)"
    )


class ForecastOut(ForecastSummary):
    inputs: dict[str, Any]
    results: dict[str, Any] = Field(
        description="program, milestones, projects (finish, target, p10/p50/p80/p90, mean,"
        " probability, histogram [first, last, count, cumulative]: bars of the same number of"
        " working days of the program's calendar each), criticality, tornado"
    )


class TrendPointOut(BaseModel):
    forecast_id: int
    created_at: datetime
    program_finish: date | None
    program_p80: date | None
    milestones: dict[str, str | None]


def _summary(db: Session, f: Forecast) -> dict[str, Any]:
    stored = (name for name in ForecastSummary.model_fields if name != "plan_changed_since")
    return {name: getattr(f, name) for name in stored} | {
        "plan_changed_since": forecasts.plan_changed_since(db, f)
    }


@router.post(
    "/programs/{program_id}/forecast",
    response_model=ForecastOut,
    status_code=status.HTTP_201_CREATED,
    summary="Run a Monte Carlo forecast of the program and store it (manager)",
)
def run_forecast(
    program_id: PathId, body: ForecastCreate, db: Db, actor: CurrentActor
) -> ForecastOut:
    settings = ForecastSettings(**body.model_dump())
    forecast = forecasts.run_forecast(db, actor, program_id, settings)
    commit(db)
    return ForecastOut(**_summary(db, forecast), inputs=forecast.inputs, results=forecast.results)


@router.get("/programs/{program_id}/forecasts", response_model=PageOut[ForecastSummary])
def list_forecasts(
    program_id: PathId, db: Db, actor: CurrentActor, page: Page
) -> PageOut[ForecastSummary]:
    """Stored forecasts, newest first."""
    found = forecasts.list_forecasts(db, actor, program_id)
    return paged(found, page, lambda f: ForecastSummary(**_summary(db, f)))


@router.get("/forecasts/{forecast_id}", response_model=ForecastOut)
def get_forecast(forecast_id: PathId, db: Db, actor: CurrentActor) -> ForecastOut:
    forecast = forecasts.get_forecast(db, actor, forecast_id)
    return ForecastOut(**_summary(db, forecast), inputs=forecast.inputs, results=forecast.results)


@router.get("/programs/{program_id}/forecast-trend", response_model=PageOut[TrendPointOut])
def forecast_trend(
    program_id: PathId, db: Db, actor: CurrentActor, page: Page
) -> PageOut[TrendPointOut]:
    """The P80 of the program and of each milestone in every stored forecast, oldest first."""
    return paged(
        forecasts.forecast_trend(db, actor, program_id),
        page,
        lambda p: TrendPointOut(
            forecast_id=p.forecast_id,
            created_at=p.created_at,
            program_finish=p.program_finish,
            program_p80=p.program_p80,
            milestones=p.milestones,
        ),
    )
