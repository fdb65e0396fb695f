"""A program's health: red, amber or green for the program, each project, milestone and
task, computed from the plan (schedule, baseline, earned value, alerts) by rules an
owner can tune, and always with the reasons.

Open risks and benefit KPIs behind their path are among the facts. A program, or a
project, with no scheduled work yet is ``no_plan`` — a neutral state, not green — and
is recorded and reported as such (:data:`STATUS_WORDS`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session

from podium.engine.health import (
    AlertFacts,
    HealthInput,
    HealthReport,
    InvalidHealthInput,
    InvalidRules,
    MilestoneFacts,
    OverAllocation,
    ProgramFacts,
    ProjectFacts,
    Ref,
    RuleSet,
    TaskFacts,
    assess_health,
)
from podium.errors import Conflict, ValidationFailed
from podium.models import (
    Alert,
    AlertKind,
    BaselineItem,
    HealthSnapshot,
    Milestone,
    Program,
    Project,
    Resource,
    Role,
    Task,
)
from podium.services.actor import Actor
from podium.services.audit import record_change
from podium.services.benefits import health_benefit_facts, sync_benefit_alerts
from podium.services.common import check_version, flush, today
from podium.services.overview import program_calendar
from podium.services.pages_schedule import milestone_rows
from podium.services.performance import ProgramPerformance, program_performance
from podium.services.programs import get_program
from podium.services.risks import health_risk_facts
from podium.services.scheduling.network import paused_gc
from podium.services.tasks.rollup import finished_leaf, summaries_with_work_left

STATUS_WORDS: dict[str, str] = {
    "no_plan": "no plan yet",
    "green": "green",
    "amber": "amber",
    "red": "red",
}


def status_words(status: str) -> str:
    """A health status as a person reads it ("no plan yet" for ``no_plan``)."""
    return STATUS_WORDS.get(status, status)


@dataclass
class ProgramHealth:
    report: HealthReport
    performance: ProgramPerformance
    rules: RuleSet


def _index(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _column(values: Any, at: int | None) -> float | None:
    """An index from an earned value column (NaN: undefined)."""
    if at is None or math.isnan(values[at]):
        return None
    return round(float(values[at]), 3)


def open_on(day: date, *, current: date) -> tuple[ColumnElement[bool], ...]:
    """The conditions of an alert open on ``day``: found by its end and not resolved by
    then (alerts are stamped in UTC). On or after ``current`` (the program's own status
    date) the alerts open now: the live schedule raised them about that date, even when
    they were found on a later day."""
    if day >= current:
        return (Alert.resolved_at.is_(None),)
    after = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
    return (
        Alert.first_detected_at < after,
        or_(Alert.resolved_at.is_(None), Alert.resolved_at >= after),
    )


def health_facts(session: Session, perf: ProgramPerformance) -> HealthInput:
    """The facts health is judged from, read for one program."""
    program = perf.program
    result = perf.result
    baseline_finish: dict[tuple[str, int], date] = {}
    if perf.baseline is not None:
        for kind, record_id, finish in session.execute(
            select(BaselineItem.kind, BaselineItem.record_id, BaselineItem.finish).where(
                BaselineItem.baseline_id == perf.baseline.id
            )
        ):
            if finish is not None:
                baseline_finish[(kind, record_id)] = finish
    projects = {
        p.id: p for p in session.scalars(select(Project).where(Project.program_id == program.id))
    }
    project_baseline: dict[str, date] = {}
    tasks: list[TaskFacts] = []
    milestones: list[MilestoneFacts] = []
    rows = session.execute(
        select(
            Task.id,
            Task.key,
            Task.project_id,
            Task.parent_id,
            Task.is_milestone,
            Task.early_finish,
            Task.total_float,
            Task.deadline,
            finished_leaf(),
        ).where(Task.program_id == program.id)
    ).all()
    keys = {row[0]: row[1] for row in rows}
    # done as the scheduler reads it: a summary when its sub-tasks all are
    summaries = {row[3] for row in rows if row[3] is not None}
    work_left = summaries_with_work_left(session, program.id) if summaries else set()
    task_evm = result.tasks
    evm_row = task_evm.index
    for (
        task_id,
        key,
        project_id,
        parent_id,
        is_milestone,
        finish,
        total_float,
        deadline,
        leaf_done,
    ) in rows:
        done = task_id not in work_left if task_id in summaries else bool(leaf_done)
        project_key = projects[project_id].key
        planned = baseline_finish.get(("task", task_id))
        if planned is not None:
            current = project_baseline.get(project_key)
            project_baseline[project_key] = max(planned, current) if current else planned
        ref = Ref("task", task_id, key)
        if is_milestone:
            milestones.append(
                MilestoneFacts(
                    ref,
                    project_key,
                    forecast=finish,
                    target=deadline,
                    baseline=planned,
                    total_float=total_float,
                    reached=done,
                )
            )
            continue
        at = evm_row.get(key)
        tasks.append(
            TaskFacts(
                ref,
                project_key,
                parent=keys.get(parent_id) if parent_id else None,
                finish=finish,
                baseline_finish=planned,
                total_float=total_float,
                spi=_column(task_evm.spi, at),
                cpi=_column(task_evm.cpi, at),
                finished=done,
            )
        )
    calendar = program_calendar(session, program)
    # as the milestone pages read them: a reached milestone (all the work into it done) is,
    # like a finished task, no longer forecast; an unfed one (no work leads to it) has no
    # forecast yet, only the program's start or status date: the schedule rules leave both be
    standing = milestone_rows(session, [program.id], {program.id: calendar})[program.id]
    reached = {row.id for row in standing if row.reached}
    unfed = {row.id for row in standing if not row.fed}
    for m_id, key, forecast, target, total_float in session.execute(
        select(
            Milestone.id,
            Milestone.key,
            Milestone.early_finish,
            Milestone.target_date,
            Milestone.total_float,
        ).where(Milestone.program_id == program.id)
    ):
        milestones.append(
            MilestoneFacts(
                Ref("milestone", m_id, key),
                None,
                forecast=None if m_id in unfed else forecast,
                target=target,
                baseline=baseline_finish.get(("milestone", m_id)),
                total_float=None if m_id in unfed else total_float,
                reached=m_id in reached,
            )
        )
    project_evm = result.projects
    project_facts = []
    for project in projects.values():
        row = project_evm[project.key] if project.key in project_evm.ids else None
        project_facts.append(
            ProjectFacts(
                Ref("project", project.id, project.key),
                finish=project.scheduled_finish,
                baseline_finish=project_baseline.get(project.key),
                spi=_index(row.spi) if row else None,
                cpi=_index(row.cpi) if row else None,
            )
        )
    open_alerts = list(
        session.scalars(
            select(Alert).where(
                Alert.program_id == program.id,
                # as they stood on the status date: for a past date, not what was found
                # since, and what was resolved since still open
                *open_on(perf.status_date, current=program.status_date or today()),
                # the high_risks and benefit_off_track rules judge risks and benefits
                Alert.kind.not_in([AlertKind.RISK_ESCALATED, AlertKind.BENEFIT_OFF_TRACK]),
            )
        )
    )
    alerts = [
        AlertFacts(
            Ref("alert", a.id, str(a.id)),
            a.severity.value,
            title=a.title,
            subject=_subject_key(a, keys, session),
            projects=tuple(a.projects),
            cross_project=a.cross_project,
        )
        for a in open_alerts
        if a.kind != AlertKind.OVER_ALLOCATION  # the over_allocation rule judges those
        and not _about_reached_milestone(a, reached)
    ]
    return HealthInput(
        ProgramFacts(
            Ref("program", program.id, program.key),
            finish=program.scheduled_finish,
            baseline_finish=perf.baseline.finish if perf.baseline else None,
            target=program.goal_target_date,
            spi=_index(result.program.spi),
            cpi=_index(result.program.cpi),
        ),
        calendar=calendar,
        projects=project_facts,
        tasks=tasks,
        milestones=milestones,
        alerts=alerts,
        overallocations=_over_allocations(session, open_alerts),
        risks=health_risk_facts(session, program.id, perf.status_date),
        benefits=health_benefit_facts(session, program, perf.status_date),
    )


_FORECAST_KINDS = (AlertKind.MILESTONE_TARGET_MISSED, AlertKind.PAST_BASELINE)


def _about_reached_milestone(alert: Alert, reached: set[int]) -> bool:
    """A forecast slip of a milestone whose work is all done: no longer a forecast."""
    return (
        alert.kind in _FORECAST_KINDS
        and alert.subject_type == "milestone"
        and alert.subject_id in reached
    )


def _over_allocations(session: Session, alerts: list[Alert]) -> list[OverAllocation]:
    """Each over-allocated period of an open over-allocation alert, at its peak load: the
    resource by its key, named as people know it (one query for the resources)."""
    over = [a for a in alerts if a.kind == AlertKind.OVER_ALLOCATION]
    resources = (
        {
            r.id: (r.key, r.name)
            for r in session.execute(
                select(Resource.id, Resource.key, Resource.name).where(
                    Resource.id.in_({a.subject_id for a in over})
                )
            )
        }
        if over
        else {}
    )
    out = []
    for a in over:
        title_name = a.title.split(" over-allocated")[0]
        key, name = resources.get(a.subject_id, (title_name, title_name))
        for period in a.details.get("periods", []):
            capacity = float(period.get("capacity") or 0)
            load = float(period["peak_demand"]) / capacity if capacity > 0 else 9.99
            out.append(
                OverAllocation(
                    Ref("resource", a.subject_id, key),
                    load,
                    date.fromisoformat(period["start"]),
                    date.fromisoformat(period["finish"]),
                    tasks=tuple(period.get("tasks", ())),
                    projects=tuple(a.projects),
                    name=name,
                )
            )
    return out


def _subject_key(alert: Alert, task_keys: Mapping[int, str], session: Session) -> str | None:
    if alert.subject_type == "task":
        return task_keys.get(alert.subject_id)
    if alert.subject_type != "milestone":
        return None
    milestone = session.get(Milestone, alert.subject_id)
    return milestone.key if milestone is not None else None


def program_rules(program: Program) -> RuleSet:
    try:
        return RuleSet.from_json(program.health_rules)
    except InvalidRules:
        # stored rules that no longer validate fall back to the defaults rather than failing pages
        return RuleSet()


def program_health(
    session: Session, actor: Actor, program_id: int, *, status_date: date | None = None
) -> ProgramHealth:
    """The health of the program, its projects, milestones and tasks, with reasons."""
    perf = program_performance(session, actor, program_id, status_date=status_date)
    rules = program_rules(perf.program)
    try:
        with paused_gc():
            report = assess_health(health_facts(session, perf), rules)
    except InvalidHealthInput as exc:
        raise Conflict(
            "health cannot be computed: " + "; ".join(exc.problems[:3]),
            code="invalid_health_input",
            details=exc.problems,
        ) from exc
    return ProgramHealth(report, perf, rules)


_SETTING = re.compile(r"(rules|rollup)(\.\w+)*")


def _rule_problem(problem: str) -> dict[str, str]:
    """One problem of a rule configuration as a field error: the setting it names
    ("rules.spi.red_below: expected a number") is the field, else the whole ``rules``."""
    where, sep, message = problem.partition(": ")
    if sep and where != "rules" and _SETTING.fullmatch(where):
        return {"field": where, "message": message}
    return {"field": "rules", "message": problem}


def _settings(config: Mapping[str, Any], prefix: str = "health") -> dict[str, Any]:
    """The rules' settings one by one, as the history shows a change of them:
    ``{"health rule finish_slip amber_after_days": 5, …}``."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix} {'rule' if key == 'rules' and prefix == 'health' else key}"
        if isinstance(value, Mapping):
            out.update(_settings(value, name))
        else:
            out[name] = value
    return out


