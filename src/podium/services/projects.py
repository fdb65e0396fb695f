"""Projects: the parts of a program, each holding a WBS of tasks.

Managers (and owners, admins) create and change projects; everyone in the
program reads them; people outside it are told a project does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from podium.errors import Conflict, NotFound, field_error
from podium.models import Dependency, Membership, Program, Project, Role, Task, User
from podium.services.actor import Actor, require_role, visible_program_ids
from podium.services.audit import record_created, record_deleted
from podium.services.calendars import check_calendar
from podium.services.common import apply_update, check_version, count_rows, flush
from podium.services.dependencies import DependencyView, describe_dependencies
from podium.services.scheduling.alerts import rename_project_in_alerts

PROJECT_FIELDS = [
    "key",
    "name",
    "description",
    "position",
    "start_date",
    "calendar_id",
    "manager_id",
]

DEPENDENCY_FIELDS = [
    "predecessor_task_id",
    "predecessor_milestone_id",
    "successor_task_id",
    "successor_milestone_id",
    "type",
    "lag",
]


def require_visible(
    session: Session, actor: Actor, program_id: int, needed: Role, *, what: str
) -> Role:
    """The actor's role in ``program_id``; outsiders are told ``what`` was not found."""
    try:
        return require_role(session, actor, program_id, needed)
    except NotFound:
        raise NotFound(f"{what} not found") from None


def get_project(
    session: Session, actor: Actor, project_id: int, *, needed: Role = Role.VIEWER
) -> Project:
    """A project the actor may act on with at least ``needed``."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"project {project_id} not found")
    require_visible(session, actor, project.program_id, needed, what=f"project {project_id}")
    return project


def projects_by_id(session: Session, program_id: int, ids: Sequence[int]) -> list[Project]:
    """The program's projects with ``ids`` (a risk's or a benefit's links); an id that is
    not one of them is a 422 on ``project_ids``."""
    found = list(
        session.scalars(
            select(Project).where(Project.program_id == program_id, Project.id.in_(list(ids)))
        )
    )
    missing = sorted(set(ids) - {p.id for p in found})
    if missing:
        raise field_error("project_ids", f"no project {missing[0]} in this program")
    return found


def count_tasks(session: Session, project_id: int) -> int:
    """How many tasks the project holds (at every WBS level)."""
    return session.scalar(select(func.count(Task.id)).where(Task.project_id == project_id)) or 0


def _task_counts() -> Any:
    return (
        select(Task.project_id, func.count(Task.id).label("n")).group_by(Task.project_id).subquery()
    )


def _projects_query(
    session: Session, actor: Actor, *, program_id: int | None, q: str | None
) -> Select[Project, int]:
    counts = _task_counts()
    query = (
        select(Project, func.coalesce(counts.c.n, 0))
        .join(Program, Program.id == Project.program_id)
        .outerjoin(counts, counts.c.project_id == Project.id)
        .order_by(Program.key, Project.position, Project.id)
    )
    if program_id is not None:
        require_role(session, actor, program_id, Role.VIEWER)
        query = query.where(Project.program_id == program_id)
    else:
        visible = visible_program_ids(session, actor)
        if visible is not None:
            query = query.where(Project.program_id.in_(visible))
    if q:
        query = query.where(
            or_(
                Project.name.icontains(q, autoescape=True),
                Project.key.icontains(q, autoescape=True),
            )
        )
    return query


def list_projects(
    session: Session,
    actor: Actor,
    *,
    program_id: int | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[Project, int]], int]:
    """One page of the projects the actor can see, each with its task count, and the total."""
    query = _projects_query(session, actor, program_id=program_id, q=q)
    rows = session.execute(query.limit(limit).offset(offset))
    return [(project, int(n)) for project, n in rows], count_rows(session, query)


def _check_key_free(
    session: Session, program_id: int, key: str, *, except_id: int | None = None
) -> None:
    taken = session.scalar(
        select(Project.key).where(
            Project.program_id == program_id,
            func.lower(Project.key) == key.lower(),
            Project.id != except_id,
        )
    )
    if taken is not None:  # ignoring case, as task keys (``data-3`` finds ``DATA-3``)
        raise Conflict(
            f"this program already has a project with key {taken}", details={"field": "key"}
        )


def _check_manager(session: Session, program_id: int, manager_id: int | None) -> None:
    """A project's manager is a manager or owner of its program (of the live program, for
    a scenario's copy, which has no members of its own): someone who may plan it."""
    if manager_id is None:
        return
    live = select(func.coalesce(Program.scenario_of_id, Program.id)).where(Program.id == program_id)
    role = session.scalar(
        select(Membership.role).where(
            Membership.program_id == live.scalar_subquery(), Membership.user_id == manager_id
        )
    )
    if role is None:
        raise field_error("manager_id", f"user {manager_id} is not a member of this program")
    if role.rank < Role.MANAGER.rank:
        who = session.scalar(select(User.email).where(User.id == manager_id))
        raise field_error(
            "manager_id",
            f"{who} is a {role.value} of this program: a project's manager must be one of "
            "its managers or owners, who plan it",
        )


