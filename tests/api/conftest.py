"""API fixtures: users with each role in one program, each with a bearer-token client, and
cookie-session clients for the web pages' forms."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from podium.errors import Conflict
from podium.models import Program, Role, User
from podium.services.backup import backup_database, restore_database
from podium.services.scheduling import alerts, cache
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
    restored_net: Net | None = None  # the network restored with the cast, for ``net``

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
def cast(request: pytest.FixtureRequest, app_client: TestClient, db: Session) -> Cast:
    if _net_restorable(request):
        restored = _restore_cast_and_net(request.getfixturevalue("engine"), app_client, db)
        if restored is not None:
            return restored
    return _make_cast(app_client, db)


def _make_cast(app_client: TestClient, db: Session) -> Cast:
    # one transaction for the whole cast, not one per user, membership and token: on
    # PostgreSQL each commit is a round trip, before each of some 1,500 tests
    with _one_commit(db):
        owner = make_user(db, email="owner@example.com")
        program = make_program(db, owner=owner, key="CLOUD")
        users = {}
        for role in (Role.MANAGER, Role.MEMBER, Role.VIEWER):
            user = make_user(db, email=f"{role.value}@example.com")
            add_member(db, program, user, role)
            users[role] = user
        outsider = make_user(db, email="outsider@example.com")
        admin = make_user(db, email="admin@example.com", is_admin=True)
        clients = {
            "owner": api_as(app_client, db, owner),
            "manager": api_as(app_client, db, users[Role.MANAGER]),
            "member": api_as(app_client, db, users[Role.MEMBER]),
            "viewer": api_as(app_client, db, users[Role.VIEWER]),
            "outsider": api_as(app_client, db, outsider),
            "admin": api_as(app_client, db, admin),
        }
    return Cast(program=program, db=db, **clients)


@contextmanager
def _one_commit(db: Session) -> Iterator[None]:
    """The factories' commits made flushes, and one commit at the end."""
    commit = db.commit
    db.commit = db.flush  # type: ignore[method-assign]
    try:
        yield
    finally:
        db.commit = commit  # type: ignore[method-assign]
    db.commit()


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
def net(request: pytest.FixtureRequest, cast: Cast) -> Net:
    if cast.restored_net is not None:
        restored, cast.restored_net = cast.restored_net, None
        return restored
    built = _make_net(cast)
    if _net_restorable(request):
        _take_snapshot(request.getfixturevalue("engine"), cast, built)
    return built


def _make_net(cast: Cast) -> Net:
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


# --- the cast and its network, restored rather than built again ------------------------
#
# Building the cast and the network through the API takes 0.15 s on SQLite and 0.3 s on
# PostgreSQL, before each of some 700 tests; restoring a backup of the database as they
# left it takes a sixth of that. The first test that takes both (per database, process
# and day) builds them and keeps the backup, with what the cast's objects held then;
# the tests after it get the same rows (the same ids) and objects holding the same.
# Only tests whose other fixtures cannot have run between the cast and the network (or
# changed how the network is built) are given the copy; the others build their own.

QUIET_FIXTURES = frozenset(
    {
        "request",
        "engine",
        "db",
        "settings",
        "app",
        "app_client",
        "cast",
        "net",
        "world",  # tests/api/test_hostile_input.py: made after the network, from it
        "browser_as",
        "monkeypatch",
        "tmp_path",
        "tmp_path_factory",
        "caplog",
        "capsys",
        "_clean_tables",
        "_forget_failed_sign_ins",
        "_cheap_password_hashing",
    }
)
CAST_ROLES = ("owner", "manager", "member", "viewer", "outsider", "admin")


@dataclass
class _Snapshot:
    archive: bytes
    program: dict[str, Any]  # the attributes cast.program held, by name
    users: dict[str, tuple[dict[str, Any], str]]  # by role: the user's attributes, a token
    net: Net


_snapshots: dict[tuple[str, date], _Snapshot] = {}


def _snapshot_key(engine: Engine) -> tuple[str, date]:
    return engine.dialect.name, datetime.now(UTC).astimezone().date()


def _net_restorable(request: pytest.FixtureRequest) -> bool:
    params = getattr(request.node, "callspec", None)
    quiet = QUIET_FIXTURES | set(params.params if params else ())
    # a module's own fixtures that write nothing and touch nothing the cast and the
    # network are built with (a clock set for the reviews, say), named by the module
    quiet |= getattr(request.module, "NET_NEUTRAL_FIXTURES", frozenset())
    names = set(request.fixturenames)
    return "net" in names and names <= quiet


def _loaded_columns(obj: object) -> dict[str, Any]:
    state = inspect(obj)
    columns = {a.key for a in state.mapper.column_attrs}
    return {k: copy.deepcopy(v) for k, v in state.dict.items() if k in columns}


def _take_snapshot(engine: Engine, cast: Cast, net: Net) -> None:
    key = _snapshot_key(engine)
    if key in _snapshots:
        return
    archive = io.BytesIO()
    backup_database(engine, archive)
    users = {}
    for role in CAST_ROLES:
        client = cast.by_role(role)
        token = client.headers["Authorization"].removeprefix("Bearer ")
        users[role] = (_loaded_columns(client.user), token)
    _snapshots[key] = _Snapshot(
        archive.getvalue(), _loaded_columns(cast.program), users, copy.deepcopy(net)
    )


def _as_held(db: Session, model: type[Any], held: dict[str, Any]) -> Any:
    """The object as the cast held it: the attributes it had loaded, with the values it
    had then; the others left to load when read, as they were."""
    obj = db.get(model, held["id"])
    assert obj is not None
    for name, value in held.items():
        set_committed_value(obj, name, copy.deepcopy(value))
    unloaded = [a.key for a in inspect(model).column_attrs if a.key not in held]
    if unloaded:
        db.expire(obj, unloaded)
    return obj


def _restore_cast_and_net(engine: Engine, app_client: TestClient, db: Session) -> Cast | None:
    snapshot = _snapshots.get(_snapshot_key(engine))
    if snapshot is None:
        return None
    try:
        restore_database(engine, io.BytesIO(snapshot.archive))
    except Conflict:  # a fixture wrote to the database first: the cast is built instead
        return None
    # the restored program has the id the first one had: what this process remembers of
    # that one is forgotten, as a cast built afresh (a new id) would find nothing
    cache.clear()
    alerts.forget_baselines()
    clients = {
        role: ApiUser(app_client, token, _as_held(db, User, held))
        for role, (held, token) in snapshot.users.items()
    }
    program = _as_held(db, Program, snapshot.program)
    db.commit()  # as the factories left the session: no transaction open
    return Cast(program=program, db=db, restored_net=copy.deepcopy(snapshot.net), **clients)


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
