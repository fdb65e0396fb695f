"""Programs, their members and their audit log."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import object_session

from podium.api.audit import AuditOut, page_of
from podium.api.audit import Filters as AuditFilters
from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, paged, set_etag
from podium.api.schemas import ERROR_RESPONSES, Email, Out, PageOut, PathId, Strict
from podium.errors import ValidationFailed
from podium.models import Program, ProgramStatus, Role
from podium.services import audit, programs
from podium.services.forecasts import ForecastGlance, forecast_glance, forecast_glances
from podium.services.programs import GOAL_VALUE_MOST

router = APIRouter(prefix="/programs", tags=["programs"], responses=ERROR_RESPONSES)

KEY_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,19}$"


MAX_INT = 2_147_483_647  # the database's INTEGER
CalendarId = Annotated[int, Field(ge=1, le=MAX_INT)]
GoalValue = Annotated[float, Field(ge=-GOAL_VALUE_MOST, le=GOAL_VALUE_MOST, allow_inf_nan=False)]


class GoalIn(Strict):
    """The program's goal statement."""

    outcome: str = Field(default="", max_length=2000)
    measure: str = Field(default="", max_length=200)
    unit: str = Field(default="", max_length=50)
    baseline_value: GoalValue | None = None
    target_value: GoalValue | None = None
    target_date: date | None = None


class GoalOut(BaseModel):
    outcome: str
    measure: str
    unit: str
    baseline_value: float | None
    target_value: float | None
    target_date: date | None


CurrencyIn = Annotated[
    str | None,
    Field(
        max_length=20,
        description="ISO 4217 code its amounts are in (any case; stored in capitals); "
        "null or empty: none",
        examples=["EUR"],
    ),
]


class ProgramCreate(Strict):
    key: str = Field(pattern=KEY_PATTERN, examples=["CLOUD"])
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10000)
    start_date: date
    status: ProgramStatus = ProgramStatus.ACTIVE
    calendar_id: CalendarId | None = None
    status_date: date | None = None
    currency: CurrencyIn = None
    goal: GoalIn = Field(default_factory=GoalIn)


class ProgramUpdate(Strict):
    key: str | None = Field(default=None, pattern=KEY_PATTERN)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10000)
    start_date: date | None = None
    status: ProgramStatus | None = None
    calendar_id: CalendarId | None = None
    status_date: date | None = None
    currency: CurrencyIn = None
    goal: GoalIn | None = None


class ProgramLatestForecastOut(BaseModel):
    """The newest Monte Carlo forecast of the program, as its overview shows it."""

    forecast_id: int = Field(description="GET /api/v1/forecasts/{forecast_id} reads it whole")
    created_at: datetime
    p80_finish: date | None = Field(
        description="the program finishes by this date in 80 % of the simulated runs"
    )
    goal_probability: float | None = Field(
        description="the share of simulated runs (0 to 1) finishing by goal_date; "
        "null when the program had no goal date when the forecast ran"
    )
    goal_date: date | None = Field(
        description="the goal's target date goal_probability is counted against, as it was "
        "when the forecast ran (it may have changed since)"
    )
    plan_changed_since: bool = Field(
        description="the plan was written since this forecast ran: its dates read an older "
        "plan (run a new forecast)"
    )

    @classmethod
    def of(cls, glance: ForecastGlance) -> ProgramLatestForecastOut:
        return cls(
            forecast_id=glance.forecast_id,
            created_at=glance.created_at,
            p80_finish=glance.program_p80,
            goal_probability=glance.program_probability,
            goal_date=glance.goal_date,
            plan_changed_since=glance.plan_changed,
        )


class ProgramOut(Out):
    id: int
    key: str
    name: str
    description: str
    status: ProgramStatus
    start_date: date
    calendar_id: int | None
    goal: GoalOut
    status_date: date | None = Field(
        description="progress is reported as of this date; remaining work is scheduled from it on"
    )
    currency: str | None = Field(
        description="the ISO 4217 code its amounts (budgets, costs, earned value) are in; "
        "null: amounts without a currency"
    )
    scheduled_start: date | None = Field(description="computed: start of the earliest work")
    scheduled_finish: date | None = Field(description="computed: finish of the latest work")
    latest_forecast: ProgramLatestForecastOut | None = Field(
        default=None,
        description="the newest Monte Carlo forecast: its P80 finish and the odds of the goal "
        "date beside the scheduled finish; null: no forecast run yet",
    )
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, p: Program, *, glances: Mapping[int, ForecastGlance] | None = None) -> ProgramOut:
        """The program as the API shows it; ``glances``: the newest forecasts of the programs
        shown (looked up for this one when not given)."""
        if glances is None:
            session = object_session(p)
            glances = {}
            if session is not None and (glance := forecast_glance(session, p.id)) is not None:
                glances = {p.id: glance}
        glance = glances.get(p.id)
        return cls(
            id=p.id,
            key=p.key,
            name=p.name,
            description=p.description,
            status=p.status,
            start_date=p.start_date,
            calendar_id=p.calendar_id,
            goal=GoalOut(
                outcome=p.goal_outcome,
                measure=p.goal_measure,
                unit=p.goal_unit,
                baseline_value=p.goal_baseline_value,
                target_value=p.goal_target_value,
                target_date=p.goal_target_date,
            ),
            status_date=p.status_date,
            currency=p.currency,
            scheduled_start=p.scheduled_start,
            scheduled_finish=p.scheduled_finish,
            latest_forecast=ProgramLatestForecastOut.of(glance) if glance is not None else None,
            version=p.version,
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


def _program_fields(body: Strict, *, partial: bool) -> dict[str, Any]:
    data = body.model_dump(exclude_unset=partial, exclude={"goal"})
    if partial:
        for required in ("key", "name", "start_date", "status"):
            if required in data and data[required] is None:
                data.pop(required)
    goal = getattr(body, "goal", None)
    if goal is not None:
        for name, value in goal.model_dump(exclude_unset=partial).items():
            data[f"goal_{name}"] = value
    return data


@contextmanager
def _goal_fields() -> Iterator[None]:
    """The service's refusals name the goal's fields as stored (``goal_target_date``); the
    body holds them in ``goal`` (``goal.target_date``)."""
    try:
        yield
    except ValidationFailed as exc:
        details = exc.details if isinstance(exc.details, list) else []
        for detail in details:
            field = detail.get("field") if isinstance(detail, dict) else None
            if isinstance(field, str) and field.startswith("goal_"):
                detail["field"] = "goal." + field.removeprefix("goal_")
                exc.message = exc.message.replace(field, detail["field"], 1)
        raise


@router.get("", response_model=PageOut[ProgramOut], summary="List the programs you belong to")
def list_programs(
    db: Db,
    actor: CurrentActor,
    page: Page,
    status: Annotated[ProgramStatus | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200, description="text in the key or name")] = None,
) -> PageOut[ProgramOut]:
    items, total = programs.list_programs(
        db,
        actor,
        status=status.value if status else None,
        q=q,
        limit=page.limit,
        offset=page.offset,
    )
    glances = forecast_glances(db, [p.id for p in items])  # one query for the page
    return PageOut(
        items=[ProgramOut.of(p, glances=glances) for p in items],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "",
    response_model=ProgramOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a program (you become its owner)",
)
def create_program(
    body: ProgramCreate, db: Db, actor: CurrentActor, response: Response
) -> ProgramOut:
    fields = _program_fields(body, partial=False)
    with _goal_fields():
        program = programs.create_program(db, actor, **fields)
    commit(db)
    set_etag(response, program.version)
    return ProgramOut.of(program)


