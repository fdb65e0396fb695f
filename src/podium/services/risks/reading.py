"""Reading the register: one risk, filtered lists, the 5×5 matrix, score history and
escalations, and what the governance agenda and the health rules read from it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from podium.engine.health import Ref as HealthRef
from podium.engine.health import RiskFacts
from podium.engine.risks import MatrixCell, is_live, risk_matrix
from podium.errors import NotFound
from podium.models import (
    Project,
    Risk,
    RiskAction,
    RiskEscalation,
    RiskHistory,
    Role,
    Task,
    User,
)
from podium.models.risks import risk_projects, risk_tasks
from podium.services.actor import Actor, require_role, role_in, visible_program_ids
from podium.services.common import paginate, today

MAX_ID = 2**31 - 1
RISK_SORTS = {
    "score": (Risk.score.desc(), Risk.number),
    "-score": (Risk.score, Risk.number),
    "key": (Risk.number,),
    "newest": (Risk.created_at.desc(), Risk.number.desc()),
    "due": (Risk.due_date.is_(None), Risk.due_date, Risk.number),
    "title": (Risk.title, Risk.number),
}


def risk_url(risk_id: int) -> str:
    """The web page of a risk."""
    return f"/risks/{risk_id}"


def _loaded() -> Any:
    return (
        selectinload(Risk.owner),
        selectinload(Risk.projects),
        selectinload(Risk.tasks),
        selectinload(Risk.actions).selectinload(RiskAction.owner),
    )


def get_risk(session: Session, actor: Actor, risk_id: int, *, needed: Role = Role.VIEWER) -> Risk:
    """A risk of a program the actor may act on with at least ``needed``."""
    risk = (
        session.scalar(select(Risk).where(Risk.id == risk_id).options(*_loaded()))
        if 0 < risk_id <= MAX_ID
        else None
    )
    if risk is None or role_in(session, actor, risk.program_id) is None:
        raise NotFound(f"risk {risk_id} not found")
    require_role(session, actor, risk.program_id, needed)
    return risk


def get_action(
    session: Session, actor: Actor, risk_id: int, action_id: int, *, needed: Role = Role.VIEWER
) -> RiskAction:
    """A mitigation action of a risk."""
    risk = get_risk(session, actor, risk_id, needed=needed)
    action = next((a for a in risk.actions if a.id == action_id), None)
    if action is None:
        raise NotFound(f"action {action_id} of risk {risk.key} not found")
    return action


@dataclass(frozen=True, slots=True)
class RiskFilter:
    """What the register shows: every criterion is optional; ``statuses`` empty means all."""

    statuses: Sequence[str] = ()
    level: str | None = None  # where the risk is handled now (escalated risks: program)
    escalation: str | None = None
    owner_id: int | None = None
    project_id: int | None = None
    task_id: int | None = None
    probability: int | None = None
    impact: int | None = None
    min_score: int | None = None
    text: str | None = None
    live_only: bool = False


def _filtered(query: Select[Any], f: RiskFilter) -> Select[Any]:
    if f.statuses:
        query = query.where(Risk.status.in_(list(f.statuses)))
    if f.live_only:
        query = query.where(Risk.status != "closed")
    if f.level == "program":
        query = query.where(or_(Risk.level == "program", Risk.escalation != "none"))
    elif f.level is not None:
        query = query.where(Risk.level == f.level, Risk.escalation == "none")
    if f.escalation is not None:
        query = query.where(Risk.escalation == f.escalation)
    if f.owner_id is not None:
        query = query.where(Risk.owner_id == f.owner_id)
    if f.probability is not None:
        query = query.where(Risk.probability == f.probability)
    if f.impact is not None:
        query = query.where(Risk.impact == f.impact)
    if f.min_score is not None:
        query = query.where(Risk.score >= f.min_score)
    if f.project_id is not None:
        direct = exists().where(
            risk_projects.c.risk_id == Risk.id, risk_projects.c.project_id == f.project_id
        )
        via_task = exists().where(
            and_(
                risk_tasks.c.risk_id == Risk.id,
                risk_tasks.c.task_id == Task.id,
                Task.project_id == f.project_id,
            )
        )
        query = query.where(or_(direct, via_task))
    if f.task_id is not None:
        query = query.where(
            exists().where(risk_tasks.c.risk_id == Risk.id, risk_tasks.c.task_id == f.task_id)
        )
    if f.text:
        query = query.where(
            or_(
                *(
                    column.icontains(f.text, autoescape=True)
                    for column in (Risk.title, Risk.description, Risk.cause, Risk.effect)
                )
            )
        )
    return query


def list_risks(
    session: Session,
    actor: Actor,
    *,
    program_id: int | None = None,
    risk_filter: RiskFilter | None = None,
    sort: str = "score",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Risk], int]:
    """One page of risks (of a program, or of every program the actor sees) and the total."""
    query = select(Risk).options(*_loaded())
    if program_id is not None:
        require_role(session, actor, program_id, Role.VIEWER)
        query = query.where(Risk.program_id == program_id)
    else:
        visible = visible_program_ids(session, actor)
        if visible is not None:
            query = query.where(Risk.program_id.in_(visible))
    query = _filtered(query, risk_filter or RiskFilter())
    query = query.order_by(Risk.program_id, *RISK_SORTS.get(sort, RISK_SORTS["score"]))
    return paginate(session, query, limit=limit, offset=offset)


def matrix_counts(
    session: Session, actor: Actor, program_id: int, *, risk_filter: RiskFilter | None = None
) -> list[list[MatrixCell]]:
    """The 5×5 grid of a program's risks (by default the live ones), probability 5 on top."""
    require_role(session, actor, program_id, Role.VIEWER)
    chosen = risk_filter or RiskFilter(live_only=True)
    query = _filtered(
        cast(Select[Any], select(Risk.probability, Risk.impact)).where(
            Risk.program_id == program_id
        ),
        chosen,
    )
    return risk_matrix((int(p), int(i)) for p, i in session.execute(query))


