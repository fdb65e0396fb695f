"""Governance API: reviews (cadence, attendees, occurrences, agendas), decisions, stakeholders.

Change requests are in :mod:`podium.api.change_requests`; closing a program and
its retrospective in :mod:`podium.api.retrospective`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field, field_validator

from podium.api.dependencies import DbId, refuse_null
from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, paged, set_etag
from podium.api.schemas import ERROR_RESPONSES, PageOut, PathId, Strict
from podium.errors import NotFound
from podium.models import Decision, ReviewFrequency, Stakeholder
from podium.models.governance import Review, ReviewOccurrence
from podium.services.governance import agenda as agenda_service
from podium.services.governance import decisions, reviews, stakeholders
from podium.services.governance.reviews import AttendeeIn

router = APIRouter(tags=["governance"], responses=ERROR_RESPONSES)

Section = Literal[
    "risks", "milestones", "conflicts", "change_requests", "benefits", "decisions", "proposed"
]
TIME = r"^(|([01]\d|2[0-3]):[0-5]\d)$"
ReportName = Literal[
    "status_report", "review_agenda", "decision_log", "change_requests", "retrospective"
]

# --- reviews ---------------------------------------------------------------------------


class AttendeeBody(Strict):
    name: str = Field(default="", max_length=200, description="left out: the user's name")
    email: str = Field(default="", max_length=320)
    role: str = Field(default="", max_length=100, examples=["chair"])


class ReviewCreate(Strict):
    name: str = Field(min_length=1, max_length=200, examples=["Steering committee"])
    purpose: str = Field(default="", max_length=10000)
    frequency: ReviewFrequency
    first_date: date = Field(description="the first occurrence; fixes the weekday")
    until_date: date | None = None
    time_of_day: str = Field(default="", pattern=TIME, examples=["09:30"])
    duration_minutes: int = Field(default=60, ge=5, le=1440)
    location: str = Field(default="", max_length=300)
    sections: list[Section] = Field(
        default_factory=list, description="agenda sections covered; empty: all"
    )
    attendees: list[AttendeeBody] = Field(default_factory=list, max_length=100)


class ReviewUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    purpose: str | None = Field(default=None, max_length=10000)
    frequency: ReviewFrequency | None = None
    first_date: date | None = None
    until_date: date | None = None
    time_of_day: str | None = Field(default=None, pattern=TIME)
    duration_minutes: int | None = Field(default=None, ge=5, le=1440)
    location: str | None = Field(default=None, max_length=300)
    sections: list[Section] | None = Field(default=None, min_length=1)
    attendees: list[AttendeeBody] | None = Field(default=None, max_length=100)

    _not_null = field_validator(
        "name",
        "purpose",
        "frequency",
        "first_date",
        "time_of_day",
        "duration_minutes",
        "location",
        "sections",
        "attendees",
    )(refuse_null)


class AttendeeOut(BaseModel):
    name: str
    email: str
    role: str
    user_id: int | None


class OccurrenceBrief(BaseModel):
    id: int
    held_on: date


class ReviewOut(BaseModel):
    id: int
    program_id: int
    name: str
    purpose: str
    frequency: ReviewFrequency
    first_date: date
    until_date: date | None
    time_of_day: str
    duration_minutes: int
    location: str
    sections: list[str]
    attendees: list[AttendeeOut]
    next_occurrence: date | None = Field(
        description="on or after today, a skipped date left out; null once ended"
    )
    skipped_dates: list[date] = Field(
        description="dates of the cadence called off (no meeting then), in order"
    )
    last_occurrence: OccurrenceBrief | None
    version: int
    created_at: datetime
    updated_at: datetime


def _review_out(db: Db, review: Review) -> ReviewOut:
    last = reviews.last_occurrence(db, review.id)
    return ReviewOut(
        id=review.id,
        program_id=review.program_id,
        name=review.name,
        purpose=review.purpose,
        frequency=review.frequency,
        first_date=review.first_date,
        until_date=review.until_date,
        time_of_day=review.time_of_day,
        duration_minutes=review.duration_minutes,
        location=review.location,
        sections=review.sections,
        attendees=[
            AttendeeOut(name=a.name, email=a.email, role=a.role, user_id=a.user_id)
            for a in review.attendees
        ],
        next_occurrence=reviews.next_date(db, review),
        skipped_dates=[date.fromisoformat(d) for d in review.skipped_dates or ()],
        last_occurrence=OccurrenceBrief(id=last.id, held_on=last.held_on) if last else None,
        version=review.version,
        created_at=review.created_at,
        updated_at=review.updated_at,
    )


def _people(body: list[AttendeeBody]) -> list[AttendeeIn]:
    return [AttendeeIn(name=a.name, email=a.email, role=a.role) for a in body]


@router.get("/programs/{program_id}/reviews", response_model=PageOut[ReviewOut])
def list_reviews(program_id: PathId, db: Db, actor: CurrentActor, page: Page) -> PageOut[ReviewOut]:
    """The program's reviews, each with its next occurrence."""
    return paged(reviews.list_reviews(db, actor, program_id), page, lambda r: _review_out(db, r))


