"""Applying a scenario to the live plan, in the caller's one transaction.

Refused (409, ``details.conflicts``) when the live plan's changes since the copy clash
with the scenario's (:mod:`.conflicts`). Otherwise what the scenario changed is written
through the usual services (so it is checked, audited and rescheduled like any edit):
removed records are deleted, the fields the scenario changed updated (what the live
plan changed on its own, such as progress, stays: :mod:`.merging`), added records
created, in an order that keeps the plan valid at each step.
The duration of an effort-driven task follows from the work given on its assignments:
the assignments are written first, all of them, and then each such task's duration is
set once from its work at today's hours per day, so only the end state is checked
(the longest a task may last), never a step on the way.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.errors import Conflict, PodiumError
from podium.models import (
    Assignment,
    Dependency,
    Milestone,
    Project,
    Role,
    Scenario,
    ScenarioStatus,
    Task,
)
from podium.services import dependencies as dependency_service
from podium.services import milestones as milestone_service
from podium.services import projects as project_service
from podium.services import tasks as task_service
from podium.services.actor import Actor
from podium.services.closed import refuse_if_closed
from podium.services.common import check_version, flush
from podium.services.resources import assignments as assignment_service
from podium.services.resources.effort import effort_days
from podium.services.scenarios._records import (
    KINDS,
    check_active,
    get_scenario,
    records_of,
)
from podium.services.scenarios.conflicts import check_applicable
from podium.services.scenarios.hours import follows_work, hours_report
from podium.services.scenarios.managing import close
from podium.services.scenarios.merging import (
    MILESTONE_FIELDS,
    PROJECT_FIELDS,
    TASK_FIELDS,
    base_values,
    scenario_values,
    three_way,
    tree_changed,
    values_of,
)

# --- writing the copy onto the live plan -------------------------------------------


def _wbs_order(task: Task) -> tuple[int, ...]:
    return tuple(int(p) if p.isdecimal() else 0 for p in task.wbs.split("."))


# what makes a task's duration follow its work: written with it, after the work
FOLLOWING = ("effort_driven", "actual_start")


class _Writer:
    """Writes one scenario's copy onto its live program through the services."""

    def __init__(self, session: Session, actor: Actor, scenario: Scenario, copy_id: int) -> None:
        self.session, self.actor, self.scenario = session, actor, scenario
        self.live_id, self.copy_id = scenario.program_id, copy_id
        self.copies = {
            kind: {r.id: r for r in records_of(session, kind, copy_id)} for kind in KINDS
        }
        # copy id → live id, for the records copied from the live plan (grows as we create)
        self.live: dict[str, dict[int, int]] = {
            kind: {r["copy"]: r["live"] for r in scenario.basis.get(kind, [])} for kind in KINDS
        }
        self.counts: dict[str, Counter[str]] = {
            "created": Counter(),
            "updated": Counter(),
            "deleted": Counter(),
        }
        self.tasks_updated: set[int] = set()  # live ids, so a task written twice counts once
        # each copied live record's compared fields as they were when copied, and as they
        # are before applying (what applying writes changes them on the way)
        live_records = {kind: records_of(session, kind, self.live_id) for kind in KINDS}
        # the copied records deleted from the live plan since the copy: their deletion
        # stands (the scenario did not change them, or applying is refused)
        self.gone = {
            kind: {r["live"] for r in scenario.basis.get(kind, [])}
            - {record.id for record in records}
            for kind, records in live_records.items()
        }
        self.base = {
            kind: base_values(session, scenario, kind, {r.id: r for r in records})
            for kind, records in live_records.items()
        }
        self.before = {
            kind: {r.id: values_of(kind, r) for r in records}
            for kind, records in live_records.items()
        }
        # live id → (copy id, whether the scenario changed its duration), for each task whose
        # duration is to follow its work once applied: set by durations(), after the work
        self.follow: dict[int, tuple[int, bool]] = {}
        # live id → the fields that make the task follow its work, written after the work
        self.following: dict[int, dict[str, Any]] = {}
        # live durations before applying: the work written may change them on its own
        self.durations_before: dict[int, int] = dict(
            session.execute(
                select(Task.id, Task.duration).where(Task.program_id == scenario.program_id)
            ).all()
        )

    def changes(self, kind: str, live: Any, copy: Any) -> dict[str, Any]:
        """The fields of a copied record the scenario changed (and the live plan did not
        already change to the same), with the scenario's values: what to write. What the
        live plan changed on its own stays."""
        scenario = scenario_values(kind, copy, self.live["tasks"])
        now = values_of(kind, live)
        base = self.base[kind].get(live.id, scenario)
        fields, _clashes = three_way(base, self.before[kind].get(live.id, now), scenario)
        return {f: getattr(copy, f) for f in fields if now[f] != scenario[f]}

    def removed(self, kind: str) -> list[int]:
        """Live ids of the copied records the scenario deleted (still live when applying
        began)."""
        return [
            r["live"]
            for r in self.scenario.basis.get(kind, [])
            if r["copy"] not in self.copies[kind] and r["live"] not in self.gone[kind]
        ]

    def added(self, kind: str) -> list[Any]:
        return [r for i, r in sorted(self.copies[kind].items()) if i not in self.live[kind]]

    def pairs(self, kind: str, model: type[Any]) -> list[tuple[Any, Any]]:
        found = []
        for copy_id, live_id in self.live[kind].items():
            copy = self.copies[kind].get(copy_id)
            live = self.session.get(model, live_id)
            if copy is not None and live is not None:
                found.append((live, copy))
        return found

    def run(self) -> dict[str, dict[str, int]]:
        s, a = self.session, self.actor
        for live_id in self.removed("dependencies"):
            if s.get(Dependency, live_id) is not None:
                dependency_service.delete_dependency(s, a, live_id)
                self.counts["deleted"]["dependencies"] += 1
        for live_id in self.removed("assignments"):
            if s.get(Assignment, live_id) is not None:
                assignment_service.delete_assignment(s, a, live_id, follow_effort=False)
                self.counts["deleted"]["assignments"] += 1
        for live_id in self.removed("milestones"):
            milestone_service.delete_milestone(s, a, live_id, cascade=True)
            self.counts["deleted"]["milestones"] += 1
        for live_id in self.removed("tasks"):
            if s.get(Task, live_id) is not None:  # not already gone with its parent
                task_service.delete_task(s, a, live_id, cascade=True)
            self.counts["deleted"]["tasks"] += 1
        self.projects()
        self.tasks()
        self.milestones()
        self.dependencies()
        self.assignments()
        self.durations()
        for live_id in self.removed("projects"):
            project_service.delete_project(s, a, live_id)
            self.counts["deleted"]["projects"] += 1
        flush(s)
        return {what: dict(counter) for what, counter in self.counts.items()}

    def projects(self) -> None:
        for live, copy in self.pairs("projects", Project):
            updates = self.changes("projects", live, copy)
            if updates:
                project_service.update_project(self.session, self.actor, live.id, updates)
                self.counts["updated"]["projects"] += 1
        for copy in self.added("projects"):
            fields = {f: getattr(copy, f) for f in PROJECT_FIELDS}
            created = project_service.create_project(
                self.session, self.actor, program_id=self.live_id, **fields
            )
            self.live["projects"][copy.id] = created.id
            self.counts["created"]["projects"] += 1

    def tasks(self) -> None:
        projects = self.copies["projects"]
        ordered = sorted(
            self.copies["tasks"].values(),
            key=lambda t: (projects[t.project_id].position, t.project_id, _wbs_order(t)),
        )
        task_map = self.live["tasks"]
        for copy in ordered:
            parent = task_map[copy.parent_id] if copy.parent_id is not None else None
            live_id = task_map.get(copy.id)
            if live_id in self.gone["tasks"]:
                continue  # deleted live, and unchanged in the scenario: it stays deleted
            if live_id is None:
                fields = {
                    f: getattr(copy, f)
                    for f in TASK_FIELDS
                    if f not in ("key", "name", "parent_id", "position")
                }
                created = task_service.create_task(
                    self.session,
                    self.actor,
                    project_id=self.live["projects"][copy.project_id],
                    name=copy.name,
                    key=copy.key,
                    parent_id=parent,
                    position=copy.position,
                    **fields,
                )
                task_map[copy.id] = created.id
                if follows_work(copy):
                    self.follow[created.id] = (copy.id, True)
                self.counts["created"]["tasks"] += 1
                continue
            live = self.session.get(Task, live_id)
            assert live is not None
            updates = self.changes("tasks", live, copy)
            if tree_changed(updates):
                updates.update(parent_id=parent, position=copy.position)
            # once applied, the task follows its work if the scenario or the live plan
            # (whichever changed it) leaves it effort-driven and not started
            effort_driven = updates.get("effort_driven", live.effort_driven)
            if effort_driven and updates.get("actual_start", live.actual_start) is None:
                self.follow[live.id] = (copy.id, "duration" in updates)
                updates.pop("duration", None)  # written by durations(), after the work
                if not follows_work(live):  # nor is it to follow the live work meanwhile
                    later = {f: updates.pop(f) for f in FOLLOWING if f in updates}
                    if later:
                        self.following[live.id] = later
                        self._count_update(live.id)
            if updates:
                task_service.update_task(self.session, self.actor, live.id, updates)
                self._count_update(live.id)
        for copy_id, live_id in self.live["projects"].items():
            copy_project = projects.get(copy_id)
            live_project = self.session.get(Project, live_id)
            if copy_project is not None and live_project is not None:
                live_project.next_task_number = max(
                    live_project.next_task_number, copy_project.next_task_number
                )

    def _count_update(self, live_id: int) -> None:
        if live_id not in self.tasks_updated:
            self.tasks_updated.add(live_id)
            self.counts["updated"]["tasks"] += 1

    def durations(self) -> None:
        """The duration of each task whose duration follows from its work, set once all
        the scenario's work, people and units are on it (they were written without
        moving it): the work given at today's hours per day sets it, and only that end
        state is checked; without work given, the scenario's duration. A task is made
        effort-driven (or its actual start cleared) here, with that duration. A task
        whose duration the scenario changed counts as updated, whichever wrote it. Without
        work given, the duration is the scenario's if it changed it, else the live one."""
        for live_id, (copy_id, changed) in self.follow.items():
            copy = self.copies["tasks"].get(copy_id)
            live = self.session.get(Task, live_id)
            if copy is None or live is None:
                continue
            updates = dict(self.following.get(live_id, {}))
            days = effort_days(self.session, live)  # refuses more than a task may last
            duration = days if days is not None else (copy.duration if changed else live.duration)
            if live.duration != duration:
                updates["duration"] = duration
            if updates:
                task_service.update_task(self.session, self.actor, live.id, updates)
            if self.durations_before.get(live_id, duration) != duration:
                self._count_update(live.id)

    def milestones(self) -> None:
        for live, copy in self.pairs("milestones", Milestone):
            updates = self.changes("milestones", live, copy)
            if updates:
                milestone_service.update_milestone(self.session, self.actor, live.id, updates)
                self.counts["updated"]["milestones"] += 1
        for copy in self.added("milestones"):
            created = milestone_service.create_milestone(
                self.session,
                self.actor,
                program_id=self.live_id,
                **{f: getattr(copy, f) for f in MILESTONE_FIELDS},
            )
            self.live["milestones"][copy.id] = created.id
            self.counts["created"]["milestones"] += 1

    def _end(self, task_id: int | None, milestone_id: int | None) -> dependency_service.EndRef:
        if task_id is not None:
            return dependency_service.EndRef("task", self.live["tasks"][task_id])
        assert milestone_id is not None
        return dependency_service.EndRef("milestone", self.live["milestones"][milestone_id])

    def dependencies(self) -> None:
        for live, copy in self.pairs("dependencies", Dependency):
            updates = self.changes("dependencies", live, copy)
            if updates:
                dependency_service.update_dependency(self.session, self.actor, live.id, updates)
                self.counts["updated"]["dependencies"] += 1
        for copy in self.added("dependencies"):
            created = dependency_service.create_dependency(
                self.session,
                self.actor,
                predecessor=self._end(copy.predecessor_task_id, copy.predecessor_milestone_id),
                successor=self._end(copy.successor_task_id, copy.successor_milestone_id),
                dependency_type=copy.type,
                lag=copy.lag,
            )
            self.live["dependencies"][copy.id] = created.id
            self.counts["created"]["dependencies"] += 1

    def assignments(self) -> None:
        for live, copy in self.pairs("assignments", Assignment):
            updates = self.changes("assignments", live, copy)
            if updates:
                assignment_service.update_assignment(
                    self.session, self.actor, live.id, updates, follow_effort=False
                )
                self.counts["updated"]["assignments"] += 1
        for copy in self.added("assignments"):
            created = assignment_service.create_assignment(
                self.session,
                self.actor,
                task_id=self.live["tasks"][copy.task_id],
                resource_id=copy.resource_id,
                units=copy.units,
                work_hours=copy.work_hours,
                notes=copy.notes,
                follow_effort=False,
            )
            self.live["assignments"][copy.id] = created.id
            self.counts["created"]["assignments"] += 1


