"""A program's resource load, and leveling it: preview, apply as holds, clear."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from podium.api.deps import CurrentActor, Db, commit
from podium.api.resources import (
    BucketOut,
    DateQuery,
    LoadResourceOut,
    OverloadOut,
    Period,
    PeriodQuery,
)
from podium.api.schemas import ERROR_RESPONSES, Number, PathId, Strict
from podium.services.resources import holds, leveling, load
from podium.services.resources.leveling import MAX_TIME_LIMIT, MAX_WEIGHT
from podium.services.resources.leveling_outcome import LevelingOutcome

router = APIRouter(prefix="/programs", tags=["leveling"], responses=ERROR_RESPONSES)

WeightKey = Annotated[str, Field(min_length=1, max_length=100)]
Weight = Annotated[int, Number, Field(ge=0, le=MAX_WEIGHT)]


class ProgramBucketOut(BucketOut):
    demand_here: float = Field(description="unit-days asked by this program")
    demand_elsewhere: float = Field(description="unit-days asked by other programs")


class ProgramResourceLoadOut(BaseModel):
    resource: LoadResourceOut
    buckets: list[ProgramBucketOut]
    overloads: list[OverloadOut]
    over_allocated_days: int
    peak_utilization: float | None = Field(description="highest daily demand / capacity")


class ProgramLoadOut(BaseModel):
    program_id: int
    period: Period
    start: date | None
    finish: date | None
    next_start: date | None = Field(
        description=f"the window was cut (one answer reads at most {load.MAX_DAYS:,} days "
        "from its start) and the bookings go on after `finish`: ask again with `start` = "
        "this day for the next days; null: nothing was left out"
    )
    resources: list[ProgramResourceLoadOut] = Field(description="every resource it assigns")


class LevelIn(Strict):
    method: Literal["heuristic", "optimal"] | None = Field(
        default=None,
        description="heuristic (the default, about a second) or optimal (CP-SAT); not with "
        "preview_id",
    )
    time_limit: float | None = Field(
        default=None,
        gt=0,
        le=MAX_TIME_LIMIT,
        allow_inf_nan=False,
        description="seconds; default 1 (heuristic) or 10 (optimal); not with preview_id",
    )
    weights: dict[WeightKey, Weight] | None = Field(
        default=None,
        max_length=1000,
        description="optimal only: task, milestone or project key → weight of its delay; "
        "not with preview_id",
        examples=[{"M1": 10, "PLAT": 3}],
    )
    apply: bool = Field(default=False, description="store the result as leveling holds")
    schedule_token: str | None = Field(
        default=None,
        max_length=200,
        description="with apply, leveling afresh: the preview's token; the apply is refused "
        "(409) if the plan changed since; not with preview_id",
    )
    preview_id: int | None = Field(
        default=None,
        ge=1,
        description="with apply, and alone: store exactly this preview's result, without "
        "leveling again (404 once it is no longer kept, 409 if the plan changed since or it "
        "was already applied; 422 without apply or with method, time_limit, weights or "
        "schedule_token: the preview has its own)",
    )


class ResourceRefOut(BaseModel):
    key: str
    name: str


class LevelMoveOut(BaseModel):
    type: Literal["task", "milestone"] = Field(
        description="what id refers to: a task (a milestone task too) or a program milestone"
    )
    id: int
    key: str
    name: str
    project_key: str | None
    start_before: date | None
    finish_before: date | None
    start_after: date
    finish_after: date
    finish_delay_days: int = Field(
        description="working days (of the program's calendar) its finish moves"
    )
    leveling_delay_days: int = Field(
        description="working days (of the program's calendar) leveling delays its finish "
        "past its critical-path finish without leveling holds"
    )
    held_by: list[ResourceRefOut] = Field(
        default_factory=list,
        description="the resources whose capacity kept it from starting as soon as its "
        "predecessors allowed",
    )
    after_moved_predecessor: bool = Field(
        default=False, description="its predecessors, as leveled, start it later"
    )
    why: str = Field(
        description="why it moves, in words, as the web page and the CLI say it: "
        "'waits for Ana Lima'; 'follows a moved predecessor'; moved earlier by a re-leveling, "
        "'room found sooner; still waits for …' or 'room found sooner: no longer delayed by "
        "leveling' (empty: neither a resource nor a predecessor holds it, e.g. a milestone "
        "after a moved task)"
    )


class LevelMilestoneOut(LevelMoveOut):
    target: date | None
    misses_target: bool


class RemainingTaskOut(BaseModel):
    key: str
    name: str
    program_key: str
    why: Literal["started", "finished", "pinned", "elsewhere", ""] = Field(
        description="why leveling does not move it: started, finished, pinned (mso/mfo), "
        "another program's work (elsewhere), or empty for work it may move"
    )


class RemainingOut(BaseModel):
    resource: ResourceRefOut
    start: date
    finish: date
    days: int = Field(description="days over capacity in the period")
    peak_demand: float
    capacity: float
    tasks: list[RemainingTaskOut] = Field(description="the colliding tasks the caller sees")
    hidden_tasks: int = Field(description="colliding tasks in programs the caller cannot see")


class LevelOut(BaseModel):
    program_id: int
    method: Literal["heuristic", "optimal"]
    optimal: bool = Field(description="proven optimal (optimal method only)")
    status: str
    seconds: float
    time_limit: float
    finish_before: date | None
    finish_after: date | None
    over_allocated_days_before: int = Field(
        description="resource-days over capacity from the status date on (each resource's "
        "over-allocated days, added up), as scheduled now"
    )
    over_allocated_days_after: int = Field(description="the same, after leveling")
    moves: list[LevelMoveOut] = Field(description="tasks that move, the most delayed first")
    milestones: list[LevelMilestoneOut] = Field(
        description="milestones that move: program milestones (type milestone) and "
        "milestone tasks (type task)"
    )
    remaining: list[RemainingOut] = Field(
        description="over-allocations leveling leaves: they involve work it may not move"
    )
    unchanged_tasks: int
    other_programs: list[str] = Field(
        description="programs whose work on a shared resource was kept free (their keys)"
    )
    other_programs_hidden: int = Field(
        description="how many more such programs, which the caller may not see"
    )
    schedule_token: str | None = Field(description="send it back with apply")
    preview_id: int | None = Field(
        description="the kept preview: send it back with apply to store exactly this result"
    )
    applied: bool
    message: str

    @classmethod
    def of(cls, o: LevelingOutcome) -> LevelOut:
        return cls(
            program_id=o.program_id,
            method=o.method,
            optimal=o.optimal,
            status=o.status,
            seconds=o.seconds,
            time_limit=o.time_limit,
            finish_before=o.finish_before,
            finish_after=o.finish_after,
            over_allocated_days_before=o.over_allocated_days_before,
            over_allocated_days_after=o.over_allocated_days_after,
            moves=[LevelMoveOut(**_move(m)) for m in o.moves],
            milestones=[LevelMilestoneOut(**_move(m)) for m in o.milestones],
            remaining=[RemainingOut(**r) for r in o.remaining],
            unchanged_tasks=o.unchanged_tasks,
            other_programs=o.other_programs,
            other_programs_hidden=o.other_programs_hidden,
            schedule_token=o.schedule_token,
            preview_id=o.preview_id,
            applied=o.applied,
            message=o.message,
        )


def _move(entry: dict[str, Any]) -> dict[str, Any]:
    """A move as read: ``type`` and ``id`` instead of the internal reference."""
    fields = {k: v for k, v in entry.items() if k != "ref"}
    fields["type"] = "milestone" if entry["ref"].startswith("m") else "task"
    return fields


class ClearedOut(BaseModel):
    cleared: int = Field(description="tasks that had a leveling hold")
    message: str

    @classmethod
    def of(cls, cleared: int) -> ClearedOut:
        return cls(cleared=cleared, message=holds.cleared_message(cleared))


@router.get(
    "/{program_id}/resource-load",
    response_model=ProgramLoadOut,
    summary="Load of every resource the program assigns: demand here and elsewhere, capacity",
)
def get_program_resource_load(
    program_id: PathId,
    db: Db,
    actor: CurrentActor,
    period: PeriodQuery = "week",
    start: DateQuery = None,
    finish: DateQuery = None,
) -> ProgramLoadOut:
    return ProgramLoadOut.model_validate(
        load.program_resource_load(db, actor, program_id, period=period, start=start, finish=finish)
    )


@router.post(
    "/{program_id}/level",
    response_model=LevelOut,
    summary="Level the program's resources: a preview, or apply as leveling holds (manager)",
)
def level_program(program_id: PathId, body: LevelIn, db: Db, actor: CurrentActor) -> LevelOut:
    outcome = leveling.level_program(
        db,
        actor,
        program_id,
        method=body.method,
        time_limit=body.time_limit,
        weights=body.weights,
        apply=body.apply,
        schedule_token=body.schedule_token,
        preview_id=body.preview_id,
    )
    commit(db)  # the holds applied, or the preview kept
    return LevelOut.of(outcome)


@router.post(
    "/{program_id}/level/clear",
    response_model=ClearedOut,
    summary="Remove every leveling hold of the program (manager)",
)
def clear_leveling(program_id: PathId, db: Db, actor: CurrentActor) -> ClearedOut:
    cleared = holds.clear_leveling(db, actor, program_id)
    commit(db)
    return ClearedOut.of(cleared)
