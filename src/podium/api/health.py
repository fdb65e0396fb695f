"""Health (red/amber/green with reasons), its rules and history, and earned value."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Body, Query, Response, status
from pydantic import BaseModel, Field

from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, paged, set_etag
from podium.api.schemas import ERROR_RESPONSES, IsoDate, PageOut, PathId
from podium.engine.evm import EacFormula, EarnedValue
from podium.engine.health import Health, describe_rules
from podium.models import Role
from podium.services import health as health_service
from podium.services.performance import performance_curves, program_performance
from podium.services.programs import get_program

router = APIRouter(prefix="/programs", tags=["health and earned value"], responses=ERROR_RESPONSES)

Status = Literal["green", "amber", "red"]
# "no_plan": a project or the program with no scheduled work yet (no task, no milestone
# with a date): nothing to be on plan against, so not green
HealthStatus = Literal["no_plan", "green", "amber", "red"]


class RefOut(BaseModel):
    kind: str
    id: int | str
    key: str


class ReasonOut(BaseModel):
    rule: str
    severity: Status
    message: str
    ref: RefOut
    value: float | None
    limit: float | None


class HealthOut(BaseModel):
    ref: RefOut
    status: HealthStatus = Field(
        description="red, amber or green; no_plan for a project or the program with no "
        "scheduled work yet (no task, no milestone with a date) and no rule firing"
    )
    reasons: list[ReasonOut]
    planned: bool = Field(
        description="false for a project or the program with no scheduled work yet "
        "(a risk or benefit may still make it amber or red)"
    )


class ProgramHealthOut(BaseModel):
    status_date: date
    program: HealthOut
    projects: list[HealthOut]
    milestones: list[HealthOut]
    tasks: list[HealthOut] = Field(description="tasks that are not green")
    task_counts: dict[str, int]
    baseline: str | None = Field(description="the baseline slips and planned value come from")


def _health(h: Health) -> HealthOut:
    return HealthOut(
        ref=RefOut(kind=h.ref.kind, id=h.ref.id, key=h.ref.key),
        status=h.status,
        reasons=[ReasonOut(**health_service.reason_json(r)) for r in h.reasons],
        planned=h.planned,
    )


@router.get(
    "/{program_id}/health",
    response_model=ProgramHealthOut,
    summary="Red, amber or green for the program, its projects, milestones and tasks — and why",
)
def get_health(
    program_id: PathId,
    db: Db,
    actor: CurrentActor,
    status_date: Annotated[IsoDate | None, Query(description="default: the program's")] = None,
) -> ProgramHealthOut:
    h = health_service.program_health(db, actor, program_id, status_date=status_date)
    report = h.report
    return ProgramHealthOut(
        status_date=h.performance.status_date,
        program=_health(report.program),
        projects=[_health(p) for p in report.projects.values()],
        milestones=[_health(m) for m in report.milestones.values()],
        tasks=[_health(t) for t in report.tasks if t.status != "green"],
        task_counts=report.tasks.counts(),
        baseline=h.performance.baseline.name if h.performance.baseline else None,
    )


class RulesOut(BaseModel):
    rules: dict[str, Any] = Field(description="the settings in force (PUT them back, changed)")
    catalogue: list[dict[str, Any]] = Field(description="every rule, its parameters and defaults")


@router.get("/{program_id}/health/rules", response_model=RulesOut)
def get_rules(program_id: PathId, db: Db, actor: CurrentActor, response: Response) -> RulesOut:
    """The rules in force; the ETag is the program's version, which a PUT's If-Match names
    (the rules are part of the program's settings)."""
    program = get_program(db, actor, program_id)
    set_etag(response, program.version)
    return RulesOut(
        rules=health_service.program_rules(program).to_json(), catalogue=describe_rules()
    )


@router.put(
    "/{program_id}/health/rules", response_model=RulesOut, summary="Tune the health rules (owner)"
)
def put_rules(
    program_id: PathId,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
    rules: Annotated[
        dict[str, Any],
        Body(description="as GET returns them; omitted settings keep their defaults"),
    ],
) -> RulesOut:
    tuned = health_service.update_rules(db, actor, program_id, rules, expected_version=version)
    commit(db)
    set_etag(response, get_program(db, actor, program_id).version)
    return RulesOut(rules=tuned.to_json(), catalogue=describe_rules())


class SnapshotOut(BaseModel):
    as_of: date
    status: HealthStatus
    spi: float | None
    cpi: float | None
    projects: dict[str, str]
    reasons: list[dict[str, Any]]
    recorded_at: datetime


@router.get(
    "/{program_id}/health/history", response_model=PageOut[SnapshotOut], summary="Health over time"
)
def get_history(
    program_id: PathId, db: Db, actor: CurrentActor, page: Page
) -> PageOut[SnapshotOut]:
    return paged(
        health_service.health_history(db, actor, program_id),
        page,
        lambda s: SnapshotOut.model_validate(s, from_attributes=True),
    )


@router.post(
    "/{program_id}/health/snapshots",
    response_model=SnapshotOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record today's health for the trend (manager; `podium health --record` from cron)",
)
def record_snapshot(program_id: PathId, db: Db, actor: CurrentActor) -> SnapshotOut:
    get_program(db, actor, program_id, needed=Role.MANAGER)
    snapshot = health_service.record_snapshot(db, actor, program_id)
    commit(db)
    return SnapshotOut.model_validate(snapshot, from_attributes=True)


# --- earned value -------------------------------------------------------------------


class EarnedValueOut(BaseModel):
    id: str
    bac: float
    pv: float
    ev: float
    ac: float
    sv: float
    cv: float
    spi: float | None
    cpi: float | None
    eac: float | None
    etc: float | None
    vac: float | None
    tcpi_bac: float | None
    tcpi_eac: float | None


class ProgramEarnedValueOut(BaseModel):
    status_date: date
    baseline: str | None
    eac_formula: str
    program: EarnedValueOut
    projects: list[EarnedValueOut]


def _ev(row: EarnedValue) -> EarnedValueOut:
    return EarnedValueOut(**{name: getattr(row, name) for name in EarnedValueOut.model_fields})


@router.get(
    "/{program_id}/earned-value",
    response_model=ProgramEarnedValueOut,
    summary="BAC, PV, EV, AC, SV, CV, SPI, CPI, EAC, ETC, VAC, TCPI: program and projects",
)
def get_earned_value(
    program_id: PathId,
    db: Db,
    actor: CurrentActor,
    status_date: Annotated[IsoDate | None, Query(description="default: the program's")] = None,
    eac_formula: Annotated[
        EacFormula,
        Query(
            description="cpi: BAC/CPI; budget_rate: AC+(BAC−EV); "
            "cpi_spi: AC+(BAC−EV)/(CPI×SPI); bottom_up: AC+ETC"
        ),
    ] = "cpi",
) -> ProgramEarnedValueOut:
    perf = program_performance(
        db, actor, program_id, status_date=status_date, eac_formula=eac_formula
    )
    projects = perf.result.projects
    return ProgramEarnedValueOut(
        status_date=perf.status_date,
        baseline=perf.baseline.name if perf.baseline else None,
        eac_formula=perf.result.formula,
        program=_ev(perf.result.program),
        projects=[_ev(projects[key]) for key in projects.ids],
    )


class CurveOut(BaseModel):
    pv: list[float | None]
    ev: list[float | None]
    ac: list[float | None]


class SCurvesOut(BaseModel):
    dates: list[date]
    program: CurveOut
    projects: dict[str, CurveOut]


def _values(column: Any) -> list[float | None]:
    return [None if np.isnan(v) else round(float(v), 2) for v in column]


@router.get(
    "/{program_id}/earned-value/curves",
    response_model=SCurvesOut,
    summary="Time-phased PV, EV and AC (S-curves) for the program and each project",
)
def get_curves(
    program_id: PathId,
    db: Db,
    actor: CurrentActor,
    step_days: Annotated[int, Query(ge=1, le=92)] = 7,
    status_date: Annotated[
        IsoDate | None, Query(description="default: the program's; EV and AC stop there")
    ] = None,
) -> SCurvesOut:
    perf = program_performance(db, actor, program_id, status_date=status_date)
    curves = performance_curves(perf, step_days=step_days)
    return SCurvesOut(
        dates=curves.dates.astype(object).tolist(),
        program=CurveOut(
            pv=_values(curves.program.pv),
            ev=_values(curves.program.ev),
            ac=_values(curves.program.ac),
        ),
        projects={
            key: CurveOut(pv=_values(c.pv), ev=_values(c.ev), ac=_values(c.ac))
            for key, c in curves.groups.items()
        },
    )
