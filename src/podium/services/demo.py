"""Loading the sample program "Cloud migration" (``podium demo``, ``make run``).

The plan comes from :mod:`podium.services.demo_plan`, placed around today;
progress is then reported as a team would have: finished work gets actual
dates from its planned dates, work under way an actual start and a
percentage, and the status date is today.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine import WorkCalendar
from podium.interop.plan_format import read_plan
from podium.models import Membership, Program, ProgressRecord, Resource, Role, Task
from podium.services import auth
from podium.services.actor import SYSTEM, Actor
from podium.services.baselines import take_baseline
from podium.services.demo_forecast import load_demo_forecast
from podium.services.demo_governance import load_demo_governance
from podium.services.demo_plan import (
    COST_FACTOR,
    PACE,
    RESOURCE_USERS,
    START_DELAY,
    demo_plan,
    monday_on_or_before,
)
from podium.services.demo_risks import load_demo_risks
from podium.services.plans import import_plan
from podium.services.scheduling import reschedule_program

DEMO_PASSWORD = "podium-demo"
ADMIN_EMAIL = "admin@podium.local"
PEOPLE = [
    ("maria@podium.local", "Maria Lopez", Role.OWNER),
    ("li@podium.local", "Li Wei", Role.MANAGER),
    ("sam@podium.local", "Sam Okoro", Role.MEMBER),
    ("erin@podium.local", "Erin Walsh", Role.VIEWER),
]


@dataclass(frozen=True)
class DemoLoaded:
    created: bool
    program_key: str
    program_name: str
    email: str
    password: str
    token: str


def _user(session: Session, email: str, name: str, *, is_admin: bool = False) -> int:
    user = auth.find_user(session, email)
    if user is None:
        user = auth.add_user(
            session, SYSTEM, email=email, password=DEMO_PASSWORD, name=name, is_admin=is_admin
        )
    return user.id


def load_demo(session: Session, *, if_empty: bool = False, today: date | None = None) -> DemoLoaded:
    """Create the demo users and the sample program (unless it exists and ``if_empty``)."""
    today = today or datetime.now(UTC).astimezone().date()  # the local calendar day
    _user(session, ADMIN_EMAIL, "PMO admin", is_admin=True)
    admin = auth.find_user(session, ADMIN_EMAIL)
    assert admin is not None
    existing = session.scalar(select(Program).where(Program.key == "CLOUD"))
    created = existing is None or not if_empty
    if existing is None or not if_empty:
        key = "CLOUD" if existing is None else _free_key(session)
        program = _load_program(session, Actor.of(admin), today, key=key)
    else:
        program = existing
    for email, name, role in PEOPLE:
        user_id = _user(session, email, name)
        if (
            session.scalar(
                select(Membership.id).where(
                    Membership.program_id == program.id, Membership.user_id == user_id
                )
            )
            is None
        ):
            session.add(Membership(program_id=program.id, user_id=user_id, role=role))
    _link_resources(session)
    if created:
        load_demo_risks(session, program)
        load_demo_governance(session, program)
        load_demo_forecast(session, program, PEOPLE[0][0])
    _token, secret = auth.create_token(session, admin, name=f"demo {today.isoformat()}")
    return DemoLoaded(created, program.key, program.name, ADMIN_EMAIL, DEMO_PASSWORD, secret)


def _link_resources(session: Session) -> None:
    """Link the demo's people to the accounts they sign in with (members update progress
    on the tasks assigned to them)."""
    for key, email in RESOURCE_USERS.items():
        resource = session.scalar(select(Resource).where(Resource.key == key))
        user = auth.find_user(session, email)
        if resource is not None and user is not None and resource.user_id is None:
            resource.user_id = user.id


def _free_key(session: Session) -> str:
    n = 2
    while session.scalar(select(Program.id).where(Program.key == f"CLOUD{n}")) is not None:
        n += 1
    return f"CLOUD{n}"


def _load_program(session: Session, actor: Actor, today: date, *, key: str) -> Program:
    # progress is reported weekly, as of Monday: the demo is the same all week
    today = monday_on_or_before(today)
    document = demo_plan(today)
    for task in document["tasks"]:
        task["percent_complete"] = 0  # progress is reported below, from the schedule
    program = import_plan(session, actor, read_plan(document), key=key)
    session.flush()
    planned = reschedule_program(session, program.id).result
    take_baseline(
        session,
        actor,
        program.id,
        name="Plan of record",
        description="The plan as approved at kick-off, before any progress.",
    )
    calendar = WorkCalendar(
        holidays=[date.fromisoformat(h["date"]) for h in document["calendars"][0]["holidays"]]
    )
    tasks = {t.key: t for t in session.scalars(select(Task).where(Task.program_id == program.id))}
    preds: dict[str, list[tuple[str, str]]] = {}
    for link in document["dependencies"]:
        preds.setdefault(link["to"], []).append((link["from"], link["type"]))
    # replay the weeks so far: each team works at its own pace and starts its
    # tasks a little late, but never before the work they wait on allows
    order = sorted(tasks.values(), key=lambda t: (planned[f"t{t.id}"].early_start, t.id))
    for task in order:
        row = planned[f"t{task.id}"]
        if row.is_summary or task.duration == 0:
            continue
        project = task.key.split("-")[0]
        start = calendar.add_workdays(row.early_start, START_DELAY[project])
        ready = True
        for pred_key, kind in preds.get(task.key, []):
            pred = tasks.get(pred_key)
            if pred is None or kind not in ("FS", "SS"):
                continue  # program milestones and finish links do not hold a start back
            if kind == "FS" and pred.actual_finish is None:
                ready = False
            elif kind == "FS" and pred.actual_finish is not None:
                start = max(start, calendar.next_workday(pred.actual_finish))
            elif kind == "SS" and pred.actual_start is None:
                ready = False
        if not ready or start >= today:
            continue
        task.actual_start = start
        needed = math.ceil(task.duration / PACE[project])
        finish = calendar.add_workdays(start, needed - 1)
        if finish < today:
            task.actual_finish = finish
            task.percent_complete = 100.0
        else:
            worked = calendar.count_workdays(start, today)
            task.percent_complete = float(min(95, max(5, round(100 * worked / needed))))
        factor = COST_FACTOR.get(project, 1.0)
        task.actual_cost = round(task.budget * task.percent_complete / 100 * factor, 2)
        _weekly_history(session, actor, task, until=task.actual_finish or today)
    program.status_date = today
    return program


def _weekly_history(session: Session, actor: Actor, task: Task, *, until: date) -> None:
    """Progress as the team would have reported it each Friday, up to the latest report."""
    assert task.actual_start is not None
    days = max((until - task.actual_start).days, 1)
    friday = task.actual_start + timedelta(days=(4 - task.actual_start.weekday()) % 7)
    while friday < until:
        share = (friday - task.actual_start).days / days
        session.add(
            ProgressRecord(
                program_id=task.program_id,
                task_id=task.id,
                as_of=friday,
                percent_complete=round(task.percent_complete * share, 1),
                actual_cost=round(task.actual_cost * share, 2),
                recorded_by=actor.email,
            )
        )
        friday += timedelta(days=7)
    session.add(
        ProgressRecord(
            program_id=task.program_id,
            task_id=task.id,
            as_of=until,
            percent_complete=task.percent_complete,
            actual_cost=task.actual_cost,
            recorded_by=actor.email,
        )
    )