@router.get("/{program_id}", response_model=ProgramOut)
def get_program(program_id: PathId, db: Db, actor: CurrentActor, response: Response) -> ProgramOut:
    program = programs.get_program(db, actor, program_id)
    set_etag(response, program.version)
    return ProgramOut.of(program)


@router.patch("/{program_id}", response_model=ProgramOut, summary="Change a program (owner)")
def update_program(
    program_id: PathId,
    body: ProgramUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> ProgramOut:
    nulled = [
        f
        for f in ("key", "name", "start_date", "status")
        if f in body.model_fields_set and getattr(body, f) is None
    ]
    if nulled:  # a program always has them: left out, they stay; null is a mistake
        raise ValidationFailed(
            f"invalid fields: {', '.join(nulled)}",
            details=[
                {"field": f, "message": "may be left out but not set to null"} for f in nulled
            ],
        )
    with _goal_fields():
        program = programs.update_program(
            db, actor, program_id, _program_fields(body, partial=True), expected_version=version
        )
    commit(db)
    set_etag(response, program.version)
    return ProgramOut.of(program)


@router.delete(
    "/{program_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a program and all it holds (owner)",
)
def delete_program(
    program_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion
) -> Response:
    programs.delete_program(db, actor, program_id, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- members -----------------------------------------------------------------


class MemberIn(Strict):
    email: Email
    role: Role


class MemberUpdate(Strict):
    role: Role


class MemberOut(BaseModel):
    user_id: int
    email: str
    name: str
    role: Role
    version: int


@router.get("/{program_id}/members", response_model=PageOut[MemberOut])
def list_members(program_id: PathId, db: Db, actor: CurrentActor, page: Page) -> PageOut[MemberOut]:
    return paged(
        programs.list_members(db, actor, program_id),
        page,
        lambda row: MemberOut(
            user_id=row[1].id,
            email=row[1].email,
            name=row[1].name,
            role=row[0].role,
            version=row[0].version,
        ),
    )


@router.post(
    "/{program_id}/members",
    response_model=MemberOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a member (owner)",
)
def add_member(
    program_id: PathId, body: MemberIn, db: Db, actor: CurrentActor, response: Response
) -> MemberOut:
    m = programs.add_member(db, actor, program_id, email=body.email, role=body.role)
    commit(db)
    set_etag(response, m.version)
    user = next(u for mm, u in programs.list_members(db, actor, program_id) if mm.id == m.id)
    return MemberOut(
        user_id=user.id, email=user.email, name=user.name, role=m.role, version=m.version
    )


@router.patch(
    "/{program_id}/members/{user_id}",
    response_model=MemberOut,
    summary="Change a member's role (owner)",
)
def change_member(
    program_id: PathId,
    user_id: PathId,
    body: MemberUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> MemberOut:
    m = programs.change_member_role(
        db, actor, program_id, user_id, body.role, expected_version=version
    )
    commit(db)
    set_etag(response, m.version)
    user = next(u for mm, u in programs.list_members(db, actor, program_id) if mm.id == m.id)
    return MemberOut(
        user_id=user.id, email=user.email, name=user.name, role=m.role, version=m.version
    )


@router.delete(
    "/{program_id}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a member (owner)",
)
def remove_member(
    program_id: PathId, user_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion
) -> Response:
    programs.remove_member(db, actor, program_id, user_id, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- audit -------------------------------------------------------------------


@router.get(
    "/{program_id}/audit",
    response_model=PageOut[AuditOut],
    summary="Every change in the program, newest first",
)
def list_audit(
    program_id: PathId, db: Db, actor: CurrentActor, page: Page, wanted: AuditFilters
) -> PageOut[AuditOut]:
    programs.get_program(db, actor, program_id)
    items, total = audit.list_entries(
        db, program_id=program_id, wanted=wanted, limit=page.limit, offset=page.offset
    )
    return page_of(items, total, page)
