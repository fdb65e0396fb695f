"""Forecasts: run a Monte Carlo simulation of a program, keep it, read it back, draw the trend.

Managers (and owners) run forecasts; everyone who can read the program reads
the stored ones. A forecast keeps its inputs — the estimates used, the risk
events, the schedule token of the plan it simulated — so a stored result can
always be explained and the P80 of the program and of each milestone can be
followed from one forecast to the next.

Risk events come from the register: live risks (open or being mitigated) with a
``schedule_impact_days``, their 1–5 probability read as 10/30/50/70/90 %; the
impact delays each linked task, or — for a risk linked only to projects — the
unfinished task that finishes each project last in the deterministic plan.
A scenario copy has no register of its own: its forecast reads the live
program's, with the links mapped onto the copy's tasks and projects by key, so
a scenario and its live plan differ only by the plan edits.

An estimate entered for an earlier duration (a task remembers the duration its
estimate was entered for) is rescaled to the current duration, keeping its
shape: a slip from 25 to 40 days turns (20, 25, 35) into (32, 40, 56). An
estimate whose most likely value differs from the duration on purpose (the plan
commits to 10 days, the team expects 12) is left as entered while the duration
stays what it was.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.engine import ScheduleResult
from podium.engine.calendar import WorkCalendar, to_date
from podium.engine.forecast import (
    DISTRIBUTIONS,
    Estimate,
    InvalidForecast,
    Outcome,
    RiskEvent,
    simulate,
)
from podium.engine.forecast import (
    Forecast as ForecastResult,
)
from podium.errors import Conflict, NotFound, ValidationFailed
from podium.models import Forecast, Milestone, Program, Project, Risk, Role, Task
from podium.models.risks import risk_projects, risk_tasks
from podium.services.actor import Actor
from podium.services.audit import record_change
from podium.services.common import flush
from podium.services.programs import get_program
from podium.services.scheduling.cache import current_network, stored_token
from podium.services.scheduling.network import ProgramNetwork, task_ref
from podium.services.scheduling.reschedule import run_engine
from podium.text import listed

if TYPE_CHECKING:
    from podium.services.pages_schedule import MilestoneRow

MIN_ITERATIONS, MAX_ITERATIONS = 100, 100_000
PROBABILITY_SHARE = {1: 0.1, 2: 0.3, 3: 0.5, 4: 0.7, 5: 0.9}
TOP = 15  # rows of the criticality list and bars of the tornado


@dataclass(frozen=True, slots=True)
class ForecastSettings:
    """What a manager chooses when running a forecast."""

    iterations: int = 5000
    seed: int | None = None
    distribution: str = "pert"
    default_uncertainty: float = 0.2
    include_risks: bool = True


def _check(settings: ForecastSettings) -> None:
    problems = []
    if not MIN_ITERATIONS <= settings.iterations <= MAX_ITERATIONS:
        problems.append(("iterations", f"between {MIN_ITERATIONS} and {MAX_ITERATIONS}"))
    if settings.distribution not in DISTRIBUTIONS:
        problems.append(("distribution", "pert or triangular"))
    if not 0 <= settings.default_uncertainty <= 0.9:
        problems.append(("default_uncertainty", "between 0 and 0.9 (a share of the duration)"))
    if settings.seed is not None and not 0 <= settings.seed < 2**63:
        problems.append(("seed", "between 0 and 2^63 - 1"))
    if problems:
        raise ValidationFailed(
            "; ".join(f"{f}: {m}" for f, m in problems),
            details=[{"field": f, "message": m} for f, m in problems],
        )


def run_forecast(
    session: Session,
    actor: Actor,
    program_id: int,
    settings: ForecastSettings,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Forecast:
    """Simulate the program's network and store the result (managers)."""
    get_program(session, actor, program_id, needed=Role.MANAGER)
    _check(settings)
    pn = current_network(session, program_id)
    if not pn.network.activities:
        raise Conflict(
            "there is nothing to forecast yet: the program has no tasks or milestones",
            code="empty_program",
        )
    plan = run_engine(pn)
    estimates, entered = _estimates(session, program_id)
    # a summary's dates roll up from its sub-tasks, a milestone takes no time: the
    # simulation draws no duration for them, and the forecast says so
    not_drawn = {
        a
        for a in estimates
        if a in plan.index and (plan.is_summary[plan.index[a]] or plan.is_milestone[plan.index[a]])
    }
    estimates = {a: e for a, e in estimates.items() if a not in not_drawn}
    entered = {a: e for a, e in entered.items() if a not in not_drawn}
    unused = sorted(pn.label(a) for a in not_drawn)
    register = (
        _risk_register(session, program_id, pn, plan)
        if settings.include_risks
        else _RiskRegister([], {})
    )
    risks = register.events
    seed = settings.seed if settings.seed is not None else secrets.randbits(31)
    try:
        result = simulate(
            pn.network,
            estimates=estimates,
            distribution=settings.distribution,  # type: ignore[arg-type]
            default_uncertainty=settings.default_uncertainty,
            risks=risks,
            iterations=settings.iterations,
            seed=seed,
            track=[a.id for a in pn.network.activities if a.id.startswith("m")],
            progress=progress,
        )
    except InvalidForecast as exc:
        problems = [_relabel(pn, p) for p in exc.problems]
        raise ValidationFailed(
            "; ".join(problems[:5]),
            details=[{"field": "estimates", "message": p} for p in problems],
        ) from exc
    results = _results(session, pn, plan, result, register)
    forecast = Forecast(
        program_id=program_id,
        created_by=actor.email,
        iterations=settings.iterations,
        seed=seed,
        distribution=settings.distribution,
        default_uncertainty=settings.default_uncertainty,
        include_risks=settings.include_risks,
        program_finish=plan.finish,
        program_p80=result.program.percentile(80),
        inputs={
            "schedule_token": stored_token(session, program_id),
            "status_date": _iso(pn.network.status_date),
            "estimates": {
                pn.label(a): [e.optimistic, e.most_likely, e.pessimistic]
                for a, e in estimates.items()
            },
            "tasks_with_estimates": len(estimates),
            "unused_estimates": unused,
            "rescaled_estimates": {
                pn.label(a): [e.optimistic, e.most_likely, e.pessimistic]
                for a, e in entered.items()
            },
            "risks": [
                {
                    "id": register.about[r.id].id,
                    "key": register.about[r.id].key,
                    "name": register.about[r.id].title,
                    "probability": r.probability,
                    "impact_days": r.impact_days,
                    "tasks": [pn.label(a) for a in r.activities],
                }
                for r in risks
            ],
        },
        results=results,
    )
    session.add(forecast)
    flush(session)
    record_change(
        session,
        actor,
        program_id=program_id,
        entity_type="forecast",
        entity_id=forecast.id,
        action="create",
        changes={
            "iterations": [None, settings.iterations],
            "seed": [None, seed],
            "program_p80": [None, _iso(forecast.program_p80)],
        },
        label=f"Forecast of {_iso(forecast.created_at.date())}",
    )
    return forecast