def create_project(
    session: Session,
    actor: Actor,
    *,
    program_id: int,
    key: str,
    name: str,
    start_date: date | None = None,
    position: int | None = None,
    **fields: Any,
) -> Project:
    """A new project in a program (managers); by default it goes after the others."""
    require_role(session, actor, program_id, Role.MANAGER)
    _check_key_free(session, program_id, key)
    check_calendar(session, fields.get("calendar_id"))
    _check_manager(session, program_id, fields.get("manager_id"))
    if position is None:
        last = session.scalar(
            select(func.max(Project.position)).where(Project.program_id == program_id)
        )
        position = 0 if last is None else last + 1
    project = Project(
        program_id=program_id,
        key=key,
        name=name,
        start_date=start_date,
        position=position,
        **fields,
    )
    session.add(project)
    flush(session)
    record_created(session, actor, project, program_id=program_id, fields=PROJECT_FIELDS)
    return project


def update_project(
    session: Session,
    actor: Actor,
    project_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Project:
    """Change a project's fields (managers).

    Renaming the key does not rename existing task keys: those are identifiers
    people have already written down.
    """
    project = get_project(session, actor, project_id, needed=Role.MANAGER)
    check_version(project, expected_version)
    renamed = "key" in updates and updates["key"] != project.key
    if renamed:
        _check_key_free(session, project.program_id, updates["key"], except_id=project.id)
    if "calendar_id" in updates:
        check_calendar(session, updates["calendar_id"])
    if "manager_id" in updates and updates["manager_id"] != project.manager_id:
        _check_manager(session, project.program_id, updates["manager_id"])
    old_key = project.key
    apply_update(
        session,
        actor,
        project,
        updates,
        program_id=project.program_id,
        expected_version=expected_version,
    )
    if renamed:
        rename_project_in_alerts(session, project.program_id, old_key, project.key)
    return project


@dataclass(frozen=True, slots=True)
class OutsideLink:
    """A dependency between one of a project's tasks and work outside the project: a
    task of another project, or a program milestone."""

    id: int
    predecessor: str  # keys: "PLAT-6", "M1"
    successor: str
    type: str
    other_project: str | None  # the other end's project key (None: a program milestone)

    @property
    def label(self) -> str:
        """As the audit log names a dependency: ``PLAT-6 → TRAIN-2``."""
        return f"{self.predecessor} → {self.successor}"


@dataclass(frozen=True, slots=True)
class Footprint:
    """What deleting a project takes with it."""

    tasks: int
    dependencies: int  # every dependency touching its tasks
    outside_links: tuple[OutsideLink, ...]  # of those, the ones to work outside it

    @property
    def outside(self) -> int:
        """How many of its dependencies link it to work outside it."""
        return len(self.outside_links)


MAX_LINKS_NAMED = 10  # in a message; the details (and the settings page) list them all


def links_named(links: Sequence[OutsideLink]) -> str:
    """``PLAT-6 → TRAIN-2, PLAT-3 → M1``; past ten links, ``… and 4 more``."""
    named = ", ".join(link.label for link in links[:MAX_LINKS_NAMED])
    rest = len(links) - MAX_LINKS_NAMED
    return f"{named} and {rest} more" if rest > 0 else named


def _touching(session: Session, project_id: int) -> list[DependencyView]:
    """Every dependency with one of the project's tasks at either end, in creation order."""
    ours = select(Task.id).where(Task.project_id == project_id).scalar_subquery()
    touching = session.scalars(
        select(Dependency)
        .where(
            or_(Dependency.predecessor_task_id.in_(ours), Dependency.successor_task_id.in_(ours))
        )
        .order_by(Dependency.id)
    )
    return describe_dependencies(session, touching)


def _outside(views: Sequence[DependencyView], project_id: int) -> tuple[OutsideLink, ...]:
    found = []
    for view in views:
        pred, succ = view.predecessor, view.successor
        if pred.project_id == project_id and succ.project_id == project_id:
            continue
        other = succ if pred.project_id == project_id else pred
        link = view.dependency
        found.append(OutsideLink(link.id, pred.key, succ.key, link.type.value, other.project_key))
    return tuple(found)


def footprint(session: Session, actor: Actor, project_id: int) -> Footprint:
    """How many tasks and dependencies go with the project, naming those that link it to
    work outside it (anyone who sees it)."""
    get_project(session, actor, project_id)
    views = _touching(session, project_id)
    return Footprint(count_tasks(session, project_id), len(views), _outside(views, project_id))


def delete_project(
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    cascade: bool = False,
    expected_version: int | None = None,
) -> None:
    """Remove a project with its tasks and every dependency touching them (managers).

    Dependencies that link its tasks to work outside it (other projects' tasks,
    program milestones) make this a conflict naming them, unless ``cascade``: what
    waits on the project would silently stop waiting. The database removes tasks
    and dependencies by foreign-key cascade; each removed record gets its own audit
    entry first, a dependency labelled by its ends (``PLAT-6 → TRAIN-2``). The risks
    that were linked to the project or its tasks are judged again (level,
    escalation, alert).
    """
    from podium.services import risks
    from podium.services.tasks import TASK_FIELDS

    project = get_project(session, actor, project_id, needed=Role.MANAGER)
    check_version(project, expected_version)
    program_id = project.program_id
    views = _touching(session, project_id)
    outside = _outside(views, project_id)
    if outside and not cascade:
        these = "dependency {} links" if len(outside) == 1 else "dependencies {} link"
        raise Conflict(
            f"project {project.key} cannot be deleted: {these.format(links_named(outside))} "
            "its tasks to work outside it; delete them first or use ?cascade=true",
            code="project_has_outside_links",
            details={
                "dependencies": [
                    {
                        "id": link.id,
                        "predecessor": link.predecessor,
                        "successor": link.successor,
                        "type": link.type,
                        "other_project": link.other_project,
                    }
                    for link in outside
                ]
            },
        )
    linked = risks.risks_linked_to(session, project_id=project_id)
    for view in views:
        record_deleted(
            session,
            actor,
            view.dependency,
            program_id=program_id,
            fields=DEPENDENCY_FIELDS,
            label=f"{view.predecessor.key} → {view.successor.key}",
        )
    for task in session.scalars(select(Task).where(Task.project_id == project_id)):
        record_deleted(session, actor, task, program_id=program_id, fields=TASK_FIELDS)
    record_deleted(session, actor, project, program_id=program_id, fields=PROJECT_FIELDS)
    removed = f"project {project.key}"
    session.delete(project)
    flush(session)
    risks.settle_after_removal(session, actor, linked, removed=removed)