def list_history(session: Session, actor: Actor, risk_id: int) -> list[RiskHistory]:
    """The risk's ratings and status after each change, oldest first."""
    get_risk(session, actor, risk_id)
    return list(
        session.scalars(
            select(RiskHistory)
            .where(RiskHistory.risk_id == risk_id)
            .order_by(RiskHistory.at, RiskHistory.id)
        )
    )


def list_escalations(session: Session, actor: Actor, risk_id: int) -> list[RiskEscalation]:
    """Every move of the risk between levels, oldest first."""
    get_risk(session, actor, risk_id)
    return list(
        session.scalars(
            select(RiskEscalation)
            .where(RiskEscalation.risk_id == risk_id)
            .order_by(RiskEscalation.at, RiskEscalation.id)
        )
    )


# --- for the governance agenda and the retrospective --------------------------------


def _agenda_item(risk: Risk, owners: dict[int, str]) -> dict[str, Any]:
    return {
        "id": risk.id,
        "key": risk.key,
        "key_or_title": risk.key,
        "title": risk.title,
        "score": risk.score,
        "probability": risk.probability,
        "impact": risk.impact,
        "owner": owners.get(risk.owner_id, "") if risk.owner_id else "",
        "level": risk.effective_level,
        "escalation": risk.escalation,
        "status": risk.status,
        "escalated_at": risk.escalated_at,
        "created_at": risk.created_at,
        "url": risk_url(risk.id),
    }


def _owner_names(session: Session, risks: list[Risk]) -> dict[int, str]:
    owner_ids = {r.owner_id for r in risks if r.owner_id}
    if not owner_ids:
        return {}
    return {
        u.id: (u.name or u.email)
        for u in session.scalars(select(User).where(User.id.in_(owner_ids)))
    }


def risks_for_agenda(
    session: Session, program_id: int, since: datetime | None
) -> dict[str, list[dict[str, Any]]]:
    """What a review agenda shows about risks (no permission check: the caller made one).

    ``new``: raised since ``since``; ``escalated``: escalated since ``since`` (to
    program level or to the steering agenda) and still escalated; ``steering``:
    live program-level risks on the steering agenda now. Each item has ``id,
    key_or_title, title, score, owner, level, status, url`` (and a little more).
    Highest score first. ``since=None`` means "ever".
    """
    risks = list(
        session.scalars(
            select(Risk)
            .where(Risk.program_id == program_id)
            .order_by(Risk.score.desc(), Risk.number)
        )
    )
    owners = _owner_names(session, risks)

    def after(moment: datetime | None) -> bool:
        return moment is not None and (since is None or moment >= since)

    escalated_ids: set[int] = set()
    moves = select(RiskEscalation.risk_id).where(
        RiskEscalation.program_id == program_id,
        RiskEscalation.to_escalation != "none",
    )
    if since is not None:
        moves = moves.where(RiskEscalation.at >= since)
    escalated_ids = set(session.scalars(moves))
    return {
        "new": [_agenda_item(r, owners) for r in risks if after(r.created_at)],
        "escalated": [
            _agenda_item(r, owners)
            for r in risks
            if r.id in escalated_ids and r.escalation != "none" and is_live(r.status)
        ],
        "steering": [
            _agenda_item(r, owners)
            for r in risks
            if r.escalation == "steering" and is_live(r.status)
        ],
    }


