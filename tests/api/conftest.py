"""API fixtures: users with each role in one program, each with a bearer-token client, and
cookie-session clients for the web pages' forms."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from podium.models import Program, Role
from tests.factories import PASSWORD, ApiUser, add_member, api_as, make_program, make_user


@dataclass
class Cast:
    """A program and one client per role (plus an admin and an outsider)."""

    program: Program
    owner: ApiUser
    manager: ApiUser
    member: ApiUser
    viewer: ApiUser
    outsider: ApiUser
    admin: ApiUser
    db: Session

    def by_role(self, name: str) -> ApiUser:
        client: ApiUser = getattr(self, name)
        return client

    def assign_member(self, task_id: int) -> None:
        """Assign the member (a resource linked to their account) to a task: members
        update progress only on their own tasks."""
        from sqlalchemy import select

        from podium.models import Assignment, Resource, Task, User

        user = self.db.scalar(select(User).where(User.email == "member@example.com"))
        assert user is not None
        resource = self.db.scalar(select(Resource).where(Resource.user_id == user.id))
        if resource is None:
            resource = Resource(key="member", name="Member", user_id=user.id)
            self.db.add(resource)
            self.db.flush()
        task = self.db.get(Task, task_id)
        assert task is not None
        self.db.add(
            Assignment(
                program_id=task.program_id, task_id=task_id, resource_id=resource.id, units=1.0
            )
        )
        self.db.commit()


@pytest.fixture
def cast(app_client: TestClient, db: Session) -> Cast:
    owner = make_user(db, email="owner@example.com")
    program = make_program(db, owner=owner, key="CLOUD")
    users = {}
    for role in (Role.MANAGER, Role.MEMBER, Role.VIEWER):
        user = make_user(db, email=f"{role.value}@example.com")
        add_member(db, program, user, role)
        users[role] = user
    outsider = make_user(db, email="outsider@example.com")
    admin = make_user(db, email="admin@example.com", is_admin=True)
    return Cast(
        program=program,
        owner=api_as(app_client, db, owner),
        manager=api_as(app_client, db, users[Role.MANAGER]),
        member=api_as(app_client, db, users[Role.MEMBER]),
        viewer=api_as(app_client, db, users[Role.VIEWER]),
        outsider=api_as(app_client, db, outsider),
        admin=api_as(app_client, db, admin),
        db=db,
    )


ROLES = ["owner", "manager", "member", "viewer", "outsider", "admin"]


# --- a small hand-computed cross-project network (see tests/api/test_schedule.py) ----


@dataclass
class Net:
    plat: dict
    train: dict
    sec: dict
    m1: dict


def start_program_on(cast: Cast, day: str) -> None:
    """Move the program's start to ``day`` even outside the dates a plan may take now
    (1900–2200), as a database written before that window was kept holds it, and
    reschedule the plan from it."""
    cast.db.execute(
        update(Program)
        .where(Program.id == cast.program.id)
        .values(start_date=date.fromisoformat(day))
    )
    cast.db.commit()
    response = cast.owner.post(f"/api/v1/programs/{cast.program.id}/reschedule")
    assert response.status_code == 200, response.text


def post_created(client, url: str, body: dict) -> dict:
    response = client.post(url, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def link(
    client, pred: tuple[str, int], succ: tuple[str, int], kind: str = "FS", lag: int = 0
) -> dict:
    return post_created(
        client,
        "/api/v1/dependencies",
        {
            "predecessor": {"type": pred[0], "id": pred[1]},
            "successor": {"type": succ[0], "id": succ[1]},
            "type": kind,
            "lag": lag,
        },
    )


@pytest.fixture
def net(cast: Cast) -> Net:
    m = cast.manager
    pid = cast.program.id
    projects = {
        key: post_created(
            m, "/api/v1/projects", {"program_id": pid, "key": key, "name": key.title()}
        )
        for key in ("PLAT", "TRAIN", "SEC")
    }
    plat = post_created(
        m, "/api/v1/tasks", {"project_id": projects["PLAT"]["id"], "name": "Pilot", "duration": 10}
    )
    train = post_created(
        m,
        "/api/v1/tasks",
        {"project_id": projects["TRAIN"]["id"], "name": "Train the trainers", "duration": 5},
    )
    sec = post_created(
        m,
        "/api/v1/tasks",
        {"project_id": projects["SEC"]["id"], "name": "Threat model", "duration": 3},
    )
    m1 = post_created(
        m,
        "/api/v1/milestones",
        {"program_id": pid, "key": "M1", "name": "Trainers ready", "target_date": "2027-01-22"},
    )
    link(m, ("task", plat["id"]), ("task", train["id"]))
    link(m, ("task", train["id"]), ("milestone", m1["id"]))
    link(m, ("task", sec["id"]), ("milestone", m1["id"]))
    return Net(plat, train, sec, m1)


class Browser:
    """A cookie-session client of one person, with the CSRF token its pages carry."""

    def __init__(self, client: TestClient, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    def get(self, url: str) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, response.text
        return response.text

    def post(
        self, url: str, data: dict[str, object] | None = None, *, csrf: bool = True
    ) -> httpx.Response:
        form = {**(data or {}), **({"csrf_token": self.csrf} if csrf else {})}
        return self.client.post(url, data=form, follow_redirects=False)


@pytest.fixture
def browser_as(app: FastAPI) -> Iterator[Callable[[str], Browser]]:
    clients: list[TestClient] = []

    def sign_in(email: str) -> Browser:
        client = TestClient(app)
        clients.append(client)
        login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        return Browser(client, login.json()["csrf_token"])

    yield sign_in
    for client in clients:
        client.close()