def unused_estimates_in_words(keys: list[str]) -> str:
    """Why a forecast drew nothing from these tasks' three-point estimates."""
    return (
        f"Not used: the three-point estimates of {listed(keys)}"
        " (a summary task's dates follow its sub-tasks; a milestone takes no time)."
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _relabel(pn: ProgramNetwork, problem: str) -> str:
    for ref, label in pn.labels.items():
        if problem.startswith(ref + ":"):
            return label + problem[len(ref) :]
    return problem


def _estimates(
    session: Session, program_id: int
) -> tuple[dict[str, Estimate], dict[str, Estimate]]:
    """Complete three-point estimates of the program's tasks, by activity id, fitted to
    the current durations; and, for those rescaled, the estimate as entered."""
    rows = session.execute(
        select(
            Task.id,
            Task.estimate_optimistic,
            Task.estimate_most_likely,
            Task.estimate_pessimistic,
            Task.duration,
            Task.estimate_basis,
            Task.is_milestone,
        ).where(
            Task.program_id == program_id,
            Task.estimate_optimistic.is_not(None),
            Task.estimate_most_likely.is_not(None),
            Task.estimate_pessimistic.is_not(None),
        )
    ).all()
    out, entered = {}, {}
    for task_id, low, likely, high, duration, basis, is_milestone in rows:
        ref = task_ref(task_id)
        estimate = Estimate(float(low or 0), float(likely or 0), float(high or 0))
        out[ref] = estimate
        if not is_milestone and duration and basis and duration != basis:
            scale = duration / basis
            if abs(scale - 1) > 1e-9:
                out[ref] = _rescaled(estimate, scale)
                entered[ref] = estimate
    return out, entered


def _rescaled(estimate: Estimate, scale: float) -> Estimate:
    """The estimate with its three values multiplied by ``scale`` (same shape)."""
    return Estimate(
        round(estimate.optimistic * scale, 6),
        round(estimate.most_likely * scale, 6),
        round(estimate.pessimistic * scale, 6),
    )


def risk_ref(risk_id: int) -> str:
    """A risk event's id in the simulation (apart from tasks, milestones and resources)."""
    return f"risk{risk_id}"


@dataclass(frozen=True, slots=True)
class _RiskShown:
    """How a risk event is shown: the register's id, key (``R3``) and title."""

    id: int
    key: str
    title: str


@dataclass(frozen=True, slots=True)
class _RiskRegister:
    """The risk events of a forecast and, by event id, the risk each one stands for."""

    events: list[RiskEvent]
    about: dict[str, _RiskShown]


def _risk_register(
    session: Session, program_id: int, pn: ProgramNetwork, plan: ScheduleResult
) -> _RiskRegister:
    """Risk events from the register of the program (of its live program for a scenario)."""
    live_id = session.scalar(select(Program.scenario_of_id).where(Program.id == program_id))
    register_id = live_id if live_id is not None else program_id
    risks = session.execute(
        select(Risk.id, Risk.number, Risk.title, Risk.probability, Risk.schedule_impact_days)
        .where(
            Risk.program_id == register_id,
            Risk.status.in_(("open", "mitigating")),
            Risk.schedule_impact_days.is_not(None),
            Risk.schedule_impact_days > 0,
        )
        .order_by(Risk.number)
    ).all()
    if not risks:
        return _RiskRegister([], {})
    ids = [r.id for r in risks]
    task_links = session.execute(
        select(risk_tasks.c.risk_id, Task.key)
        .join(Task, Task.id == risk_tasks.c.task_id)
        .where(risk_tasks.c.risk_id.in_(ids))
    ).all()
    project_links = session.execute(
        select(risk_projects.c.risk_id, Project.key)
        .join(Project, Project.id == risk_projects.c.project_id)
        .where(risk_projects.c.risk_id.in_(ids))
    ).all()
    task_of = {key: ref for ref, key in pn.labels.items() if ref.startswith("t")}
    project_of = {key: project_id for project_id, key in pn.project_keys.items()}
    tasks: dict[int, list[str]] = {}
    for risk_id, key in task_links:
        if key in task_of:  # a task deleted in a scenario takes its link with it
            tasks.setdefault(risk_id, []).append(task_of[key])
    projects: dict[int, list[int]] = {}
    for risk_id, key in project_links:
        if key in project_of:
            projects.setdefault(risk_id, []).append(project_of[key])
    last = _last_task_of_projects(pn, plan)
    events, about = [], {}
    for r in risks:
        linked = tasks.get(r.id) or [last[p] for p in projects.get(r.id, []) if p in last]
        if not linked:
            continue
        ref = risk_ref(r.id)
        about[ref] = _RiskShown(r.id, f"R{r.number}", r.title)
        events.append(
            RiskEvent(
                ref,
                PROBABILITY_SHARE[r.probability],
                float(r.schedule_impact_days or 0),
                tuple(sorted(linked)),
            )
        )
    return _RiskRegister(events, about)


def _last_task_of_projects(pn: ProgramNetwork, plan: ScheduleResult) -> dict[int, str]:
    """Per project, its unfinished work task that finishes last in the plan."""
    best: dict[int, tuple[Any, str]] = {}
    for i, ref in enumerate(plan.ids):
        project = pn.project_of.get(ref)
        if project is None or plan.is_summary[i] or plan.is_milestone[i] or plan.is_finished[i]:
            continue
        finish = plan.early_finish[i]
        if project not in best or finish > best[project][0]:
            best[project] = (finish, ref)
    return {p: ref for p, (_, ref) in best.items()}


def _outcome(
    o: Outcome, *, calendar: WorkCalendar, finish: date | None, target: date | None
) -> dict[str, Any]:
    """One outcome as stored; its histogram's bars hold the same number of working days
    of the program's calendar each."""
    return {
        "finish": _iso(finish),
        "target": _iso(target),
        **{k: v.isoformat() for k, v in o.percentiles().items()},
        "mean": o.mean().isoformat(),
        "probability": o.probability_by(target) if target is not None else None,
        "histogram": [
            [b.first.isoformat(), b.last.isoformat(), b.count, round(b.cumulative, 4)]
            for b in o.histogram(calendar=calendar)
        ],
    }


def _results(
    session: Session,
    pn: ProgramNetwork,
    plan: ScheduleResult,
    f: ForecastResult,
    register: _RiskRegister,
) -> dict[str, Any]:
    program = _program_row(session, pn.program_id)
    milestones = []
    for row in session.execute(
        select(Milestone.id, Milestone.key, Milestone.name)
        .where(Milestone.program_id == pn.program_id)
        .order_by(Milestone.target_date, Milestone.key)
    ):
        ref = f"m{row.id}"
        if ref not in f.activities:
            continue
        milestones.append(
            {
                "id": row.id,
                "key": row.key,
                "name": row.name,
                **_outcome(
                    f.activities[ref],
                    calendar=pn.network.default_calendar,
                    finish=to_date(plan.early_finish[plan.index[ref]]),
                    target=pn.targets.get(ref),
                ),
            }
        )
    projects = []
    for row in session.execute(
        select(Project.id, Project.key, Project.name)
        .where(Project.program_id == pn.program_id)
        .order_by(Project.position, Project.key)
    ):
        if row.key not in f.groups:
            continue
        finishes = [plan.early_finish[i] for i, g in enumerate(plan.groups) if g == row.key]
        projects.append(
            {
                "id": row.id,
                "key": row.key,
                "name": row.name,
                **_outcome(
                    f.groups[row.key],
                    calendar=pn.network.default_calendar,
                    finish=to_date(max(finishes)),
                    target=None,
                ),
            }
        )

    def task(ref: str) -> dict[str, Any]:
        i = f.ids.index(ref)
        project = pn.project_of.get(ref)
        return {
            "id": int(ref[1:]),
            "key": pn.label(ref),
            "name": pn.names.get(ref, ""),
            "project": pn.project_keys.get(project) if project is not None else None,
            "criticality": round(float(f.criticality[i]), 4),
        }

    critical = [
        {**task(ref), "correlation": _round(f.correlation[f.ids.index(ref)])}
        for ref, _ in f.most_critical(len(f.ids))
        if ref.startswith("t") and not plan.is_milestone[plan.index[ref]]
    ][:TOP]
    tornado = []
    for d in f.tornado(TOP):
        if d.kind == "task":
            tornado.append({"kind": "task", **task(d.id), "correlation": round(d.correlation, 4)})
        elif d.id in register.about:
            risk = register.about[d.id]
            tornado.append(
                {
                    "kind": "risk",
                    "id": risk.id,
                    "key": risk.key,
                    "name": risk.title,
                    "project": None,
                    "criticality": round(d.criticality, 4),
                    "correlation": round(d.correlation, 4),
                }
            )
    return {
        "program": {
            "key": program[0],
            "name": program[1],
            **_outcome(
                f.program,
                calendar=pn.network.default_calendar,
                finish=plan.finish,
                target=program[2],
            ),
        },
        "milestones": milestones,
        "projects": projects,
        "criticality": critical,
        "tornado": tornado,
    }


def _round(x: float) -> float | None:
    return None if x != x else round(float(x), 4)  # NaN: the duration did not vary


def _program_row(session: Session, program_id: int) -> tuple[str, str, date | None]:
    row = session.execute(
        select(Program.key, Program.name, Program.goal_target_date).where(Program.id == program_id)
    ).one()
    return row[0], row[1], row[2]


def list_forecasts(session: Session, actor: Actor, program_id: int) -> list[Forecast]:
    """A program's stored forecasts, newest first."""
    get_program(session, actor, program_id)
    return list(
        session.scalars(
            select(Forecast)
            .where(Forecast.program_id == program_id)
            .order_by(Forecast.created_at.desc(), Forecast.id.desc())
        )
    )


def get_forecast(session: Session, actor: Actor, forecast_id: int) -> Forecast:
    """One stored forecast (readers of its program)."""
    forecast = session.get(Forecast, forecast_id)
    missing = NotFound(f"forecast {forecast_id} not found")
    if forecast is None:
        raise missing
    try:
        get_program(session, actor, forecast.program_id)
    except NotFound as exc:  # one answer whether it exists or not, as for tasks
        raise missing from exc
    return forecast


def plan_changed_since(session: Session, forecast: Forecast) -> bool:
    """Whether the program's plan was written since ``forecast`` ran (its schedule token
    moved on): its dates then read an older plan. A forecast stored before it kept the
    token cannot tell, and is taken as current."""
    token = (forecast.inputs or {}).get("schedule_token")
    return token is not None and token != stored_token(session, forecast.program_id)


def latest_forecast(session: Session, program_id: int) -> Forecast | None:
    """The newest forecast of a program (the caller has checked it may read it)."""
    return session.scalar(
        select(Forecast)
        .where(Forecast.program_id == program_id)
        .order_by(Forecast.created_at.desc(), Forecast.id.desc())
        .limit(1)
    )


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """The P80 (and deterministic finish) of the program and each milestone in one forecast."""

    forecast_id: int
    created_at: datetime
    program_finish: date | None
    program_p80: date | None
    milestones: dict[str, str | None]  # milestone key → its P80 (ISO)


def forecast_trend(session: Session, actor: Actor, program_id: int) -> list[TrendPoint]:
    """The P80 of every stored forecast, oldest first."""
    forecasts = reversed(list_forecasts(session, actor, program_id))
    return [
        TrendPoint(
            f.id,
            f.created_at,
            f.program_finish,
            f.program_p80,
            {m["key"]: m.get("p80") for m in f.results.get("milestones", [])},
        )
        for f in forecasts
    ]


@dataclass(frozen=True, slots=True)
class ForecastGlance:
    """What the status pages show of the newest forecast: P80s beside the deterministic
    dates, and the odds of the goal date."""

    forecast_id: int
    created_at: datetime
    program_p80: date | None
    program_probability: float | None  # of finishing by ``goal_date``
    goal_date: date | None  # the goal date the odds were counted against, when it ran
    milestone_p80: dict[int, date]  # milestone id → P80
    plan_changed: bool  # the plan was written since: the P80s read an older plan

    def p80_past_target(self, milestone: MilestoneRow) -> date | None:
        """The P80 of a milestone the plan has on track, when it falls after its target (as
        set now): reached by then in fewer than 80 % of the runs. None otherwise (late,
        reached, no target, nothing feeding it, or not in this forecast)."""
        if milestone.state != "on_track" or milestone.target is None:
            return None
        p80 = self.milestone_p80.get(milestone.id)
        return p80 if p80 is not None and p80 > milestone.target else None


def forecast_glances(session: Session, program_ids: Collection[int]) -> dict[int, ForecastGlance]:
    """The newest forecast of each program that has one, in one query whatever their number
    (the caller has checked the actor may read them). Only what the glance shows is read
    from the stored results, not the estimates or histograms."""
    if not program_ids:
        return {}
    newest = (
        select(
            Forecast.id,
            func.row_number()
            .over(
                partition_by=Forecast.program_id,
                order_by=(Forecast.created_at.desc(), Forecast.id.desc()),
            )
            .label("rank"),
        )
        .where(Forecast.program_id.in_(list(program_ids)))
        .subquery()
    )
    rows = session.execute(
        select(
            Forecast.id,
            Forecast.program_id,
            Forecast.created_at,
            Forecast.program_p80,
            Forecast.results[("program", "probability")].as_float(),
            Forecast.results[("program", "target")].as_string(),
            Forecast.results["milestones"],
            Forecast.inputs["schedule_token"].as_string(),
            Program.schedule_token,
        )
        .join(newest, newest.c.id == Forecast.id)
        .join(Program, Program.id == Forecast.program_id)
        .where(newest.c.rank == 1)
    ).all()
    return {
        program_id: ForecastGlance(
            forecast_id,
            created_at,
            p80,
            probability,
            date.fromisoformat(goal) if goal else None,
            {m["id"]: date.fromisoformat(m["p80"]) for m in milestones or [] if m.get("p80")},
            # as plan_changed_since: a forecast kept without its token is taken as current
            token is not None and token != current_token,
        )
        for (
            forecast_id,
            program_id,
            created_at,
            p80,
            probability,
            goal,
            milestones,
            token,
            current_token,
        ) in rows
    }


def forecast_glance(session: Session, program_id: int) -> ForecastGlance | None:
    """The newest forecast of one program at a glance (as :func:`forecast_glances`)."""
    return forecast_glances(session, [program_id]).get(program_id)
