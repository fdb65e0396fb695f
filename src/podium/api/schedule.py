"""The computed schedule of a program: critical path, milestones, impact analysis, alerts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, ValidationInfo, field_validator

from podium.api.dependencies import DbId
from podium.api.deps import CurrentActor, Db, Page, commit
from podium.api.schemas import ERROR_RESPONSES, Out, PageOut, PathId, Strict
from podium.engine.impact import CHANGE_DAYS, MAX_CHANGE_DAYS
from podium.models import Alert, AlertKind, Role, Severity
from podium.services.programs import get_program
from podium.services.scheduling import alerts, reschedule_program
from podium.services.scheduling import views as schedule_views

router = APIRouter(prefix="/programs", tags=["schedule"], responses=ERROR_RESPONSES)


class ActivityRefOut(BaseModel):
    type: Literal["task", "milestone"]
    id: int
    key: str
    name: str
    project_id: int | None
    project_key: str | None


class PathStepOut(BaseModel):
    activity: ActivityRefOut
    early_start: date
    early_finish: date
    total_float: int


class MilestoneForecastOut(BaseModel):
    milestone: ActivityRefOut
    target: date | None
    fed: bool = Field(
        description="some work leads to the milestone; false for an unfed milestone (no work "
        "leads to it: the milestones API's state `unfed`), which has no forecast yet"
    )
    forecast: date | None = Field(
        description="the scheduler's forecast (its early finish); null for an unfed milestone "
        "(the scheduler only places it on the program's start or status date)"
    )
    slip: int | None = Field(
        description="working days the forecast falls past the target (negative: ahead of "
        "it); null without a target or for an unfed milestone"
    )
    total_float: int = Field(description="working days")


class CriticalPathOut(BaseModel):
    start: date | None
    finish: date | None
    critical_path: list[PathStepOut] = Field(
        description="the chain that drives the finish, in order"
    )
    critical_paths: list[list[str]] = Field(description="every critical chain, as task keys")
    projects_on_critical_path: list[str]
    near_critical: list[ActivityRefOut]


class ScheduleOut(CriticalPathOut):
    milestones: list[MilestoneForecastOut]


def _ref(ref: schedule_views.ActivityRef) -> ActivityRefOut:
    return ActivityRefOut(**ref.__dict__)


def _schedule_out(s: schedule_views.ProgramSchedule) -> ScheduleOut:
    return ScheduleOut(
        start=s.start,
        finish=s.finish,
        critical_path=[
            PathStepOut(
                activity=_ref(p.ref),
                early_start=p.early_start,
                early_finish=p.early_finish,
                total_float=p.total_float,
            )
            for p in s.critical_path
        ],
        critical_paths=s.critical_paths,
        projects_on_critical_path=s.projects_on_critical_path,
        near_critical=[_ref(r) for r in s.near_critical],
        milestones=[
            MilestoneForecastOut(
                milestone=_ref(m.ref),
                target=m.target,
                fed=m.fed,
                forecast=m.forecast if m.fed else None,
                slip=m.slip if m.fed and m.target is not None else None,
                total_float=m.total_float,
            )
            for m in s.milestones
        ],
    )


@router.get(
    "/{program_id}/schedule",
    response_model=ScheduleOut,
    summary="Start, finish, critical path and milestone forecasts",
    description="Each program milestone with its forecast and slip; a milestone no work "
    "leads to yet (`fed` false) has neither: its `forecast` and `slip` are null.",
)
def get_schedule(program_id: PathId, db: Db, actor: CurrentActor) -> ScheduleOut:
    return _schedule_out(schedule_views.program_schedule(db, actor, program_id))


@router.get(
    "/{program_id}/critical-path",
    response_model=CriticalPathOut,
    summary="The critical path across all projects of the program",
)
def get_critical_path(program_id: PathId, db: Db, actor: CurrentActor) -> CriticalPathOut:
    full = _schedule_out(schedule_views.program_schedule(db, actor, program_id))
    return CriticalPathOut(**full.model_dump(exclude={"milestones"}))


@router.post(
    "/{program_id}/reschedule",
    response_model=ScheduleOut,
    summary="Recompute the schedule now (every edit already does; for recovery)",
)
def force_reschedule(program_id: PathId, db: Db, actor: CurrentActor) -> ScheduleOut:
    get_program(db, actor, program_id, needed=Role.MANAGER)
    reschedule_program(db, program_id, triggered_by=actor.email)
    commit(db)
    return _schedule_out(schedule_views.program_schedule(db, actor, program_id))


# --- impact analysis ------------------------------------------------------------


class EndIn(Strict):
    type: Literal["task", "milestone"]
    id: int = Field(ge=1, le=2**31 - 1)


MAX_DAYS = MAX_CHANGE_DAYS


class ChangeIn(Strict):
    """One hypothetical change.

    * ``slip``: the task takes ``days`` (1 to 10000) more working days (its finish moves);
    * ``delay_start``: the task cannot start before its current start + ``days`` (1 to
      10000);
    * ``set_duration``: the task takes ``days`` (0 to 10000) working days;
    * ``add_dependency``: ``predecessor`` → ``successor`` (``dependency_type``, ``lag``);
    * ``remove_dependency``: without dependency ``dependency_id``.
    """

    type: Literal["slip", "delay_start", "set_duration", "add_dependency", "remove_dependency"]
    task_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    days: int | None = Field(
        default=None,
        description="working days: 1 to 10000 for slip and delay_start, 0 to 10000 for "
        "set_duration",
    )
    predecessor: EndIn | None = None
    successor: EndIn | None = None
    dependency_type: Literal["FS", "SS", "FF", "SF"] = "FS"
    lag: int = Field(default=0, ge=-10000, le=10000)
    dependency_id: int | None = Field(default=None, ge=1, le=2**31 - 1)

    @field_validator("days")
    @classmethod
    def _days_the_change_takes(cls, days: int | None, info: ValidationInfo) -> int | None:
        """A slip or a delay of at least one working day, a duration of at least none."""
        fewest, what = CHANGE_DAYS.get(info.data.get("type", ""), (-MAX_DAYS, "days"))
        if days is not None and not fewest <= days <= MAX_DAYS:
            raise ValueError(f"{what} is {fewest} to {MAX_DAYS} working days")
        return days


class ImpactIn(Strict):
    changes: list[ChangeIn] = Field(min_length=1, max_length=200)


class MoveOut(BaseModel):
    activity: ActivityRefOut
    early_start_before: date
    early_start_after: date
    early_finish_before: date
    early_finish_after: date
    start_delta: int = Field(description="working days")
    finish_delta: int = Field(description="working days")


class MissOut(BaseModel):
    activity: ActivityRefOut
    kind: str = Field(description="deadline, target (program milestone) or baseline")
    limit: date
    finish_before: date
    finish_after: date
    days_late_before: int
    days_late_after: int
    is_new: bool = Field(description="met before the change, missed after it")


class ProjectMovesOut(BaseModel):
    project_key: str
    moves: list[MoveOut]


class ImpactOut(BaseModel):
    finish_before: date
    finish_after: date
    finish_delta: int = Field(description="program finish, working days")
    projects_affected: list[str]
    by_project: list[ProjectMovesOut]
    milestones: list[MoveOut]
    misses: list[MissOut] = Field(
        description="deadlines and targets newly missed or missed by more"
    )
    summaries: list[MoveOut] = Field(
        default_factory=list,
        description="summary tasks whose span moves with their sub-tasks (not in by_project)",
    )


def _move(m: schedule_views.MoveView) -> MoveOut:
    return MoveOut(
        activity=_ref(m.ref),
        early_start_before=m.early_start_before,
        early_start_after=m.early_start_after,
        early_finish_before=m.early_finish_before,
        early_finish_after=m.early_finish_after,
        start_delta=m.start_delta,
        finish_delta=m.finish_delta,
    )


@router.post(
    "/{program_id}/impact",
    response_model=ImpactOut,
    summary="What would move if… (nothing is saved)",
)
def impact(program_id: PathId, body: ImpactIn, db: Db, actor: CurrentActor) -> ImpactOut:
    changes = [
        schedule_views.ChangeRequest(
            type=c.type,
            task_id=c.task_id,
            days=c.days,
            predecessor=(c.predecessor.type, c.predecessor.id) if c.predecessor else None,
            successor=(c.successor.type, c.successor.id) if c.successor else None,
            dependency_type=c.dependency_type,
            lag=c.lag,
            dependency_id=c.dependency_id,
        )
        for c in body.changes
    ]
    view = schedule_views.analyze_program_impact(db, actor, program_id, changes)
    return _impact_out(view)


class SettingsImpactIn(Strict):
    """A new start, status date or default calendar for the program, as PATCH
    /programs/{id} would take it."""

    start_date: date | None = Field(default=None, description="a new start")
    status_date: date | None = Field(
        default=None, description="a new status date; null: none (given as null, it clears it)"
    )
    calendar_id: DbId | None = Field(
        default=None,
        description="a new default calendar; null: the built-in Monday–Friday (given as "
        "null). It moves the tasks with no calendar of their own or of their project.",
    )


@router.post(
    "/{program_id}/settings/impact",
    response_model=ImpactOut,
    summary="What a new program start, status date or default calendar would move (nothing "
    "is saved)",
)
def settings_impact(
    program_id: PathId, body: SettingsImpactIn, db: Db, actor: CurrentActor
) -> ImpactOut:
    settings = {name: getattr(body, name) for name in body.model_fields_set}
    view = schedule_views.analyze_settings_impact(db, actor, program_id, settings)
    return _impact_out(view)


def _impact_out(view: schedule_views.ImpactView) -> ImpactOut:
    return ImpactOut(
        finish_before=view.finish_before,
        finish_after=view.finish_after,
        finish_delta=view.finish_delta,
        projects_affected=view.projects_affected,
        by_project=[
            ProjectMovesOut(project_key=key, moves=[_move(m) for m in moves])
            for key, moves in sorted(view.by_project.items())
        ],
        milestones=[_move(m) for m in view.milestones],
        summaries=[_move(m) for m in view.summaries],
        misses=[
            MissOut(
                activity=_ref(m.ref),
                kind=m.kind,
                limit=m.limit,
                finish_before=m.finish_before,
                finish_after=m.finish_after,
                days_late_before=m.days_late_before,
                days_late_after=m.days_late_after,
                is_new=m.is_new,
            )
            for m in view.misses
        ],
    )


# --- alerts -----------------------------------------------------------------------


class AlertOut(Out):
    id: int
    program_id: int
    kind: AlertKind
    severity: Severity
    subject_type: str
    subject_id: int
    title: str
    message: str
    cross_project: bool
    chain: list[dict[str, Any]] = Field(
        description="upstream → downstream; for an over-allocation, the tasks that collide"
    )
    summary: str = Field(
        default="",
        description="the chain on one line (PLAT-1 (PLAT) → PLAT-3 → M1), or the tasks that "
        "collide (PLAT-6 (PLAT), DATA-4 (DATA) collide)",
    )
    projects: list[str]
    details: dict[str, Any]
    triggered_by: str
    first_detected_at: datetime
    last_detected_at: datetime
    resolved_at: datetime | None


@router.get(
    "/{program_id}/alerts",
    response_model=PageOut[AlertOut],
    summary="Schedule conflicts: open, resolved or all",
)
def list_alerts(
    program_id: PathId,
    db: Db,
    actor: CurrentActor,
    page: Page,
    status: Annotated[Literal["open", "resolved", "all"], Query()] = "open",
    cross_project: Annotated[bool | None, Query()] = None,
) -> PageOut[AlertOut]:
    items, total = schedule_views.list_alerts(
        db,
        actor,
        program_id,
        status=status,
        cross_project=cross_project,
        limit=page.limit,
        offset=page.offset,
    )
    return PageOut(
        items=[_alert_out(a) for a in items], total=total, limit=page.limit, offset=page.offset
    )


@router.get(
    "/{program_id}/alerts/{alert_id}",
    response_model=AlertOut,
    summary="One alert, open or resolved",
)
def get_alert(program_id: PathId, alert_id: PathId, db: Db, actor: CurrentActor) -> AlertOut:
    return _alert_out(alerts.get_alert(db, actor, program_id, alert_id))


def _alert_out(alert: Alert) -> AlertOut:
    return AlertOut.model_validate(alert).model_copy(update={"summary": alerts.chain_text(alert)})
