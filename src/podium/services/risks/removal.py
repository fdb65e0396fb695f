"""Keeping the register true when the plan loses a project or tasks.

The database drops a deleted project's or task's links to risks by itself; what it
cannot do is judge the risks left behind. A task-level risk with no task left moves up
to its project's level (to the program's when the project went too), a project-level
risk with nothing left to name moves up to the program's, and the escalation rules are
applied again, alert included, inside the deleting transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from podium.models import Project, Risk, Task, utcnow
from podium.models.risks import risk_projects, risk_tasks
from podium.services.actor import Actor
from podium.services.audit import record_change
from podium.services.common import flush
from podium.services.risks.escalation import apply_escalation, rules_of
from podium.services.risks.writing import record_history

Keys = tuple[list[str], list[str]]  # a risk's project keys and task keys


@dataclass(frozen=True, slots=True)
class LinkedRisks:
    """The risks linked to what is about to be deleted, with their links as they were."""

    links: dict[int, Keys] = field(default_factory=dict)


def risks_linked_to(
    session: Session,
    *,
    project_id: int | None = None,
    task_ids: Select[int] | None = None,
) -> LinkedRisks:
    """The risks linked to a project (directly or through its tasks) or to these tasks.

    Read before deleting them: the links go with the deleted rows.
    """
    ids: set[int] = set()
    if project_id is not None:
        ids |= set(
            session.scalars(
                select(risk_projects.c.risk_id).where(risk_projects.c.project_id == project_id)
            )
        )
        task_ids = select(Task.id).where(Task.project_id == project_id)
    if task_ids is not None:
        ids |= set(
            session.scalars(select(risk_tasks.c.risk_id).where(risk_tasks.c.task_id.in_(task_ids)))
        )
    return LinkedRisks(_links(session, sorted(ids)))


def _links(session: Session, risk_ids: list[int]) -> dict[int, Keys]:
    """Each risk's project and task keys, read without loading the risks' collections."""
    links: dict[int, Keys] = {risk_id: ([], []) for risk_id in risk_ids}
    if not risk_ids:
        return links
    projects = session.execute(
        select(risk_projects.c.risk_id, Project.key)
        .join(Project, Project.id == risk_projects.c.project_id)
        .where(risk_projects.c.risk_id.in_(risk_ids))
    )
    tasks = session.execute(
        select(risk_tasks.c.risk_id, Task.key)
        .join(Task, Task.id == risk_tasks.c.task_id)
        .where(risk_tasks.c.risk_id.in_(risk_ids))
    )
    found: dict[int, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for risk_id, key in projects:
        found[risk_id][0].add(key)
    for risk_id, key in tasks:
        found[risk_id][1].add(key)
    for risk_id, (project_keys, task_keys) in found.items():
        links[risk_id] = (sorted(project_keys), sorted(task_keys))
    return links


def settle_after_removal(
    session: Session,
    actor: Actor,
    linked: LinkedRisks,
    *,
    removed: str,
    project_id: int | None = None,
) -> None:
    """Re-judge the risks that were linked to what was just deleted (call after the flush).

    ``removed`` names what went (``project SEC``, ``task DATA-3``) in the audit and the
    history. ``project_id``, when that project still exists, is where a task-level risk
    left without tasks is now held.
    """
    if not linked.links:
        return
    risks = list(
        session.scalars(
            select(Risk)
            .where(Risk.id.in_(list(linked.links)))
            .options(selectinload(Risk.projects), selectinload(Risk.tasks))
            .order_by(Risk.id)
            .execution_options(populate_existing=True)
        )
    )
    home = session.get(Project, project_id) if project_id is not None else None
    for risk in risks:
        _move_up_if_bare(session, actor, risk, linked.links[risk.id], removed=removed, home=home)
    rules = rules_of(session, risks[0].program_id) if risks else None
    for risk in risks:
        apply_escalation(session, actor, risk, rules)


def _move_up_if_bare(
    session: Session,
    actor: Actor,
    risk: Risk,
    before: Keys,
    *,
    removed: str,
    home: Project | None,
) -> None:
    """Audit the links the deletion took; move the risk up when its level has nothing left."""
    level = risk.level
    if level == "task" and not risk.tasks:
        level = "project"
        if home is not None and not risk.projects:
            risk.projects = [home]
    if level == "project" and not (risk.projects or risk.tasks):
        level = "program"
    after: Keys = (sorted(p.key for p in risk.projects), sorted(t.key for t in risk.tasks))
    changes: dict[str, list[object]] = {
        name: [old, new]
        for name, old, new in zip(("projects", "tasks"), before, after, strict=True)
        if old != new
    }
    if level != risk.level:
        changes["level"] = [risk.level, level]
        risk.level = level
    if not changes:
        return
    changes["reason"] = [None, f"{removed} was deleted"]
    record_change(
        session,
        actor,
        program_id=risk.program_id,
        entity_type="risk",
        entity_id=risk.id,
        action="update",
        changes=changes,
        label=risk.name,
    )
    risk.updated_at = utcnow()  # a new version, so If-Match sees the links changed
    flush(session)
    if "level" in changes:
        record_history(session, actor, risk, f"moved up to {level} level: {removed} was deleted")