def update_rules(
    session: Session,
    actor: Actor,
    program_id: int,
    config: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> RuleSet:
    """Tune the program's health rules (owners); every problem is reported at once."""
    program = get_program(session, actor, program_id, needed=Role.OWNER)
    check_version(program, expected_version)
    try:
        rules = RuleSet.from_json(config)
    except InvalidRules as exc:
        raise ValidationFailed(
            "invalid health rules: " + "; ".join(exc.problems[:5]),
            details=[_rule_problem(p) for p in exc.problems],
        ) from exc
    old = program.health_rules or RuleSet().to_json()  # none stored: the defaults held
    program.health_rules = rules.to_json()
    before, after = _settings(old), _settings(program.health_rules)
    changed = {
        key: [before.get(key), after.get(key)]
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    }
    if changed:
        record_change(
            session,
            actor,
            program_id=program.id,
            entity_type="program",
            entity_id=program.id,
            action="update",
            changes=changed,
            label=program.name,
        )
    sync_benefit_alerts(session, program.id, triggered_by=actor.email)  # the tolerance moved
    return rules


def record_snapshot(session: Session, actor: Actor, program_id: int) -> HealthSnapshot:
    """Keep today's health (as of the status date) for the trend (managers); one per status
    date, a later record of the same date replacing it."""
    get_program(session, actor, program_id, needed=Role.MANAGER)
    health = program_health(session, actor, program_id)
    day = health.performance.status_date
    session.execute(
        delete(HealthSnapshot).where(
            HealthSnapshot.program_id == program_id, HealthSnapshot.as_of == day
        )
    )
    report = health.report
    snapshot = HealthSnapshot(
        program_id=program_id,
        as_of=day,
        status=report.program.status,
        reasons=[reason_json(r) for r in report.program.reasons[:20]],
        projects={key: h.status for key, h in report.projects.items()},
        spi=_index(health.performance.result.program.spi),
        cpi=_index(health.performance.result.program.cpi),
    )
    session.add(snapshot)
    flush(session)
    return snapshot


def health_history(session: Session, actor: Actor, program_id: int) -> list[HealthSnapshot]:
    get_program(session, actor, program_id)
    return list(
        session.scalars(
            select(HealthSnapshot)
            .where(HealthSnapshot.program_id == program_id)
            .order_by(HealthSnapshot.as_of)
        )
    )


def reason_json(reason: Any) -> dict[str, Any]:
    return {
        "rule": reason.rule,
        "severity": reason.severity,
        "message": reason.message,
        "ref": {"kind": reason.ref.kind, "id": reason.ref.id, "key": reason.ref.key},
        "value": reason.value,
        "limit": reason.limit,
    }