def live_risks(session: Session, program_id: int, day: date | None = None) -> list[dict[str, Any]]:
    """The program's live risks as agenda items (see :func:`risks_for_agenda`), highest
    score first (no permission check: the caller made one). For a ``day`` before today,
    the risks as they stood at its end (:func:`as_on`)."""
    risks = list(
        session.scalars(
            select(Risk)
            .where(Risk.program_id == program_id)
            .order_by(Risk.score.desc(), Risk.number)
        )
    )
    owners = _owner_names(session, risks)
    items = [_agenda_item(r, owners) for r in risks]
    if day is not None and day < today():
        stood = as_on(session, risks, day)
        items = sorted(  # highest score then, then by number
            (item | stood[r.id] for r, item in zip(risks, items, strict=True) if r.id in stood),
            key=lambda item: (-item["score"], int(item["key"][1:])),
        )
    return [item for item in items if is_live(item["status"])]


def as_on(session: Session, risks: Sequence[Risk], day: date) -> dict[int, dict[str, Any]]:
    """How each risk stood at the end of ``day``: its ratings and status from its score
    history, its escalation from its moves; a risk raised after that day is left out (one
    with no history at all, as a restored one may be, is taken as it is now if it was
    created by then)."""
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
    ids = [r.id for r in risks]
    if not ids:
        return {}
    stood: dict[int, dict[str, Any]] = {}
    for row in session.scalars(
        select(RiskHistory)
        .where(RiskHistory.risk_id.in_(ids), RiskHistory.at < end)
        .order_by(RiskHistory.at, RiskHistory.id)
    ):  # the last change by then wins
        stood[row.risk_id] = {
            "probability": row.probability,
            "impact": row.impact,
            "score": row.score,
            "status": row.status,
            "escalation": "none",
        }
    for move in session.scalars(
        select(RiskEscalation)
        .where(RiskEscalation.risk_id.in_(ids), RiskEscalation.at < end)
        .order_by(RiskEscalation.at, RiskEscalation.id)
    ):
        if move.risk_id in stood:
            stood[move.risk_id]["escalation"] = move.to_escalation
    with_history = set(
        session.scalars(select(RiskHistory.risk_id).where(RiskHistory.risk_id.in_(ids)))
    )
    for risk in risks:
        if risk.id not in with_history and risk.created_at < end:
            stood[risk.id] = {
                "probability": risk.probability,
                "impact": risk.impact,
                "score": risk.score,
                "status": risk.status,
                "escalation": risk.escalation,
            }
    for risk in risks:
        if risk.id in stood:  # where it was handled then (see Risk.effective_level)
            escalated = stood[risk.id]["escalation"] != "none"
            stood[risk.id]["level"] = "program" if escalated else risk.level
    return stood


# --- for health -----------------------------------------------------------------------


def health_risk_facts(
    session: Session, program_id: int, day: date | None = None
) -> list[RiskFacts]:
    """The program's live risks as health reads them, linked to task and project keys;
    for a ``day`` before today, as they stood at its end (:func:`as_on`)."""
    if day is not None and day < today():
        every = list(session.scalars(select(Risk).where(Risk.program_id == program_id)))
        stood = as_on(session, every, day)
        rated = {
            r.id: (stood[r.id]["probability"], stood[r.id]["impact"])
            for r in every
            if r.id in stood and is_live(stood[r.id]["status"])
        }
        risks = [r for r in every if r.id in rated]
    else:
        risks = list(
            session.scalars(
                select(Risk).where(Risk.program_id == program_id, Risk.status != "closed")
            )
        )
        rated = {r.id: (r.probability, r.impact) for r in risks}
    if not risks:
        return []
    ids = [r.id for r in risks]
    tasks: dict[int, list[str]] = {}
    for risk_id, key in session.execute(
        select(risk_tasks.c.risk_id, Task.key)
        .join(Task, Task.id == risk_tasks.c.task_id)
        .where(risk_tasks.c.risk_id.in_(ids))
    ):
        tasks.setdefault(risk_id, []).append(key)
    projects: dict[int, list[str]] = {}
    for risk_id, key in session.execute(
        select(risk_projects.c.risk_id, Project.key)
        .join(Project, Project.id == risk_projects.c.project_id)
        .where(risk_projects.c.risk_id.in_(ids))
    ):
        projects.setdefault(risk_id, []).append(key)
    facts = []
    for risk in risks:
        facts.append(
            RiskFacts(
                HealthRef("risk", risk.id, risk.key),
                *rated[risk.id],
                title=risk.title,
                tasks=tuple(tasks.get(risk.id, ())),
                projects=tuple(projects.get(risk.id, ())),
            )
        )
    return facts
