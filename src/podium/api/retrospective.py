"""Closing a program, its retrospective report, and lessons learned."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, paged
from podium.api.programs import ProgramOut
from podium.api.reports import HTML_HEADERS
from podium.api.schemas import ERROR_RESPONSES, PageOut, PathId, Strict
from podium.models import Lesson
from podium.services.governance import retrospective as service

router = APIRouter(tags=["retrospective"], responses=ERROR_RESPONSES)

Category = Literal["went_well", "improve"]
MAX_OUTCOME = 1e15  # an outcome's value, either way
MEDIA = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
}


class LessonIn(Strict):
    text: str = Field(min_length=1, max_length=20000)
    category: Category = Field(default="improve", description="went_well or improve")


class LessonOut(BaseModel):
    id: int
    program_id: int
    category: str
    text: str
    recorded_by: str
    created_at: datetime


def _lesson(lesson: Lesson) -> LessonOut:
    return LessonOut.model_validate(lesson, from_attributes=True)


class CloseIn(Strict):
    closed_on: date | None = Field(default=None, description="default: today")
    outcome_value: float | None = Field(
        default=None,
        ge=-MAX_OUTCOME,
        le=MAX_OUTCOME,
        description="the goal measure's value achieved",
    )
    outcome_summary: str = Field(default="", max_length=20000)
    lessons: list[LessonIn] = Field(default_factory=list, max_length=100)


class ConflictLeadSummaryOut(BaseModel):
    count: int
    early: int
    late: int
    median_lead_days: float | None
    mean_lead_days: float | None
    shortest_lead_days: int | None
    longest_lead_days: int | None


class ConflictLeadOut(BaseModel):
    title: str
    kind: str
    cross_project: bool
    first_detected: date
    affected: date = Field(description="the deadline, target or start the conflict threatened")
    resolved: date | None
    lead_days: int = Field(description="working days of warning (negative: flagged after)")
    caught: Literal["early", "late"]


class ConflictsOut(BaseModel):
    early_threshold: int = Field(description="working days of warning that count as early")
    all: ConflictLeadSummaryOut
    cross_project: ConflictLeadSummaryOut
    undated: int = Field(description="conflicts with no threatened date (constraints)")
    conflicts: list[ConflictLeadOut]


class RetrospectiveOut(BaseModel):
    program: dict[str, Any]
    closed: bool = Field(description="false: a draft from the live data")
    closed_on: date | None
    closed_by: str | None
    reopened: bool = Field(
        default=False,
        description="kept at an earlier close, the program reopened since (draft=true: the "
        "live draft)",
    )
    kept_on: date | None = Field(
        default=None, description="the close whose retrospective is kept (none: never closed)"
    )
    generated_at: datetime
    as_of: date = Field(description="benefits and the goal are read as they stood on this day")
    goal: dict[str, Any] = Field(
        description="the goal statement and the outcome achieved, judged against the goal's "
        "own baseline and target; `note` says why it is not judged, when it is not"
    )
    benefits: list[dict[str, Any]] | None
    schedule: dict[str, Any] = Field(description="finish and milestones: baseline vs actual")
    performance: dict[str, Any] = Field(description="earned value at close")
    change_requests: dict[str, Any]
    conflicts: ConflictsOut
    governance: dict[str, int]
    lessons: list[dict[str, Any]]


@router.post(
    "/programs/{program_id}/close",
    response_model=RetrospectiveOut,
    summary="Close the program and keep its retrospective (owner)",
)
def close_program(
    program_id: PathId, body: CloseIn, db: Db, actor: CurrentActor, version: ExpectedVersion
) -> RetrospectiveOut:
    closeout = service.close_program(
        db,
        actor,
        program_id,
        closed_on=body.closed_on,
        outcome_value=body.outcome_value,
        outcome_summary=body.outcome_summary,
        lessons=[(lesson.category, lesson.text) for lesson in body.lessons],
        expected_version=version,
    )
    commit(db)
    return RetrospectiveOut.model_validate(
        {**closeout.retrospective, "kept_on": closeout.closed_on}
    )


@router.post(
    "/programs/{program_id}/reopen",
    response_model=ProgramOut,
    summary="Reopen a closed program so its plan can change again (owner)",
)
def reopen_program(
    program_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion
) -> ProgramOut:
    program = service.reopen_program(db, actor, program_id, expected_version=version)
    commit(db)
    return ProgramOut.of(program)


@router.get(
    "/programs/{program_id}/retrospective",
    response_model=RetrospectiveOut,
    summary="The retrospective kept at the last close (a draft until the program is first "
    "closed); JSON, md, html or pdf",
)
def get_retrospective(
    program_id: PathId,
    db: Db,
    actor: CurrentActor,
    format: Annotated[Literal["json", "md", "html", "pdf"], Query()] = "json",
    draft: Annotated[
        bool, Query(description="a draft from the live plan, even with one kept at a close")
    ] = False,
) -> RetrospectiveOut | Response:
    data = service.get_retrospective(db, actor, program_id, draft=draft)
    if format == "json":
        return RetrospectiveOut.model_validate(data)
    headers = {"Cache-Control": "no-store"}
    if format == "html":
        headers.update(HTML_HEADERS)
    else:
        name = f"{data['program']['key']}-retrospective.{format}"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return Response(service.render(data, format), media_type=MEDIA[format], headers=headers)


@router.get("/programs/{program_id}/lessons", response_model=PageOut[LessonOut])
def list_lessons(program_id: PathId, db: Db, actor: CurrentActor, page: Page) -> PageOut[LessonOut]:
    return paged(service.list_lessons(db, actor, program_id), page, _lesson)


@router.post(
    "/programs/{program_id}/lessons",
    response_model=LessonOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record a lesson learned (member)",
)
def add_lesson(program_id: PathId, body: LessonIn, db: Db, actor: CurrentActor) -> LessonOut:
    lesson = service.add_lesson(db, actor, program_id, text=body.text, category=body.category)
    commit(db)
    return _lesson(lesson)


@router.delete(
    "/lessons/{lesson_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a lesson (whoever recorded it, or a manager)",
)
def delete_lesson(lesson_id: PathId, db: Db, actor: CurrentActor) -> Response:
    service.delete_lesson(db, actor, lesson_id)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
