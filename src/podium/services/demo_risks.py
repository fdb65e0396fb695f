"""The demo program's risk register and benefits, told as the weeks so far happened.

Risks are raised and re-rated through the services (so escalations, alerts,
history and the audit log are the real thing), then dated back to the week each
step happened. The goal's KPI, support tickets per month (1200 → 840, down is
good), has monthly readings from before kick-off: flat while the old platform
runs, then falling more slowly than the straight path, because the ticket drop
comes with the migration waves that have not started yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from podium.engine.benefits import expected_value
from podium.models import (
    Alert,
    AuditEntry,
    Program,
    Project,
    Risk,
    RiskEscalation,
    RiskHistory,
    Task,
    User,
)
from podium.services import benefits, risks
from podium.services.actor import Actor


@dataclass
class Step:
    """A change to a risk ``weeks_ago`` weeks before the status date."""

    weeks_ago: float
    who: str
    changes: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass
class DemoRisk:
    title: str
    level: str
    probability: int
    impact: int
    owner: str
    raised: Step
    projects: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    response: str = "mitigate"
    description: str = ""
    cause: str = ""
    effect: str = ""
    due_in_weeks: int | None = None
    later: tuple[Step, ...] = ()
    # (title, owner, due in weeks from the status date (negative: past), done)
    actions: tuple[tuple[str, str, int, bool], ...] = ()


MARIA, LI, SAM = "maria@podium.local", "li@podium.local", "sam@podium.local"

RISKS: tuple[DemoRisk, ...] = (
    DemoRisk(
        "Security sign-off slips past the start of wave 1",
        "project",
        3,
        4,
        LI,
        Step(9, LI),
        projects=("SEC", "DATA"),
        description="Data transfer cannot start wave 1 until security signs off the landing "
        "zone; the pen test window is tight.",
        cause="Pen test booked late; identity work running behind.",
        effect="Wave 1 and every wave after it move right; M2 and M3 slip.",
        due_in_weeks=2,
        later=(
            Step(
                4,
                LI,
                {"probability": 4},
                "Pen test vendor moved our window by two weeks.",
            ),
        ),
        actions=(
            ("Agree a minimum control set for wave 1 with the CISO", LI, 1, False),
            ("Book a second pen test window as a fallback", SAM, -3, True),
        ),
    ),
    DemoRisk(
        "Legacy data centre lease cannot be extended beyond Q4",
        "program",
        3,
        5,
        MARIA,
        Step(10, MARIA),
        response="mitigate",
        description="The hosting contract for the old data centre ends with the quarter of the "
        "program close; the landlord has not confirmed an extension.",
        cause="The building is sold; the new owner plans a refit.",
        effect="Any client not migrated by then has no hosting: an outage for them.",
        due_in_weeks=3,
        later=(
            Step(
                2,
                MARIA,
                {"probability": 4},
                "New owner confirmed the refit; no extension offered so far.",
            ),
        ),
        actions=(
            ("Negotiate a three-month extension option with the new owner", MARIA, 2, False),
            ("Price a temporary colocation for the last wave", LI, 4, False),
        ),
    ),
    DemoRisk(
        "Vendor monitoring API not ready before wave 2",
        "task",
        3,
        3,
        LI,
        Step(6, SAM),
        tasks=("VEND-3",),
        response="mitigate",
        cause="The vendor's cloud connector is still in beta.",
        effect="Wave 2 clients would run without monitoring in the first weeks.",
        actions=(("Fallback: agent-based monitoring for wave 2 clients", SAM, 6, False),),
    ),
    DemoRisk(
        "Support staff not trained before the wave 2 cut-over",
        "project",
        2,
        4,
        SAM,
        Step(7, SAM),
        projects=("TRAIN",),
        cause="Trainers can only start after the pilot.",
        effect="Ticket volume rises instead of falling after wave 2.",
        actions=(("Record the pilot sessions for self-paced training", SAM, 5, False),),
    ),
    DemoRisk(
        "Pilot clients reject the proposed maintenance windows",
        "project",
        3,
        2,
        LI,
        Step(8, LI),
        projects=("PLAT",),
        response="accept",
        cause="Two pilot clients run month-end batches in the proposed windows.",
        effect="Pilot migrations need weekend work and extra cost.",
        later=(
            Step(
                3,
                LI,
                {"probability": 5, "status": "realized"},
                "Two of three pilot clients refused: now an issue, handled with weekend windows.",
            ),
        ),
        actions=(("Agree weekend windows with the two pilot clients", LI, -1, True),),
    ),
    DemoRisk(
        "Client data residency rules differ by country",
        "project",
        2,
        3,
        LI,
        Step(5, LI),
        projects=("DATA", "SEC"),
        cause="Three clients hold data under national residency rules.",
        effect="Some environments need a second region and their own controls.",
        actions=(("Confirm residency needs with the three clients' DPOs", LI, 2, False),),
    ),
    DemoRisk(
        "Key migration engineer leaves mid-program",
        "project",
        2,
        3,
        MARIA,
        Step(9, MARIA),
        projects=("DATA",),
        response="accept",
        effect="Runbook knowledge lost; waves slow down.",
    ),
    DemoRisk(
        "Landing zone design not approved by the architecture board",
        "project",
        3,
        3,
        LI,
        Step(10, LI),
        projects=("PLAT",),
        later=(
            Step(8, LI, {"status": "mitigating", "probability": 2}, "Board review booked."),
            Step(6, MARIA, {"status": "closed"}, "Design approved by the board."),
        ),
        actions=(("Pre-review the design with two board members", LI, -8, True),),
    ),
)


def _at(today: date, weeks_ago: float) -> datetime:
    return datetime.combine(today - timedelta(days=round(weeks_ago * 7)), time(10), tzinfo=UTC)


def _max_id(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.max(model.id))) or 0)


def _date_back(session: Session, risk_id: int, moment: datetime, marks: dict[str, int]) -> None:
    """Date the history, escalations, alerts and audit entries written since ``marks``."""
    for model, column in (
        (RiskHistory, RiskHistory.at),
        (RiskEscalation, RiskEscalation.at),
        (AuditEntry, AuditEntry.at),
    ):
        session.execute(
            update(model)
            .where(model.id > marks[model.__tablename__])
            .values({column.key: moment})
            .execution_options(synchronize_session=False)
        )
    session.execute(
        update(Alert)
        .where(Alert.id > marks["alerts"], Alert.subject_type == "risk")
        .values(first_detected_at=moment, last_detected_at=moment)
        .execution_options(synchronize_session=False)
    )
    kept: tuple[Any, ...] = (RiskHistory, RiskEscalation, AuditEntry, Alert)
    for kept_model in kept:
        marks[kept_model.__tablename__] = _max_id(session, kept_model)


def load_demo_risks(session: Session, program: Program) -> None:
    """Fill the demo program's register and benefits (its members must exist)."""
    today = program.status_date or program.start_date
    people = {u.email: u for u in session.scalars(select(User))}
    actors = {email: Actor.of(user) for email, user in people.items()}
    projects = {
        p.key: p.id
        for p in session.scalars(select(Project).where(Project.program_id == program.id))
    }
    tasks = {
        t.key: t.id for t in session.scalars(select(Task).where(Task.program_id == program.id))
    }
    session.flush()
    marks = {
        m.__tablename__: _max_id(session, m)
        for m in (RiskHistory, RiskEscalation, AuditEntry, Alert)
    }
    for spec in RISKS:
        raised_at = _at(today, spec.raised.weeks_ago)
        risk = risks.create_risk(
            session,
            actors[spec.raised.who],
            program_id=program.id,
            title=spec.title,
            probability=spec.probability,
            impact=spec.impact,
            level=spec.level,
            response=spec.response,
            description=spec.description,
            cause=spec.cause,
            effect=spec.effect,
            owner_id=people[spec.owner].id,
            due_date=today + timedelta(weeks=spec.due_in_weeks) if spec.due_in_weeks else None,
            project_ids=[projects[k] for k in spec.projects],
            task_ids=[tasks[k] for k in spec.tasks],
        )
        risk_id = risk.id
        escalated = session.scalar(select(Risk.escalated_at).where(Risk.id == risk_id))
        session.execute(
            update(Risk)
            .where(Risk.id == risk_id)
            .values(
                created_at=raised_at,
                updated_at=raised_at,
                escalated_at=raised_at if escalated is not None else None,
            )
            .execution_options(synchronize_session=False)
        )
        _date_back(session, risk_id, raised_at, marks)
        for title, owner, due, done in spec.actions:
            action = risks.add_action(
                session,
                actors[spec.owner],
                risk_id,
                title=title,
                owner_id=people[owner].id,
                due_date=today + timedelta(weeks=due),
            )
            if done:
                action.done = True
                action.done_on = today + timedelta(weeks=due)
        session.flush()
        _date_back(session, risk_id, raised_at, marks)
        for step in spec.later:
            moment = _at(today, step.weeks_ago)
            risks.update_risk(session, actors[step.who], risk_id, step.changes, note=step.note)
            session.flush()
            dated: dict[str, Any] = {"updated_at": moment}
            if step.changes.get("status") == "realized":
                dated["realized_on"] = moment.date()
            if step.changes.get("status") == "closed":
                dated["closed_on"] = moment.date()
            escalated = session.scalar(select(Risk.escalated_at).where(Risk.id == risk_id))
            if escalated is not None and escalated > moment:
                dated["escalated_at"] = moment
            session.execute(
                update(Risk)
                .where(Risk.id == risk_id)
                .values(dated)
                .execution_options(synchronize_session=False)
            )
            _date_back(session, risk_id, moment, marks)
    session.expire_all()
    _load_benefits(session, program, actors[MARIA], actors[SAM], projects, today)