@router.post(
    "/programs/{program_id}/reviews",
    response_model=ReviewOut,
    status_code=status.HTTP_201_CREATED,
    summary="Set up a review on a cadence (manager)",
)
def create_review(
    program_id: PathId, body: ReviewCreate, db: Db, actor: CurrentActor, response: Response
) -> ReviewOut:
    fields = body.model_dump(exclude={"attendees"})
    review = reviews.create_review(
        db, actor, program_id=program_id, attendees=_people(body.attendees), **fields
    )
    commit(db)
    set_etag(response, review.version)
    return _review_out(db, review)


@router.get("/reviews/{review_id}", response_model=ReviewOut)
def get_review(review_id: PathId, db: Db, actor: CurrentActor, response: Response) -> ReviewOut:
    review = reviews.get_review(db, actor, review_id)
    set_etag(response, review.version)
    return _review_out(db, review)


@router.patch("/reviews/{review_id}", response_model=ReviewOut, summary="Change a review (manager)")
def update_review(
    review_id: PathId,
    body: ReviewUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> ReviewOut:
    updates = body.model_dump(exclude_unset=True, exclude={"attendees"})
    review = reviews.update_review(
        db,
        actor,
        review_id,
        updates,
        attendees=_people(body.attendees) if body.attendees is not None else None,
        expected_version=version,
    )
    commit(db)
    set_etag(response, review.version)
    return _review_out(db, review)


@router.delete(
    "/reviews/{review_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a review with its occurrences (manager)",
)
def delete_review(
    review_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion
) -> Response:
    reviews.delete_review(db, actor, review_id, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class SkipBody(Strict):
    day: date = Field(
        alias="date", description="a date of the review's cadence with no meeting recorded"
    )


@router.post(
    "/reviews/{review_id}/skipped-dates",
    response_model=ReviewOut,
    summary="Call off one meeting of a review (manager)",
)
def skip_date(
    review_id: PathId,
    body: SkipBody,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> ReviewOut:
    """The date is no longer an occurrence: the next meeting, the agenda's date and the
    calendar feed pass over it. 422 for a date the cadence does not meet on, 409 for one
    a meeting was recorded for; calling off a date already called off changes nothing."""
    review = reviews.skip_date(db, actor, review_id, body.day, expected_version=version)
    commit(db)
    set_etag(response, review.version)
    return _review_out(db, review)


@router.delete(
    "/reviews/{review_id}/skipped-dates/{day}",
    response_model=ReviewOut,
    summary="Put a called-off meeting back (manager)",
)
def restore_date(
    review_id: PathId,
    day: date,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> ReviewOut:
    review = reviews.skip_date(db, actor, review_id, day, skip=False, expected_version=version)
    commit(db)
    set_etag(response, review.version)
    return _review_out(db, review)


# --- agendas ------------------------------------------------------------------------------


class AgendaEntryOut(BaseModel):
    kind: str
    id: int
    key: str
    title: str
    detail: str
    url: str | None
    new: bool = Field(description="raised, escalated, flagged or changed since the last occurrence")
    tag: str | None = Field(
        default=None,
        description="a risk's reason to be listed: new (raised), escalated, or steering "
        "(on the steering agenda)",
    )


class AgendaSectionOut(BaseModel):
    key: str
    title: str
    items: list[AgendaEntryOut]


class AgendaOut(BaseModel):
    review: dict[str, Any]
    program: dict[str, Any]
    occurrence_date: date
    since: datetime | None = Field(description="when the previous occurrence's agenda was set")
    previous_occurrence: OccurrenceBrief | None
    generated_at: datetime
    attendees: list[dict[str, str]]
    sections: list[AgendaSectionOut]
    item_count: int


AgendaFormat = Annotated[Literal["json", "md"], Query(description="json, or md (Markdown)")]


def _agenda_response(agenda: dict[str, Any], fmt: str) -> AgendaOut | Response:
    if fmt == "md":
        return Response(
            agenda_service.agenda_markdown(agenda), media_type="text/markdown; charset=utf-8"
        )
    return AgendaOut.model_validate(agenda)


@router.get(
    "/reviews/{review_id}/agenda",
    response_model=AgendaOut,
    summary="The next occurrence's agenda, from the data since the last one",
)
def next_agenda(
    review_id: PathId, db: Db, actor: CurrentActor, format: AgendaFormat = "json"
) -> AgendaOut | Response:
    review = reviews.get_review(db, actor, review_id)
    day = reviews.next_date(db, review)
    if day is None:
        raise NotFound(f"{review.name} has no further occurrence: its cadence has ended")
    return _agenda_response(
        agenda_service.build_agenda(db, actor, review, occurrence_date=day), format
    )


class OccurrenceCreate(Strict):
    held_on: date | None = Field(
        default=None,
        description="default: the latest date of its cadence up to today with no meeting "
        "recorded, else today (as the page proposes)",
    )
    attendees_present: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=100
    )
    notes: str = Field(default="", max_length=100000)


class OccurrenceUpdate(Strict):
    attendees_present: list[Annotated[str, Field(max_length=200)]] | None = Field(
        default=None, max_length=100
    )
    notes: str | None = Field(default=None, max_length=100000)

    _not_null = field_validator("attendees_present", "notes")(refuse_null)


class OccurrenceOut(BaseModel):
    id: int
    review_id: int
    program_id: int
    held_on: date
    since: datetime | None
    attendees_present: list[str]
    notes: str
    recorded_by: str
    item_count: int = Field(description="agenda items it was given")
    decisions: list[int] = Field(description="ids of the decisions logged in it")
    version: int
    created_at: datetime


def _occurrence_out(db: Db, o: ReviewOccurrence) -> OccurrenceOut:
    logged = decisions.decision_ids_of_occurrence(db, o.id)
    return OccurrenceOut(
        id=o.id,
        review_id=o.review_id,
        program_id=o.program_id,
        held_on=o.held_on,
        since=o.since,
        attendees_present=o.attendees_present,
        notes=o.notes,
        recorded_by=o.recorded_by,
        item_count=int(o.agenda.get("item_count", 0)),
        decisions=logged,
        version=o.version,
        created_at=o.created_at,
    )


def _occurrence(
    db: Db, actor: CurrentActor, review_id: PathId, occurrence_id: int
) -> ReviewOccurrence:
    occurrence = reviews.get_occurrence(db, actor, occurrence_id)
    if occurrence.review_id != review_id:
        raise NotFound(f"review occurrence {occurrence_id} not found in review {review_id}")
    return occurrence


@router.get("/reviews/{review_id}/occurrences", response_model=PageOut[OccurrenceOut])
def list_occurrences(
    review_id: PathId, db: Db, actor: CurrentActor, page: Page
) -> PageOut[OccurrenceOut]:
    """The occurrences held, newest first."""
    held = reviews.list_occurrences(db, actor, review_id)
    return paged(held, page, lambda o: _occurrence_out(db, o))


@router.post(
    "/reviews/{review_id}/occurrences",
    response_model=OccurrenceOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record that the review met; its agenda is kept with it (manager)",
)
def record_occurrence(
    review_id: PathId, body: OccurrenceCreate, db: Db, actor: CurrentActor, response: Response
) -> OccurrenceOut:
    occurrence = reviews.record_occurrence(db, actor, review_id, **body.model_dump())
    commit(db)
    set_etag(response, occurrence.version)
    return _occurrence_out(db, occurrence)


@router.get("/reviews/{review_id}/occurrences/{occurrence_id}", response_model=OccurrenceOut)
def get_occurrence(
    review_id: PathId, occurrence_id: PathId, db: Db, actor: CurrentActor, response: Response
) -> OccurrenceOut:
    occurrence = _occurrence(db, actor, review_id, occurrence_id)
    set_etag(response, occurrence.version)
    return _occurrence_out(db, occurrence)


@router.patch(
    "/reviews/{review_id}/occurrences/{occurrence_id}",
    response_model=OccurrenceOut,
    summary="Change an occurrence's minutes or who was present (manager)",
)
def update_occurrence(
    review_id: PathId,
    occurrence_id: PathId,
    body: OccurrenceUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> OccurrenceOut:
    _occurrence(db, actor, review_id, occurrence_id)
    occurrence = reviews.update_occurrence(
        db, actor, occurrence_id, body.model_dump(exclude_unset=True), expected_version=version
    )
    commit(db)
    set_etag(response, occurrence.version)
    return _occurrence_out(db, occurrence)


@router.delete(
    "/reviews/{review_id}/occurrences/{occurrence_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove an occurrence recorded by mistake; its topics return to the next agenda "
    "(manager)",
)
def delete_occurrence(
    review_id: PathId,
    occurrence_id: PathId,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
) -> Response:
    _occurrence(db, actor, review_id, occurrence_id)
    reviews.delete_occurrence(db, actor, occurrence_id, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/reviews/{review_id}/occurrences/{occurrence_id}/agenda",
    response_model=AgendaOut,
    summary="The agenda an occurrence was given, as kept",
)
def occurrence_agenda(
    review_id: PathId,
    occurrence_id: PathId,
    db: Db,
    actor: CurrentActor,
    format: AgendaFormat = "json",
) -> AgendaOut | Response:
    return _agenda_response(_occurrence(db, actor, review_id, occurrence_id).agenda, format)


class ProposedItemCreate(Strict):
    title: str = Field(min_length=1, max_length=300)
    notes: str = Field(default="", max_length=10000)


class ProposedItemOut(BaseModel):
    id: int
    review_id: int
    occurrence_id: int | None
    title: str
    notes: str
    proposed_by: str
    created_at: datetime


@router.get("/reviews/{review_id}/agenda-items", response_model=PageOut[ProposedItemOut])
def list_proposed(
    review_id: PathId, db: Db, actor: CurrentActor, page: Page
) -> PageOut[ProposedItemOut]:
    """Topics proposed for the next occurrence."""
    reviews.get_review(db, actor, review_id)
    return paged(
        reviews.open_items(db, review_id),
        page,
        lambda i: ProposedItemOut.model_validate(i, from_attributes=True),
    )


@router.post(
    "/reviews/{review_id}/agenda-items",
    response_model=ProposedItemOut,
    status_code=status.HTTP_201_CREATED,
    summary="Propose a topic for the next occurrence (member)",
)
def propose(
    review_id: PathId, body: ProposedItemCreate, db: Db, actor: CurrentActor
) -> ProposedItemOut:
    item = reviews.propose_item(db, actor, review_id, title=body.title, notes=body.notes)
    commit(db)
    return ProposedItemOut.model_validate(item, from_attributes=True)


@router.delete(
    "/reviews/{review_id}/agenda-items/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Take a proposed topic off the agenda (its proposer or a manager)",
)
def withdraw_proposed(review_id: PathId, item_id: PathId, db: Db, actor: CurrentActor) -> Response:
    reviews.withdraw_item(db, actor, review_id, item_id)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- decisions ------------------------------------------------------------------------------


class LinkIn(Strict):
    type: Literal[
        "task",
        "milestone",
        "dependency",
        "change_request",
        "review_occurrence",
        "stakeholder",
        "risk",
        "benefit",
    ]
    id: DbId
    label: str | None = Field(
        default=None,
        max_length=1000,
        description="ignored (links may be sent back as read): Podium names the record",
    )


class LinkOut(BaseModel):
    type: str
    id: int
    label: str


class DecisionCreate(Strict):
    title: str = Field(min_length=1, max_length=300, description="what was decided")
    rationale: str = Field(default="", max_length=20000, description="why")
    decided_by: str = Field(
        default="", max_length=300, description="who; default: you, by your account's name"
    )
    decided_on: date | None = Field(
        default=None,
        description="default: the meeting's day when taken in one (occurrence_id; another "
        "day is refused), else today",
    )
    occurrence_id: DbId | None = Field(default=None, description="the review it was taken in")
    links: list[LinkIn] = Field(default_factory=list, max_length=50)


class DecisionUpdate(Strict):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    rationale: str | None = Field(default=None, max_length=20000)
    decided_by: str | None = Field(default=None, min_length=1, max_length=300)
    decided_on: date | None = None
    occurrence_id: DbId | None = None
    links: list[LinkIn] | None = Field(default=None, max_length=50)

    _not_null = field_validator("title", "rationale", "decided_by", "decided_on", "links")(
        refuse_null
    )


class DecisionOut(BaseModel):
    id: int
    program_id: int
    key: str = Field(examples=["D-4"])
    title: str
    rationale: str
    decided_by: str
    decided_on: date
    occurrence_id: int | None
    review_id: int | None
    links: list[LinkOut]
    recorded_by: str
    version: int
    created_at: datetime


def _decision_out(d: Decision) -> DecisionOut:
    return DecisionOut(
        id=d.id,
        program_id=d.program_id,
        key=f"D-{d.number}",
        title=d.title,
        rationale=d.rationale,
        decided_by=d.decided_by,
        decided_on=d.decided_on,
        occurrence_id=d.occurrence_id,
        review_id=d.occurrence.review_id if d.occurrence else None,
        links=[LinkOut(**link) for link in d.links],
        recorded_by=d.recorded_by,
        version=d.version,
        created_at=d.created_at,
    )


@router.get("/programs/{program_id}/decisions", response_model=PageOut[DecisionOut])
def list_decisions(
    program_id: PathId,
    db: Db,
    actor: CurrentActor,
    page: Page,
    occurrence_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> PageOut[DecisionOut]:
    """The decision log, newest first."""
    found, total = decisions.list_decisions(
        db, actor, program_id, occurrence_id=occurrence_id, limit=page.limit, offset=page.offset
    )
    return PageOut(
        items=[_decision_out(d) for d in found], total=total, limit=page.limit, offset=page.offset
    )


@router.post(
    "/programs/{program_id}/decisions",
    response_model=DecisionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Log a decision (manager)",
)
def record_decision(
    program_id: PathId, body: DecisionCreate, db: Db, actor: CurrentActor, response: Response
) -> DecisionOut:
    decision = decisions.record_decision(db, actor, program_id=program_id, **body.model_dump())
    commit(db)
    set_etag(response, decision.version)
    return _decision_out(decision)


@router.get("/decisions/{decision_id}", response_model=DecisionOut)
def get_decision(
    decision_id: PathId, db: Db, actor: CurrentActor, response: Response
) -> DecisionOut:
    decision = decisions.get_decision(db, actor, decision_id)
    set_etag(response, decision.version)
    return _decision_out(decision)


@router.patch(
    "/decisions/{decision_id}", response_model=DecisionOut, summary="Correct a decision (manager)"
)
def update_decision(
    decision_id: PathId,
    body: DecisionUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> DecisionOut:
    decision = decisions.update_decision(
        db, actor, decision_id, body.model_dump(exclude_unset=True), expected_version=version
    )
    commit(db)
    set_etag(response, decision.version)
    return _decision_out(decision)


@router.delete(
    "/decisions/{decision_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a decision logged by mistake (manager)",
)
def delete_decision(
    decision_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion
) -> Response:
    decisions.delete_decision(db, actor, decision_id, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- stakeholders ---------------------------------------------------------------------------


class StakeholderCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(default="", max_length=200, examples=["Chief operating officer"])
    organization: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=320)
    influence: int = Field(default=3, ge=1, le=5, description="1 (little) to 5 (decisive)")
    interest: int = Field(default=3, ge=1, le=5, description="1 (little) to 5 (very high)")
    reports: list[ReportName] = Field(default_factory=list, description="what they receive")
    notes: str = Field(default="", max_length=10000)


class StakeholderUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: str | None = Field(default=None, max_length=200)
    organization: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    influence: int | None = Field(default=None, ge=1, le=5)
    interest: int | None = Field(default=None, ge=1, le=5)
    reports: list[ReportName] | None = None
    notes: str | None = Field(default=None, max_length=10000)

    _not_null = field_validator(
        "name", "role", "organization", "email", "influence", "interest", "reports", "notes"
    )(refuse_null)


class StakeholderOut(BaseModel):
    id: int
    program_id: int
    name: str
    role: str
    organization: str
    email: str
    influence: int
    interest: int
    engagement: str = Field(description="power/interest grid: manage_closely, keep_satisfied…")
    reports: list[str]
    notes: str
    user_id: int | None
    version: int


def _stakeholder_out(s: Stakeholder) -> StakeholderOut:
    return StakeholderOut(
        id=s.id,
        program_id=s.program_id,
        name=s.name,
        role=s.role,
        organization=s.organization,
        email=s.email,
        influence=s.influence,
        interest=s.interest,
        engagement=stakeholders.quadrant(s),
        reports=s.reports,
        notes=s.notes,
        user_id=s.user_id,
        version=s.version,
    )


@router.get("/programs/{program_id}/stakeholders", response_model=PageOut[StakeholderOut])
def list_stakeholders(
    program_id: PathId, db: Db, actor: CurrentActor, page: Page
) -> PageOut[StakeholderOut]:
    """The program's stakeholders, the most influential first."""
    return paged(stakeholders.list_stakeholders(db, actor, program_id), page, _stakeholder_out)


@router.post(
    "/programs/{program_id}/stakeholders",
    response_model=StakeholderOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a stakeholder (manager)",
)
def add_stakeholder(
    program_id: PathId, body: StakeholderCreate, db: Db, actor: CurrentActor, response: Response
) -> StakeholderOut:
    stakeholder = stakeholders.add_stakeholder(
        db, actor, program_id=program_id, **body.model_dump()
    )
    commit(db)
    set_etag(response, stakeholder.version)
    return _stakeholder_out(stakeholder)


@router.get("/stakeholders/{stakeholder_id}", response_model=StakeholderOut)
def get_stakeholder(
    stakeholder_id: PathId, db: Db, actor: CurrentActor, response: Response
) -> StakeholderOut:
    stakeholder = stakeholders.get_stakeholder(db, actor, stakeholder_id)
    set_etag(response, stakeholder.version)
    return _stakeholder_out(stakeholder)


@router.patch(
    "/stakeholders/{stakeholder_id}",
    response_model=StakeholderOut,
    summary="Change a stakeholder (manager)",
)
def update_stakeholder(
    stakeholder_id: PathId,
    body: StakeholderUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> StakeholderOut:
    stakeholder = stakeholders.update_stakeholder(
        db, actor, stakeholder_id, body.model_dump(exclude_unset=True), expected_version=version
    )
    commit(db)
    set_etag(response, stakeholder.version)
    return _stakeholder_out(stakeholder)


@router.delete(
    "/stakeholders/{stakeholder_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a stakeholder (manager)",
)
def remove_stakeholder(
    stakeholder_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion
) -> Response:
    stakeholders.remove_stakeholder(db, actor, stakeholder_id, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
