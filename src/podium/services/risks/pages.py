"""What the risk pages show: the register with its matrix, and one risk with its actions,
score history and escalations (a fixed handful of queries per page)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.engine.risks import MatrixCell, is_live
from podium.errors import field_error
from podium.models import (
    AuditEntry,
    Program,
    Project,
    Risk,
    RiskEscalation,
    RiskHistory,
    Role,
    Task,
    User,
)
from podium.services import programs
from podium.services.actor import Actor, require_role
from podium.services.risks.escalation import rules_of
from podium.services.risks.reading import (
    RiskFilter,
    get_risk,
    list_escalations,
    list_history,
    list_risks,
    matrix_counts,
)

REGISTER_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class RegisterPage:
    """The register of one program as one person may see and change it."""

    program: Program
    role: Role
    risks: list[Risk]
    total: int
    grid: list[list[MatrixCell]]
    members: list[Person]
    projects: list[Project]
    live_count: int
    escalated_count: int
    steering_count: int

    @property
    def can_edit(self) -> bool:
        return self.role.rank >= Role.MEMBER.rank

    @property
    def can_manage(self) -> bool:
        return self.role.rank >= Role.MANAGER.rank


def _members(session: Session, actor: Actor, program_id: int) -> list[Person]:
    people = [
        Person(u.id, u.name or u.email, u.email)
        for _m, u in programs.list_members(session, actor, program_id)
    ]
    return sorted(people, key=lambda p: p.name.lower())


def register_page(
    session: Session, actor: Actor, program_id: int, risk_filter: RiskFilter, *, sort: str
) -> RegisterPage:
    """The filtered register, the matrix of the live risks (filtered alike, apart from the
    cell chosen), and what the forms offer."""
    role = require_role(session, actor, program_id, Role.VIEWER)
    program = session.get(Program, program_id)
    assert program is not None
    items, total = list_risks(
        session,
        actor,
        program_id=program_id,
        risk_filter=risk_filter,
        sort=sort,
        limit=REGISTER_LIMIT,
    )
    matrix_filter = RiskFilter(
        statuses=risk_filter.statuses,
        live_only=risk_filter.live_only,
        level=risk_filter.level,
        owner_id=risk_filter.owner_id,
        project_id=risk_filter.project_id,
        text=risk_filter.text,
    )
    everything = list(session.scalars(select(Risk).where(Risk.program_id == program_id)))
    live = [r for r in everything if is_live(r.status)]
    return RegisterPage(
        program=program,
        role=role,
        risks=items,
        total=total,
        grid=matrix_counts(session, actor, program_id, risk_filter=matrix_filter),
        members=_members(session, actor, program_id),
        projects=list(
            session.scalars(
                select(Project).where(Project.program_id == program_id).order_by(Project.position)
            )
        ),
        live_count=len(live),
        escalated_count=sum(r.escalation != "none" for r in live),
        steering_count=sum(r.escalation == "steering" for r in live),
    )


@dataclass(frozen=True, slots=True)
class RiskPage:
    """One risk, its history and escalations, and what the forms offer."""

    risk: Risk
    program: Program
    role: Role
    history: list[RiskHistory]
    escalations: list[RiskEscalation]
    members: list[Person]
    projects: list[Project]
    rules_summary: str
    levels_at_moves: dict[int, str]  # by escalation: the level the risk was raised at then

    @property
    def can_edit(self) -> bool:
        closed = self.risk.status == "closed"
        return self.role.rank >= (Role.MANAGER if closed else Role.MEMBER).rank

    @property
    def can_manage(self) -> bool:
        return self.role.rank >= Role.MANAGER.rank

    def owner_choices(self, owner: User | None) -> list[Person]:
        """Whom an owner field offers: the members, and the owner it holds when they have
        left the program since (so that saving the form keeps them)."""
        if owner is None or any(m.id == owner.id for m in self.members):
            return self.members
        gone = Person(owner.id, f"{owner.name or owner.email} (no longer in the program)", "")
        return [*self.members, gone]


def risk_page(session: Session, actor: Actor, risk_id: int) -> RiskPage:
    risk = get_risk(session, actor, risk_id)
    role = require_role(session, actor, risk.program_id, Role.VIEWER)
    program = session.get(Program, risk.program_id)
    assert program is not None
    rules = rules_of(session, risk.program_id)
    parts = []
    if rules.program_score is not None:
        parts.append(f"a score of {rules.program_score} or more")
    if rules.cross_project:
        parts.append("links to more than one project")
    program_rule = ("Escalates to program level on " + " or ".join(parts) + ". ") if parts else ""
    steering_rule = (
        f"A program-level risk scoring {rules.steering_score} or more goes on the steering agenda."
        if rules.steering_score is not None
        else "No steering rule."
    )
    escalations = list_escalations(session, actor, risk_id)
    return RiskPage(
        risk=risk,
        program=program,
        role=role,
        history=list_history(session, actor, risk_id),
        escalations=escalations,
        members=_members(session, actor, risk.program_id),
        projects=list(
            session.scalars(
                select(Project)
                .where(Project.program_id == risk.program_id)
                .order_by(Project.position)
            )
        ),
        rules_summary=program_rule + steering_rule,
        levels_at_moves=_levels_at_moves(session, risk, escalations),
    )


def _levels_at_moves(
    session: Session, risk: Risk, escalations: Sequence[RiskEscalation]
) -> dict[int, str]:
    """The level each move found the risk at (what "back to its level" meant then): the
    last level the audit log holds for it at or before the move, its level now when the
    log has none."""
    if not escalations:
        return {}
    steps: list[tuple[datetime, str]] = []
    for at, changes in session.execute(
        select(AuditEntry.at, AuditEntry.changes)
        .where(
            AuditEntry.program_id == risk.program_id,
            AuditEntry.entity_type == "risk",
            AuditEntry.entity_id == risk.id,
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ):
        level = (changes or {}).get("level")
        if isinstance(level, list) and len(level) == 2 and isinstance(level[1], str):
            steps.append((at, level[1]))
    found: dict[int, str] = {}
    for move in escalations:
        then = [level for at, level in steps if at <= move.at]
        found[move.id] = then[-1] if then else risk.level
    return found


def task_ids_by_keys(session: Session, program_id: int, keys: Sequence[str]) -> list[int]:
    """Task ids for keys typed in a form (``PLAT-5, data-4``: case ignored, as task keys
    are unique ignoring case); every unknown key is named."""
    wanted = [k.strip() for k in keys if k.strip()]
    if not wanted:
        return []
    lowered = {k.lower() for k in wanted}
    found = {
        key.lower(): task_id
        for key, task_id in session.execute(
            select(Task.key, Task.id).where(
                Task.program_id == program_id, func.lower(Task.key).in_(lowered)
            )
        )
    }
    missing = list(dict.fromkeys(k for k in wanted if k.lower() not in found))
    if missing:
        raise field_error(
            "task_keys",
            f"no task {missing[0]} in this program"
            if len(missing) == 1
            else f"no tasks {', '.join(missing)} in this program",
        )
    return list(dict.fromkeys(found[k.lower()] for k in wanted))