def write_onto_live(session: Session, actor: Actor, scenario: Scenario) -> dict[str, Any]:
    """Check, then write the scenario onto the live plan and close it as applied;
    returns what was created, updated and deleted, and, when someone's hours per day
    changed since the copy, the effort-driven tasks that moved for it (``hours_changed``,
    see :func:`.hours.hours_report`, each task with the duration ``applied``). Raises
    ``Conflict`` and writes nothing if the live plan and the scenario clash (what only
    the live plan changed is kept: see :mod:`.conflicts`) or an edit no longer applies."""
    copy = check_active(scenario)
    refuse_if_closed(session, scenario.program_id)  # 409 program_closed, as for any edit
    check_applicable(session, scenario)
    flush(session)
    hours = hours_report(session, scenario, copy.id)
    try:
        counts = _Writer(session, actor, scenario, copy.id).run()
    except PodiumError as exc:
        raise Conflict(
            f"scenario S{scenario.number} cannot be applied: {exc.message}",
            code="scenario_conflict",
            details={
                "conflicts": [
                    {"kind": "plan", "key": "", "change": "refused", "message": exc.message}
                ]
            },
        ) from exc
    outcome: dict[str, Any] = {"applied": counts}
    if hours["resources"]:
        for task in hours["tasks"]:
            live = session.get(Task, task["task_id"])
            task["applied"] = live.duration if live is not None else None
        outcome["hours_changed"] = hours
    scenario.outcome = outcome
    close(session, actor, scenario, ScenarioStatus.APPLIED)
    return scenario.outcome


def apply_scenario(
    session: Session, actor: Actor, scenario_id: int, *, expected_version: int | None = None
) -> Scenario:
    """Apply a scenario to the live plan in one transaction (managers)."""
    scenario = get_scenario(session, actor, scenario_id, needed=Role.MANAGER)
    check_version(scenario, expected_version)
    write_onto_live(session, actor, scenario)
    return scenario
