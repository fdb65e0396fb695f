"""Factories that build test data through the services (so audit and rules apply)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from podium.models import (
    Membership,
    Milestone,
    Program,
    ProgramStatus,
    Project,
    Role,
    Task,
    User,
)
from podium.services import auth, programs
from podium.services.actor import SYSTEM, Actor

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


def make_user(
    db: Session, *, email: str | None = None, is_admin: bool = False, name: str = ""
) -> User:
    user = auth.add_user(
        db,
        SYSTEM,
        email=email or f"user{next(_seq)}@example.com",
        password=PASSWORD,
        name=name,
        is_admin=is_admin,
    )
    db.commit()
    return user


def token_for(db: Session, user: User) -> str:
    _token, secret = auth.create_token(db, user, name="tests")
    db.commit()
    return secret


def make_program(
    db: Session, *, owner: User | None = None, key: str | None = None, **fields: Any
) -> Program:
    actor = Actor.of(owner) if owner else SYSTEM
    fields.setdefault("name", "Cloud migration")
    fields.setdefault("start_date", date(2027, 1, 4))
    closed = fields.get("status") == ProgramStatus.CLOSED
    if closed:  # a program is created open and closed later; here, at once
        fields["status"] = ProgramStatus.ACTIVE
    program = programs.create_program(db, actor, key=key or f"P{next(_seq)}", **fields)
    if closed:
        program.status = ProgramStatus.CLOSED
    db.commit()
    return program


def make_project(db: Session, program: Program, key: str, **fields: Any) -> Project:
    """A project stored directly (no API, no audit): for tests of other areas."""
    fields.setdefault("name", f"Project {key}")
    project = Project(program_id=program.id, key=key, **fields)
    db.add(project)
    db.commit()
    return project


def make_task(
    db: Session,
    project: Project,
    key: str,
    *,
    parent: Task | None = None,
    wbs: str = "1",
    name: str | None = None,
    **fields: Any,
) -> Task:
    """A task (five days unless told) stored directly (no API, no rescheduling)."""
    fields.setdefault("duration", 5)
    task = Task(
        program_id=project.program_id,
        project_id=project.id,
        key=key,
        name=name or f"Task {key}",
        wbs=wbs,
        parent_id=parent.id if parent else None,
        **fields,
    )
    db.add(task)
    db.commit()
    return task


def make_milestone(db: Session, program: Program, key: str) -> Milestone:
    milestone = Milestone(program_id=program.id, key=key, name=f"Milestone {key}")
    db.add(milestone)
    db.commit()
    return milestone


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is the JSON error body with this status (and code); returns the error."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    if code:
        assert body["error"]["code"] == code
    error: dict[str, Any] = body["error"]
    return error


def add_member(db: Session, program: Program, user: User, role: Role) -> None:
    db.add(Membership(program_id=program.id, user_id=user.id, role=role))
    db.commit()


class ApiUser:
    """A test client speaking as one user (bearer token)."""

    def __init__(self, client: TestClient, token: str, user: User) -> None:
        self.client = client
        self.user = user
        self.headers = {"Authorization": f"Bearer {token}"}

    def request(
        self, method: str, url: str, *, headers: dict[str, str] | None = None, **kw: Any
    ) -> Any:
        return self.client.request(method, url, headers={**self.headers, **(headers or {})}, **kw)

    def get(self, url: str, **kw: Any) -> Any:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.request("POST", url, **kw)

    def patch(self, url: str, **kw: Any) -> Any:
        return self.request("PATCH", url, **kw)

    def put(self, url: str, **kw: Any) -> Any:
        return self.request("PUT", url, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.request("DELETE", url, **kw)


def api_as(client: TestClient, db: Session, user: User) -> ApiUser:
    return ApiUser(client, token_for(db, user), user)