def _first_of_months(start: date, end: date) -> list[date]:
    days, current = [], date(start.year, start.month, 1)
    while current <= end:
        days.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return days


# the share of the path's expected drop the readings achieve, month by month after kick-off:
# small (the waves have not started). The last reading, taken 6 to 10 weeks after kick-off
# whatever the day the demo is loaded, is at least 19 % along the path; at 0.3 of it with
# no noise it is 13 points or more behind: off track on any day, as the demo's story needs
LAG = 0.3
NOISE = [6, -9, 4, -3, 8, -5, 2, -7, 5, -2, 3, -4]


def _load_benefits(
    session: Session,
    program: Program,
    manager: Actor,
    member: Actor,
    projects: dict[str, int],
    today: date,
) -> None:
    target_date = program.goal_target_date or (program.start_date + timedelta(weeks=30))
    tickets = benefits.create_benefit(
        session,
        manager,
        program_id=program.id,
        name=program.goal_measure or "support tickets per month",
        unit=program.goal_unit or "tickets",
        description="Tickets opened with the service desk in the calendar month, all clients. "
        "Most come from ageing hosting (disk, backup, patching); they should fall as "
        "clients move to the cloud platform and support staff are trained on it.",
        baseline_value=program.goal_baseline_value or 1200,
        target_value=program.goal_target_value or 840,
        baseline_date=program.start_date,
        target_date=target_date,
        direction="down",
        is_goal=True,
        project_ids=[projects[k] for k in ("DATA", "TRAIN", "PLAT") if k in projects],
    )
    cost = benefits.create_benefit(
        session,
        manager,
        program_id=program.id,
        name="hosting cost per month",
        unit="k€",
        description="Data centre rent, hardware support and cloud spend for client hosting.",
        baseline_value=310,
        target_value=220,
        baseline_date=program.start_date,
        target_date=target_date,
        direction="down",
        project_ids=[projects[k] for k in ("DATA", "PLAT") if k in projects],
    )
    session.flush()
    plan = benefits.plan_of(tickets)
    months = _first_of_months(program.start_date - timedelta(days=150), today)
    for i, day in enumerate(months):
        expected_drop = plan.baseline - expected_value(plan, day)
        last = i == len(months) - 1
        value = round(plan.baseline - LAG * expected_drop + (0 if last else NOISE[i % len(NOISE)]))
        note = "Pilot clients moved; their tickets drop out." if last else ""
        benefits.add_measurement(
            session,
            member,
            tickets.id,
            measured_on=day,
            value=value,
            source="Service desk monthly export",
            note=note,
        )
    cost_plan = benefits.plan_of(cost)
    for i, day in enumerate(m for m in months if m >= program.start_date - timedelta(days=40)):
        expected = expected_value(cost_plan, day)
        benefits.add_measurement(
            session,
            member,
            cost.id,
            measured_on=day,
            value=round(expected - (2, 1, 3, 1.5)[i % 4], 1),
            source="Finance: hosting cost centre",
        )
    session.flush()
