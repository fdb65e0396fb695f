"""Resources API: people, teams and equipment shared by every program, and their load."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field, field_validator

from podium.api.dependencies import DbId, IdFilter, NoNul, refuse_null
from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, set_etag
from podium.api.schemas import ERROR_RESPONSES, IsoDate, PageOut, PathId, Strict
from podium.engine.leveling.model import MAX_CAPACITY
from podium.models import Resource, ResourceKind
from podium.services.resources import catalog, load
from podium.services.resources.catalog import TimeOff

router = APIRouter(prefix="/resources", tags=["resources"], responses=ERROR_RESPONSES)

KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,39}$"
MAX_COST_RATE = 1e9

Period = Literal["day", "week", "month"]
SearchText = Annotated[
    str | None, Query(max_length=200, description="text in the key or name"), NoNul
]
Capacity = Annotated[float, Field(gt=0, le=MAX_CAPACITY, allow_inf_nan=False)]
HoursPerDay = Annotated[float, Field(gt=0, le=24, allow_inf_nan=False)]
CostRate = Annotated[float, Field(ge=0, le=MAX_COST_RATE, allow_inf_nan=False)]


class TimeOffIn(Strict):
    """Days off, both ends included."""

    start: date
    finish: date
    note: Annotated[str, NoNul] = Field(default="", max_length=200)


class ResourceCreate(Strict):
    key: str = Field(pattern=KEY_PATTERN, examples=["ana"], description="unique, ignoring case")
    name: Annotated[str, NoNul] = Field(min_length=1, max_length=200)
    kind: ResourceKind = ResourceKind.PERSON
    description: Annotated[str, NoNul] = Field(default="", max_length=10000)
    capacity: Capacity = Field(default=1.0, description="units per working day (1 = full time)")
    hours_per_day: HoursPerDay = 8.0
    cost_rate: CostRate = Field(default=0.0, description="cost of one hour (money)")
    calendar_id: DbId | None = Field(default=None, description="none: works when its tasks do")
    time_off: list[TimeOffIn] = Field(default_factory=list, max_length=1000)
    user_id: DbId | None = Field(default=None, description="the account of this person")
    active: bool = True


class ResourceUpdate(Strict):
    """Only the fields sent change; ``time_off`` replaces the list."""

    key: str | None = Field(default=None, pattern=KEY_PATTERN)
    name: Annotated[str | None, NoNul] = Field(default=None, min_length=1, max_length=200)
    kind: ResourceKind | None = None
    description: Annotated[str | None, NoNul] = Field(default=None, max_length=10000)
    capacity: Capacity | None = None
    hours_per_day: HoursPerDay | None = None
    cost_rate: CostRate | None = None
    calendar_id: DbId | None = None
    time_off: list[TimeOffIn] | None = Field(
        default=None, max_length=1000, description="replaces the list"
    )
    user_id: DbId | None = None
    active: bool | None = None

    _not_null = field_validator(
        "key",
        "name",
        "kind",
        "description",
        "capacity",
        "hours_per_day",
        "cost_rate",
        "time_off",
        "active",
    )(refuse_null)


class TimeOffOut(BaseModel):
    start: date
    finish: date
    note: str


class ResourceOut(BaseModel):
    id: int
    key: str
    name: str
    kind: ResourceKind
    description: str
    capacity: float
    hours_per_day: float
    cost_rate: float
    calendar_id: int | None
    time_off: list[TimeOffOut]
    user_id: int | None
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, r: Resource) -> ResourceOut:
        return cls(
            id=r.id,
            key=r.key,
            name=r.name,
            kind=r.kind,
            description=r.description,
            capacity=r.capacity,
            hours_per_day=r.hours_per_day,
            cost_rate=r.cost_rate,
            calendar_id=r.calendar_id,
            time_off=[
                TimeOffOut(start=p.start, finish=p.finish, note=p.note)
                for p in catalog.time_off_of(r)
            ],
            user_id=r.user_id,
            active=r.active,
            version=r.version,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )


def _service_fields(body: ResourceCreate | ResourceUpdate, *, partial: bool) -> dict[str, Any]:
    fields = body.model_dump(exclude_unset=partial, exclude={"time_off"})
    if body.time_off is not None:  # None: left out of a change (an explicit null is refused)
        fields["time_off"] = [TimeOff(p.start, p.finish, p.note) for p in body.time_off]
    return fields


# --- load: shared with the program's resource load --------------------------------


class LoadResourceOut(BaseModel):
    id: int
    key: str
    name: str
    kind: ResourceKind
    capacity: float
    hours_per_day: float
    cost_rate: float


class BucketOut(BaseModel):
    start: date = Field(description="first day of the period")
    demand: float = Field(description="unit-days asked of the resource in the period")
    capacity: float = Field(description="unit-days it can give (nothing on days off)")
    utilization: float | None = Field(description="demand / capacity (1.0 = 100 %)")
    over_allocated_days: int


class BookedTaskOut(BaseModel):
    task_id: int
    key: str
    name: str
    program_id: int
    program_key: str
    project_key: str
    units: float
    start: date
    finish: date


class OverloadOut(BaseModel):
    start: date
    finish: date
    days: int = Field(description="over-allocated working days in the period")
    peak_demand: float
    capacity: float
    excess: float = Field(description="unit-days above capacity")
    tasks: list[BookedTaskOut] = Field(description="the tasks that collide (that you may see)")
    hidden_tasks: int = Field(description="colliding tasks in programs you cannot see")


class ResourceLoadOut(BaseModel):
    resource: LoadResourceOut
    period: Period
    start: date | None
    finish: date | None
    next_start: date | None = Field(
        description=f"the window was cut (one answer reads at most {load.MAX_DAYS:,} days "
        "from its start) and the bookings go on after `finish`: ask again with `start` = "
        "this day for the next days; null: nothing was left out"
    )
    buckets: list[BucketOut]
    overloads: list[OverloadOut]
    over_allocated_days: int
    tasks: list[BookedTaskOut] = Field(description="its tasks in the programs you see")
    hidden_tasks: int = Field(description="its tasks in programs you cannot see")


PeriodQuery = Annotated[Period, Query(description="bucket size")]
DateQuery = Annotated[
    IsoDate | None,
    Query(
        description="the window's first or last day (by week or month, widened to the "
        "whole week or month that holds it)"
    ),
]


# --- routes ---------------------------------------------------------------------


@router.get(
    "",
    response_model=PageOut[ResourceOut],
    summary="List resources by name (everyone signed in)",
)
def list_resources(
    db: Db,
    actor: CurrentActor,
    page: Page,
    q: SearchText = None,
    kind: ResourceKind | None = None,
    program_id: IdFilter = None,
    active: bool | None = None,
) -> PageOut[ResourceOut]:
    items, total = catalog.list_resources(
        db,
        actor,
        q=q,
        kind=kind,
        program_id=program_id,
        active=active,
        limit=page.limit,
        offset=page.offset,
    )
    return PageOut(
        items=[ResourceOut.of(r) for r in items], total=total, limit=page.limit, offset=page.offset
    )


@router.post(
    "",
    response_model=ResourceOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a resource (admins, program managers and owners)",
)
def create_resource(
    body: ResourceCreate, db: Db, actor: CurrentActor, response: Response
) -> ResourceOut:
    resource = catalog.create_resource(db, actor, **_service_fields(body, partial=False))
    commit(db)
    set_etag(response, resource.version)
    return ResourceOut.of(resource)


@router.get("/{resource_id}", response_model=ResourceOut)
def get_resource(
    resource_id: PathId, db: Db, actor: CurrentActor, response: Response
) -> ResourceOut:
    resource = catalog.get_resource(db, actor, resource_id)
    set_etag(response, resource.version)
    return ResourceOut.of(resource)


@router.patch(
    "/{resource_id}",
    response_model=ResourceOut,
    summary="Change a resource (admins, program managers and owners); reschedules its programs",
)
def update_resource(
    resource_id: PathId,
    body: ResourceUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> ResourceOut:
    resource = catalog.update_resource(
        db, actor, resource_id, _service_fields(body, partial=True), expected_version=version
    )
    commit(db)
    set_etag(response, resource.version)
    return ResourceOut.of(resource)


@router.delete(
    "/{resource_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a resource without assignments (admins, program managers and owners)",
)
def delete_resource(
    resource_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion
) -> Response:
    catalog.delete_resource(db, actor, resource_id, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{resource_id}/load",
    response_model=ResourceLoadOut,
    summary="Demand against capacity across every program, per day, week or month",
)
def get_resource_load(
    resource_id: PathId,
    db: Db,
    actor: CurrentActor,
    period: PeriodQuery = "week",
    start: DateQuery = None,
    finish: DateQuery = None,
) -> ResourceLoadOut:
    return ResourceLoadOut.model_validate(
        load.one_resource_load(db, actor, resource_id, period=period, start=start, finish=finish)
    )
