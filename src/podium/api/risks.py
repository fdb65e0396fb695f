"""Risks API: the register (risks and issues at task, project and program level), mitigation
actions, score history, escalations, the 5×5 matrix and each program's escalation rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, BeforeValidator, Field, field_validator

from podium.api.dependencies import DbId, IdFilter, NoNul, refuse_null
from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, paged, set_etag
from podium.api.schemas import ERROR_RESPONSES, PageOut, PathId, Strict
from podium.engine.risks import EscalationRules, score_band
from podium.models import Risk, RiskAction, RiskEscalation, RiskHistory, User
from podium.services import common, risks
from podium.services.risks import RiskFilter

router = APIRouter(tags=["risks"], responses=ERROR_RESPONSES)

Level = Literal["task", "project", "program"]
Status = Literal["open", "mitigating", "closed", "realized"]
Response_ = Literal["avoid", "mitigate", "transfer", "accept"]
Escalation = Literal["none", "program", "steering"]


def _whole_rating(value: Any) -> Any:
    # JSON true would pass as 1 and 2.0 as 2; the HTML form (same schema) sends digits as text
    digits = isinstance(value, str) and value.isascii() and value.isdecimal()
    if isinstance(value, bool | float) or (isinstance(value, str) and not digits):
        raise ValueError("must be a whole number from 1 to 5")
    return value


Rating = Annotated[int, BeforeValidator(_whole_rating), Field(ge=1, le=5)]
"""A probability or impact rating: a whole number from 1 to 5, never a boolean."""
Title = Annotated[str, Field(min_length=1, max_length=300), NoNul]
LongText = Annotated[str, Field(max_length=10000), NoNul]
Ids = Annotated[list[DbId], Field(max_length=100)]


class RiskCreate(Strict):
    program_id: DbId
    title: Title
    description: LongText = ""
    cause: LongText = Field(default="", description="what could make it happen")
    effect: LongText = Field(default="", description="what happens if it does")
    probability: Rating
    impact: Rating
    schedule_impact_days: int | None = Field(
        default=None,
        ge=0,
        le=1000,
        description="working days the linked tasks slip if it happens (forecasts); null: none",
    )
    level: Level = Field(default="project", description="where the risk is raised")
    response: Response_ = "mitigate"
    status: Status = Field(default="open", description="realized: it has become an issue")
    owner_id: DbId | None = Field(default=None, description="a member of the program")
    due_date: date | None = Field(default=None, description="when the response is due")
    project_ids: Ids = Field(default_factory=list)
    task_ids: Ids = Field(default_factory=list)


class RiskUpdate(Strict):
    title: Title | None = None
    description: LongText | None = None
    cause: LongText | None = None
    effect: LongText | None = None
    probability: Rating | None = None
    impact: Rating | None = None
    schedule_impact_days: int | None = Field(
        default=None,
        ge=0,
        le=1000,
        description="working days the linked tasks slip if it happens (forecasts); null: none",
    )
    level: Level | None = None
    response: Response_ | None = None
    status: Status | None = None
    owner_id: DbId | None = None
    due_date: date | None = None
    project_ids: Ids | None = None
    task_ids: Ids | None = None
    note: Annotated[str, Field(max_length=500), NoNul] | None = Field(
        default=None, description="why the ratings changed (kept in the history)"
    )

    _not_null = field_validator(
        "title",
        "description",
        "cause",
        "effect",
        "probability",
        "impact",
        "level",
        "response",
        "status",
        "project_ids",
        "task_ids",
    )(refuse_null)


class PersonOut(BaseModel):
    id: int
    name: str
    email: str

    @classmethod
    def of(cls, user: User | None) -> PersonOut | None:
        if user is None:
            return None
        return cls(id=user.id, name=user.name or user.email, email=user.email)


class LinkOut(BaseModel):
    id: int
    key: str
    name: str


class ActionOut(BaseModel):
    id: int
    risk_id: int
    title: str
    owner: PersonOut | None
    due_date: date | None
    done: bool
    done_on: date | None
    overdue: bool
    version: int

    @classmethod
    def of(cls, action: RiskAction, today: date | None = None) -> ActionOut:
        today = today or common.today()  # the day the pages and the service call today
        return cls(
            id=action.id,
            risk_id=action.risk_id,
            title=action.title,
            owner=PersonOut.of(action.owner),
            due_date=action.due_date,
            done=action.done,
            done_on=action.done_on,
            overdue=bool(not action.done and action.due_date and action.due_date < today),
            version=action.version,
        )


class RiskOut(BaseModel):
    id: int
    program_id: int
    key: str
    title: str
    description: str
    cause: str
    effect: str
    probability: int
    impact: int
    schedule_impact_days: int | None
    score: int
    band: str = Field(description="low 1-4, medium 5-9, high 10-19, critical 20-25")
    level: Level
    effective_level: Level = Field(description="program once escalated")
    escalation: Escalation
    escalated_at: datetime | None
    response: Response_
    status: Status
    owner: PersonOut | None
    due_date: date | None
    realized_on: date | None
    closed_on: date | None
    projects: list[LinkOut] = Field(description="projects linked directly")
    tasks: list[LinkOut]
    actions: list[ActionOut]
    url: str = Field(description="the risk's web page")
    created_by: str
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, risk: Risk) -> RiskOut:
        return cls(
            id=risk.id,
            program_id=risk.program_id,
            key=risk.key,
            title=risk.title,
            description=risk.description,
            cause=risk.cause,
            effect=risk.effect,
            probability=risk.probability,
            impact=risk.impact,
            schedule_impact_days=risk.schedule_impact_days,
            score=risk.score,
            band=score_band(risk.score),
            level=risk.level,
            effective_level=risk.effective_level,
            escalation=risk.escalation,
            escalated_at=risk.escalated_at,
            response=risk.response,
            status=risk.status,
            owner=PersonOut.of(risk.owner),
            due_date=risk.due_date,
            realized_on=risk.realized_on,
            closed_on=risk.closed_on,
            projects=[LinkOut(id=p.id, key=p.key, name=p.name) for p in risk.projects],
            tasks=[LinkOut(id=t.id, key=t.key, name=t.name) for t in risk.tasks],
            actions=[ActionOut.of(a) for a in risk.actions],
            url=risks.risk_url(risk.id),
            created_by=risk.created_by,
            version=risk.version,
            created_at=risk.created_at,
            updated_at=risk.updated_at,
        )


class HistoryOut(BaseModel):
    at: datetime
    probability: int
    impact: int
    score: int
    status: Status
    changed_by: str
    note: str

    @classmethod
    def of(cls, h: RiskHistory) -> HistoryOut:
        return cls(
            at=h.at,
            probability=h.probability,
            impact=h.impact,
            score=h.score,
            status=h.status,
            changed_by=h.changed_by,
            note=h.note,
        )


class EscalationOut(BaseModel):
    at: datetime
    by: str = Field(description="whose change moved the risk")
    from_escalation: Escalation
    to_escalation: Escalation
    reason: str

    @classmethod
    def of(cls, e: RiskEscalation) -> EscalationOut:
        return cls(
            at=e.at,
            by=e.by,
            from_escalation=e.from_escalation,
            to_escalation=e.to_escalation,
            reason=e.reason,
        )


class ActionCreate(Strict):
    title: Title
    owner_id: DbId | None = None
    due_date: date | None = None


class ActionUpdate(Strict):
    title: Title | None = None
    owner_id: DbId | None = None
    due_date: date | None = None
    done: bool | None = None
    done_on: date | None = None

    _not_null = field_validator("title", "done")(refuse_null)


class CellOut(BaseModel):
    probability: int
    impact: int
    score: int
    band: str
    count: int


class MatrixOut(BaseModel):
    rows: list[list[CellOut]] = Field(
        description="probability 5 (top row) down to 1; in each row impact 1 to 5"
    )
    total: int


class RulesOut(BaseModel):
    program_score: int | None = Field(description="a live risk scoring at least this escalates")
    cross_project: bool = Field(description="a live risk linked to 2+ projects escalates")
    steering_score: int | None = Field(
        description="a program-level risk scoring at least this goes on the steering agenda"
    )
    version: int = Field(description="0 while the defaults apply")


class RulesSaved(RulesOut):
    risks_moved: int = Field(
        description="live risks whose escalation changed when the rules were applied"
    )


class RulesIn(Strict):
    program_score: Annotated[int, Field(ge=1, le=25)] | None = None
    cross_project: bool | None = None
    steering_score: Annotated[int, Field(ge=1, le=25)] | None = None

    _not_null = field_validator("cross_project")(refuse_null)


StatusFilter = Annotated[
    list[Status] | None, Query(description="repeat for several; default: every status")
]
RatingFilter = Annotated[int | None, Query(ge=1, le=5)]
ScoreFilter = Annotated[int | None, Query(ge=1, le=25)]
TextFilter = Annotated[str | None, Query(max_length=200), NoNul]
Sort = Literal["score", "-score", "key", "newest", "due", "title"]


def _filter(
    status_: list[Status] | None,
    level: Level | None,
    escalation: Escalation | None,
    owner_id: int | None,
    project_id: int | None,
    task_id: int | None,
    probability: int | None,
    impact: int | None,
    min_score: int | None,
    q: str | None,
    live: bool,
) -> RiskFilter:
    return RiskFilter(
        statuses=tuple(status_ or ()),
        level=level,
        escalation=escalation,
        owner_id=owner_id,
        project_id=project_id,
        task_id=task_id,
        probability=probability,
        impact=impact,
        min_score=min_score,
        text=q or None,
        live_only=live,
    )


@router.get(
    "/risks",
    response_model=PageOut[RiskOut],
    summary="List risks, highest score first, with filters",
)
def list_risks(
    db: Db,
    actor: CurrentActor,
    page: Page,
    program_id: IdFilter = None,
    status_: Annotated[StatusFilter, Query(alias="status")] = None,
    level: Annotated[
        Level | None, Query(description="where it is handled now (escalated: program)")
    ] = None,
    escalation: Escalation | None = None,
    owner_id: IdFilter = None,
    project_id: Annotated[IdFilter, Query(description="linked directly or through a task")] = None,
    task_id: IdFilter = None,
    probability: RatingFilter = None,
    impact: RatingFilter = None,
    min_score: ScoreFilter = None,
    q: Annotated[
        TextFilter, Query(description="text in the title, description, cause, effect")
    ] = None,
    live: Annotated[bool, Query(description="only risks not closed")] = False,
    sort: Sort = "score",
) -> PageOut[RiskOut]:
    chosen = _filter(
        status_,
        level,
        escalation,
        owner_id,
        project_id,
        task_id,
        probability,
        impact,
        min_score,
        q,
        live,
    )
    items, total = risks.list_risks(
        db,
        actor,
        program_id=program_id,
        risk_filter=chosen,
        sort=sort,
        limit=page.limit,
        offset=page.offset,
    )
    return PageOut(
        items=[RiskOut.of(r) for r in items], total=total, limit=page.limit, offset=page.offset
    )


@router.post(
    "/risks",
    response_model=RiskOut,
    status_code=status.HTTP_201_CREATED,
    summary="Raise a risk (member; closed at once: manager)",
)
def create_risk(body: RiskCreate, db: Db, actor: CurrentActor, response: Response) -> RiskOut:
    risk = risks.create_risk(db, actor, **body.model_dump())
    risk_id = risk.id
    commit(db)
    risk = risks.get_risk(db, actor, risk_id)
    set_etag(response, risk.version)
    return RiskOut.of(risk)


@router.get("/risks/{risk_id}", response_model=RiskOut)
def get_risk(risk_id: PathId, db: Db, actor: CurrentActor, response: Response) -> RiskOut:
    risk = risks.get_risk(db, actor, risk_id)
    set_etag(response, risk.version)
    return RiskOut.of(risk)


@router.patch(
    "/risks/{risk_id}",
    response_model=RiskOut,
    summary="Change a risk (member; closing it or changing a closed one: manager)",
)
def update_risk(
    risk_id: PathId,
    body: RiskUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> RiskOut:
    updates = body.model_dump(exclude_unset=True)
    note = updates.pop("note", None) or ""
    risks.update_risk(db, actor, risk_id, updates, expected_version=version, note=note)
    commit(db)
    db.expire_all()
    risk = risks.get_risk(db, actor, risk_id)
    set_etag(response, risk.version)
    return RiskOut.of(risk)


@router.delete(
    "/risks/{risk_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a risk and its history (manager)",
)
def delete_risk(risk_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion) -> Response:
    risks.delete_risk(db, actor, risk_id, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/risks/{risk_id}/history",
    response_model=PageOut[HistoryOut],
    summary="The risk's probability, impact, score and status after each change, oldest first",
)
def risk_history(risk_id: PathId, db: Db, actor: CurrentActor, page: Page) -> PageOut[HistoryOut]:
    return paged(risks.list_history(db, actor, risk_id), page, HistoryOut.of)


@router.get(
    "/risks/{risk_id}/escalations",
    response_model=PageOut[EscalationOut],
    summary="Every move of the risk between levels: when, whose change, why",
)
def risk_escalations(
    risk_id: PathId, db: Db, actor: CurrentActor, page: Page
) -> PageOut[EscalationOut]:
    return paged(risks.list_escalations(db, actor, risk_id), page, EscalationOut.of)


# --- mitigation actions -----------------------------------------------------------------


@router.get("/risks/{risk_id}/actions", response_model=PageOut[ActionOut])
def list_actions(risk_id: PathId, db: Db, actor: CurrentActor, page: Page) -> PageOut[ActionOut]:
    return paged(risks.get_risk(db, actor, risk_id).actions, page, ActionOut.of)


@router.post(
    "/risks/{risk_id}/actions",
    response_model=ActionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Plan a mitigation action (member)",
)
def add_action(
    risk_id: PathId, body: ActionCreate, db: Db, actor: CurrentActor, response: Response
) -> ActionOut:
    action = risks.add_action(db, actor, risk_id, **body.model_dump())
    action_id = action.id
    commit(db)
    action = risks.get_action(db, actor, risk_id, action_id)
    set_etag(response, action.version)
    return ActionOut.of(action)


@router.patch(
    "/risks/{risk_id}/actions/{action_id}",
    response_model=ActionOut,
    summary="Change a mitigation action or mark it done (member)",
)
def update_action(
    risk_id: PathId,
    action_id: PathId,
    body: ActionUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> ActionOut:
    risks.update_action(
        db,
        actor,
        risk_id,
        action_id,
        body.model_dump(exclude_unset=True),
        expected_version=version,
    )
    commit(db)
    db.expire_all()
    action = risks.get_action(db, actor, risk_id, action_id)
    set_etag(response, action.version)
    return ActionOut.of(action)


@router.delete(
    "/risks/{risk_id}/actions/{action_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a mitigation action (manager)",
)
def delete_action(
    risk_id: PathId, action_id: PathId, db: Db, actor: CurrentActor, version: ExpectedVersion
) -> Response:
    risks.delete_action(db, actor, risk_id, action_id, expected_version=version)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- per program: the matrix and the escalation rules ------------------------------------


@router.get(
    "/programs/{program_id}/risk-matrix",
    response_model=MatrixOut,
    summary="The 5×5 probability-impact matrix with counts (default: risks not closed)",
)
def risk_matrix(
    program_id: PathId,
    db: Db,
    actor: CurrentActor,
    status_: Annotated[StatusFilter, Query(alias="status")] = None,
    level: Level | None = None,
    project_id: IdFilter = None,
    owner_id: IdFilter = None,
) -> MatrixOut:
    chosen = RiskFilter(
        statuses=tuple(status_ or ()),
        live_only=not status_,
        level=level,
        project_id=project_id,
        owner_id=owner_id,
    )
    grid = risks.matrix_counts(db, actor, program_id, risk_filter=chosen)
    rows = [
        [
            CellOut(
                probability=c.probability,
                impact=c.impact,
                score=c.score,
                band=c.band,
                count=c.count,
            )
            for c in row
        ]
        for row in grid
    ]
    return MatrixOut(rows=rows, total=sum(c.count for row in rows for c in row))


def _rules_out(rules: EscalationRules, version: int) -> RulesOut:
    return RulesOut(**rules.to_json(), version=version)


@router.get(
    "/programs/{program_id}/risk-escalation-rules",
    response_model=RulesOut,
    summary="When risks escalate to program level and to the steering agenda",
)
def get_rules(program_id: PathId, db: Db, actor: CurrentActor, response: Response) -> RulesOut:
    rules, version = risks.escalation_rules(db, actor, program_id)
    set_etag(response, version)
    return _rules_out(rules, version)


@router.put(
    "/programs/{program_id}/risk-escalation-rules",
    response_model=RulesSaved,
    summary="Change the escalation rules (manager); every live risk is re-evaluated",
)
def put_rules(
    program_id: PathId,
    body: RulesIn,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
) -> RulesSaved:
    rules, new_version, moved = risks.update_escalation_rules(
        db, actor, program_id, body.model_dump(exclude_unset=True), expected_version=version
    )
    commit(db)
    set_etag(response, new_version)
    return RulesSaved(**rules.to_json(), version=new_version, risks_moved=moved)
