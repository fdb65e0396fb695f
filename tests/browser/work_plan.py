"""Small programs that the editing tests may change: one per test, built through the services.

Two projects, APP and OPS, with a cross-project link and a program milestone:

    APP-1 Design (5d) → APP-2 Build (10d) → APP-3 Test (5d) ───→ M1 Launch
                           └──→ OPS-2 Deploy (2d) ───────────────↗
    OPS-1 Provision servers (4d) → OPS-2

Rosa manages it (as its owner), Sam is a member, Uma a viewer; none of them is in
the read-only programs, so the programs lists other tests check stay as they are.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

import httpx
from sqlalchemy import Engine, insert, select

from podium.db import session_factory
from podium.models import Dependency, Role, Task, User
from podium.services import auth, dependencies, milestones, programs, projects, tasks
from podium.services.actor import Actor
from podium.services.dependencies import EndRef
from podium.services.scheduling import mark_program
from podium.services.uow import complete
from tests.factories import make_program, make_user

WORK_PEOPLE = {
    "rosa": ("rosa@example.com", "Rosa Quinn"),
    "sam": ("sam@example.com", "Sam Tran"),
    "uma": ("uma@example.com", "Uma Patel"),
}
START = date(2027, 3, 1)
TASKS = [
    ("APP", "APP-1", "Design", 5),
    ("APP", "APP-2", "Build", 10),
    ("APP", "APP-3", "Test", 5),
    ("OPS", "OPS-1", "Provision servers", 4),
    ("OPS", "OPS-2", "Deploy", 2),
]
LINKS = [("APP-1", "APP-2"), ("APP-2", "APP-3"), ("APP-2", "OPS-2"), ("OPS-1", "OPS-2")]

_numbers = itertools.count(1)


@dataclass(frozen=True)
class WorkPeople:
    """Emails and API tokens of the people of the work programs."""

    emails: dict[str, str]
    tokens: dict[str, str]


@dataclass(frozen=True)
class WorkProgram:
    """A work program: its ids, and its projects, tasks and milestone by key."""

    id: int
    key: str
    project_ids: dict[str, int]
    task_ids: dict[str, int]
    milestone_ids: dict[str, int]


def make_work_people(engine: Engine) -> WorkPeople:
    db = session_factory(engine)()
    try:
        emails, tokens = {}, {}
        for who, (email, name) in WORK_PEOPLE.items():
            user = make_user(db, email=email, name=name)
            _token, secret = auth.create_token(db, user, name="browser tests")
            db.commit()
            emails[who], tokens[email] = email, secret
        return WorkPeople(emails=emails, tokens=tokens)
    finally:
        db.close()


def make_work_program(engine: Engine, people: WorkPeople) -> WorkProgram:
    """A fresh APP/OPS program (key WORK<n>), scheduled and committed."""
    db = session_factory(engine)()
    try:
        users = {u.email: u for u in db.scalars(select(User))}
        rosa = users[people.emails["rosa"]]
        pm = Actor.of(rosa)
        key = f"WORK{next(_numbers)}"
        program = make_program(
            db,
            owner=rosa,
            key=key,
            name="Customer portal",
            start_date=START,
            goal_outcome="Customers serve themselves online.",
            goal_target_date=date(2027, 6, 30),
        )
        programs.add_member(db, pm, program.id, email=people.emails["sam"], role=Role.MEMBER)
        programs.add_member(db, pm, program.id, email=people.emails["uma"], role=Role.VIEWER)
        project_ids = {}
        for code, name in (("APP", "Portal app"), ("OPS", "Operations")):
            project = projects.create_project(db, pm, program_id=program.id, key=code, name=name)
            project_ids[code] = project.id
        task_ids = {}
        for code, task_key, name, duration in TASKS:
            task = tasks.create_task(
                db, pm, project_id=project_ids[code], key=task_key, name=name, duration=duration
            )
            task_ids[task_key] = task.id
        for before, after in LINKS:
            dependencies.create_dependency(
                db,
                pm,
                predecessor=EndRef("task", task_ids[before]),
                successor=EndRef("task", task_ids[after]),
            )
        launch = milestones.create_milestone(
            db, pm, program_id=program.id, key="M1", name="Launch", target_date=date(2027, 4, 30)
        )
        for before in ("APP-3", "OPS-2"):
            dependencies.create_dependency(
                db,
                pm,
                predecessor=EndRef("task", task_ids[before]),
                successor=EndRef("milestone", launch.id),
            )
        complete(db)
        return WorkProgram(
            id=program.id,
            key=key,
            project_ids=project_ids,
            task_ids=task_ids,
            milestone_ids={"M1": launch.id},
        )
    finally:
        db.close()


def grow_app(engine: Engine, program: WorkProgram, count: int) -> None:
    """Add ``count`` tasks in a chain to APP, keyed ``APP-X<n>`` (bulk, then one
    reschedule)."""
    db = session_factory(engine)()
    try:
        project_id = program.project_ids["APP"]
        base = db.query(Task).filter(Task.program_id == program.id).count()
        db.execute(
            insert(Task),
            [
                {
                    "program_id": program.id,
                    "project_id": project_id,
                    "key": f"APP-X{base + n}",
                    "name": f"Extra {n}",
                    "duration": 1,
                    "position": base + n,
                    "wbs": str(base + n),
                }
                for n in range(count)
            ],
        )
        extra = db.query(Task).filter(Task.key.like("APP-X%"), Task.program_id == program.id)
        ids = [t.id for t in extra.order_by(Task.id)]
        db.execute(
            insert(Dependency),
            [
                {"program_id": program.id, "predecessor_task_id": a, "successor_task_id": b}
                for a, b in pairwise(ids)
            ],
        )
        mark_program(db, program.id)
        complete(db)
    finally:
        db.close()


def api_get(base_url: str, token: str, path: str, **params: object) -> Any:
    """GET ``/api/v1{path}`` with a bearer token; the JSON body."""
    response = httpx.get(
        f"{base_url}/api/v1{path}",
        params={k: str(v) for k, v in params.items()},
        headers={"Authorization": f"Bearer {token}"},
    )
    response.raise_for_status()
    return response.json()


def assign_person(engine: Engine, program: WorkProgram, email: str, task_key: str) -> None:
    """Book the person with this email on a task (members report progress on their own)."""
    from podium.models import Assignment, Resource

    db = session_factory(engine)()
    try:
        user = db.scalar(select(User).where(User.email == email))
        assert user is not None
        resource = db.scalar(select(Resource).where(Resource.user_id == user.id))
        if resource is None:
            resource = Resource(key=f"person-{user.id}", name=user.name or email, user_id=user.id)
            db.add(resource)
            db.flush()
        db.add(
            Assignment(
                program_id=program.id,
                task_id=program.task_ids[task_key],
                resource_id=resource.id,
                units=0.5,
            )
        )
        complete(db)
    finally:
        db.close()
