"""Every route of the API, swept with hostile input: each answer is below 500, and an error
is the JSON error body with a message, whose 422 names the field that was bad.

The bodies and query values are derived from the app's own OpenAPI schema (see
tests/api/hostile.py), so a route added later is swept without a test written for it.
Each test collects every problem and asserts once, listing them all."""

from __future__ import annotations

import itertools
import json
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from podium.app import create_app
from podium.config import Settings
from tests.api.conftest import Cast, Net, post_created
from tests.api.hostile import (
    Mutation,
    Samples,
    Spec,
    error_problem,
    mutations,
    query_values,
)
from tests.factories import PASSWORD, ApiUser, assert_error

API = "/api/v1"


@dataclass
class World:
    """A program with one record of every kind, and the ids that fill a route's path."""

    cast: Cast
    net: Net
    ids: dict[str, int]
    problems: list[str] = field(default_factory=list)
    signed_in: ApiUser | None = None
    days: itertools.count[int] = field(default_factory=itertools.count)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def fresh(self, kind: str) -> int:
        """A new record for a route that uses one up (a change request decided, a task
        deleted)."""
        a, pid, n = self.cast.admin, self.ids["program_id"], next(self.counter)
        if kind == "cr_id":
            body = {"title": f"CR {n}", "scope_change": "One more report"}
            return post_created(a, f"{API}/programs/{pid}/change-requests", body)["id"]
        if kind == "task_id":
            body = {"project_id": self.ids["project_id"], "name": f"Spare {n}", "duration": 1}
            return post_created(a, f"{API}/tasks", body)["id"]
        if kind == "milestone_id":
            body = {"program_id": pid, "name": f"Spare {n}", "target_date": "2027-03-01"}
            return post_created(a, f"{API}/milestones", body)["id"]
        raise KeyError(kind)

    def url(self, path: str, *, fresh: tuple[str, ...] = ()) -> str:
        values = {
            name: (self.fresh(name) if name in fresh else value) for name, value in self.ids.items()
        }
        return path.format(**values)

    def send(self, client: ApiUser, method: str, path: str, what: str, **kw: Any) -> Any:
        """Send one request to ``path`` (its ids filled in, a fresh record where the route
        uses one up) and note what is wrong with its answer (a raised fault too)."""
        field_name = kw.pop("field", None)
        url = self.url(path, fresh=FRESH.get((method.lower(), path), ()))
        try:
            response = client.request(method, url, **kw)
        except Exception as exc:  # a fault of the app's own, raised through the test client
            trace = "".join(traceback.format_exception(exc)[-4:])
            self.note(method, path, field_name, f"{method} {url} {what}: raised {exc!r}\n{trace}")
            return None
        problem = error_problem(response, field_name)
        if problem:
            excerpt = response.text[:300]
            self.note(
                method,
                path,
                field_name,
                f"{method} {url} {what}: {response.status_code} {problem}: {excerpt}",
            )
        return response

    def note(self, method: str, path: str, field_name: str | None, text: str) -> None:
        self.problems.append(text)


@pytest.fixture
def world(app: FastAPI, cast: Cast, net: Net) -> Iterator[World]:
    """One record of each kind the routes' paths name, made through the API, and the
    admin signed in with a session too (a token cannot make tokens)."""
    with TestClient(app) as client:
        login = client.post(
            f"{API}/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        signed_in = ApiUser(client, "", cast.admin.user)
        signed_in.headers = {"X-CSRF-Token": login.json()["csrf_token"]}
        built = build_world(cast, net)
        built.signed_in = signed_in
        yield built


def build_world(cast: Cast, net: Net) -> World:
    """One record of each kind the routes' paths name, made through the API."""
    a = cast.admin
    pid = cast.program.id
    ids: dict[str, int] = {
        "program_id": pid,
        "project_id": net.plat["project_id"],
        "task_id": net.train["id"],
        "milestone_id": net.m1["id"],
        "user_id": cast.viewer.user.id,
        "owner_id": cast.viewer.user.id,
        "manager_id": cast.manager.user.id,
        "alert_id": 1,  # the small network raises none: a missing one is a 404
        # a field named just "id" is a decision's link, to a task first (its type's first
        # value): one of this program's, whatever ids the database has given before
        "id": net.train["id"],
    }
    ids["dependency_id"] = a.get(f"{API}/dependencies?program_id={pid}").json()["items"][0]["id"]
    ids["calendar_id"] = post_created(a, f"{API}/calendars", {"name": "Sweep calendar"})["id"]
    ids["resource_id"] = post_created(a, f"{API}/resources", {"key": "sweeper", "name": "Sweeper"})[
        "id"
    ]
    ids["assignment_id"] = post_created(
        a, f"{API}/assignments", {"task_id": net.plat["id"], "resource_id": ids["resource_id"]}
    )["id"]
    ids["baseline_id"] = post_created(a, f"{API}/programs/{pid}/baselines", {"name": "B1"})["id"]
    ids["forecast_id"] = post_created(a, f"{API}/programs/{pid}/forecast", {"iterations": 100})[
        "id"
    ]
    ids["report_id"] = post_created(a, f"{API}/programs/{pid}/reports", {})["id"]
    risk = {"program_id": pid, "title": "Vendor late", "probability": 3, "impact": 4}
    risk["project_ids"] = [ids["project_id"]]
    ids["risk_id"] = post_created(a, f"{API}/risks", risk)["id"]
    ids["action_id"] = post_created(a, f"{API}/risks/{ids['risk_id']}/actions", {"title": "Call"})[
        "id"
    ]
    benefit = {
        "program_id": pid,
        "name": "Fewer tickets",
        "baseline_value": 100,
        "target_value": 70,
        "target_date": "2027-06-30",
        "direction": "down",
    }
    ids["benefit_id"] = post_created(a, f"{API}/benefits", benefit)["id"]
    ids["measurement_id"] = post_created(
        a,
        f"{API}/benefits/{ids['benefit_id']}/measurements",
        {"measured_on": "2027-01-04", "value": 95},
    )["id"]
    review = {"name": "Steering", "frequency": "weekly", "first_date": "2023-12-01"}
    ids["review_id"] = post_created(a, f"{API}/programs/{pid}/reviews", review)["id"]
    # meetings are recorded in order: the sweep's own come after this one
    held = {"held_on": "2023-12-29"}
    ids["occurrence_id"] = post_created(a, f"{API}/reviews/{ids['review_id']}/occurrences", held)[
        "id"
    ]
    ids["item_id"] = post_created(
        a, f"{API}/reviews/{ids['review_id']}/agenda-items", {"title": "Budget"}
    )["id"]
    ids["decision_id"] = post_created(a, f"{API}/programs/{pid}/decisions", {"title": "Go"})["id"]
    ids["stakeholder_id"] = post_created(
        a, f"{API}/programs/{pid}/stakeholders", {"name": "Sponsor"}
    )["id"]
    cr = {"title": "More", "scope_change": "One more report"}
    ids["cr_id"] = post_created(a, f"{API}/programs/{pid}/change-requests", cr)["id"]
    ids["lesson_id"] = post_created(a, f"{API}/programs/{pid}/lessons", {"text": "Plan early"})[
        "id"
    ]
    ids["scenario_id"] = post_created(a, f"{API}/programs/{pid}/scenarios", {"name": "What if"})[
        "id"
    ]
    ids["webhook_id"] = post_created(
        a, f"{API}/programs/{pid}/webhooks", {"url": "https://93.184.215.14/hooks/podium"}
    )["id"]
    ids["feed_id"] = post_created(a, f"{API}/programs/{pid}/feeds", None)["id"]
    ids["token_id"] = a.get(f"{API}/tokens").json()["items"][0]["id"]
    return World(cast, net, ids)


# The bodies the schema alone cannot make valid: the fields a route needs to get past its
# first check, so that each hostile field is what the route answers about.
def _bases(world: World) -> dict[tuple[str, str], Callable[[], dict[str, Any]]]:
    ids, net = world.ids, world.net
    return {
        ("post", "/api/v1/auth/login"): lambda: {
            "email": "member@example.com",
            "password": PASSWORD,
        },
        ("post", "/api/v1/users/me/password"): lambda: {
            "current_password": PASSWORD,
            "new_password": "another long password",
        },
        ("post", "/api/v1/programs/{program_id}/members"): lambda: {
            "email": "outsider@example.com",
            "role": "viewer",
        },
        ("post", "/api/v1/programs/{program_id}/impact"): lambda: {
            "changes": [{"type": "slip", "task_id": net.plat["id"], "days": 2}]
        },
        ("post", "/api/v1/dependencies"): lambda: {
            "predecessor": {"type": "task", "id": net.sec["id"]},
            "successor": {"type": "task", "id": net.train["id"]},
        },
        ("post", "/api/v1/programs/{program_id}/forecast"): lambda: {"iterations": 100},
        ("put", "/api/v1/programs/{program_id}/health/rules"): lambda: world.cast.admin.get(
            f"{API}/programs/{ids['program_id']}/health/rules"
        ).json()["rules"],
        ("post", "/api/v1/benefits"): lambda: {
            "program_id": ids["program_id"],
            "name": "Hostile",
            "baseline_value": 100,
            "baseline_date": "2026-01-05",
            "target_value": 70,
            "target_date": "2027-06-30",
            "direction": "down",
        },
        ("post", "/api/v1/programs/{program_id}/change-requests"): lambda: {
            "title": "Hostile",
            "scope_change": "One more report",
        },
        ("post", "/api/v1/tasks/{task_id}/move"): lambda: {"parent_id": None},
        ("post", "/api/v1/programs/{program_id}/settings/impact"): lambda: {
            "start_date": "2027-01-11"
        },
        # a meeting is recorded once held: on a day gone by (each request its own, below)
        ("post", "/api/v1/reviews/{review_id}/occurrences"): lambda: {"held_on": "2025-01-01"},
        ("post", "/api/v1/programs/{program_id}/level"): lambda: {"method": "heuristic"},
        ("post", "/api/v1/risks"): lambda: {
            "program_id": ids["program_id"],
            "title": "Hostile",
            "probability": 2,
            "impact": 2,
            "project_ids": [ids["project_id"]],
        },
        ("post", "/api/v1/tasks"): lambda: {"project_id": ids["project_id"], "name": "Hostile"},
    }


# Routes whose path record is used up by a request that succeeds: each request gets its own.
FRESH = {
    ("post", "/api/v1/change-requests/{cr_id}/approve"): ("cr_id",),
    ("post", "/api/v1/change-requests/{cr_id}/reject"): ("cr_id",),
    ("delete", "/api/v1/tasks/{task_id}"): ("task_id",),
    ("delete", "/api/v1/milestones/{milestone_id}"): ("milestone_id",),
}


def _client(world: World, path: str) -> ApiUser:
    # a password changed through /users/me is the member's own, so that the admin's
    # token, which sends everything else, stays good; tokens are made signed in
    if path.startswith("/api/v1/users/me"):
        return world.cast.member
    if path == "/api/v1/tokens" and world.signed_in is not None:
        return world.signed_in
    return world.cast.admin


def _operations(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    ops = [
        (method, path, op)
        for path, item in app.openapi()["paths"].items()
        for method, op in item.items()
    ]
    # closing the program is swept last: a close that succeeds is undone at once, but
    # nothing else should meet a closed program on the way
    return sorted(ops, key=lambda o: o[1].endswith("/close"))


def _after(world: World, path: str, response: Any) -> None:
    if path.endswith("/close") and response is not None and response.status_code < 300:
        reopen = world.cast.admin.post(f"{API}/programs/{world.ids['program_id']}/reopen")
        assert reopen.status_code == 200, reopen.text


def _report(problems: list[str]) -> str:
    return f"{len(problems)} answers to hostile input went wrong:\n\n" + "\n\n".join(problems)


def test_every_json_body_field_takes_hostile_values_without_a_server_error(
    app: FastAPI, engine: Engine, world: World
) -> None:
    spec = Spec(app.openapi())
    samples = Samples(spec, world.ids)
    bases = _bases(world)
    swept = 0
    for method, path, op in _operations(app):
        schema = spec.body_schema(op)
        if schema is None:
            continue
        swept += 1
        make_base = bases.get((method, path))
        base = make_base() if make_base else samples.required(schema)
        client = _client(world, path)
        half = 0 if engine.dialect.name == "sqlite" else 1  # see hostile.BOTH_DATABASES
        for mutation in mutations(spec, samples, schema, base, half=half):
            _send_body(world, client, method, path, mutation)
    assert swept > 60  # the schema was read: most routes that write take a JSON body
    read_everything_back(app, world)
    assert not world.problems, _report(world.problems)


def read_everything_back(app: FastAPI, world: World) -> None:
    """What the sweep stored (emoji, far dates, zeros) is read by every GET route, in each
    of its formats: a value let in must not break a page, a report or an export later."""
    spec = Spec(app.openapi())
    for method, path, op in _operations(app):
        if method != "get" or "{name}" in path:
            continue
        formats: list[str | None] = [None]
        for param in op.get("parameters", []):
            inner, _ = spec.unwrap(param["schema"])
            if param["in"] == "query" and param["name"] == "format" and "enum" in inner:
                formats = list(inner["enum"])
        for chosen in formats:
            query = {"format": chosen} if chosen else {}
            if path in ("/api/v1/benefits", "/api/v1/assignments"):
                query["program_id"] = str(world.ids["program_id"])
            if path == "/api/v1/search":
                query["q"] = "sweep"
            world.send(_client(world, path), "GET", path, f"read back {query}", params=query)


UNIQUE = ("name", "key", "title")
# one measurement a day, one meeting a day: each request a day of its own, gone by
ONE_A_DAY = ("measured_on", "held_on")


def _unique(world: World, method: str, path: str, m: Mutation) -> Any:
    """The body with the names, keys and titles it did not make hostile made its own: a
    create that succeeds would make the next one a 409 about the name instead."""
    if method != "post" or not isinstance(m.body, dict):
        return m.body
    body = dict(m.body)
    n = next(world.counter)
    for name in UNIQUE:
        if m.field != name and isinstance(body.get(name), str):
            body[name] = f"{body[name]}{n}" if name == "key" else f"{body[name]} {n}"
    if path == "/api/v1/users" and m.field != "email":
        body["email"] = f"sweep{n}@example.com"
    for name in ONE_A_DAY:
        if m.field != name and name in body:
            body[name] = (date(2024, 1, 1) + timedelta(days=next(world.days))).isoformat()
    return body


def _send_body(world: World, client: ApiUser, method: str, path: str, m: Mutation) -> None:
    what = f"{m.field}={m.label}"
    # written here rather than by the client, which refuses NaN: Python's reader takes it
    content = json.dumps(_unique(world, method, path, m)).encode()
    headers = {"Content-Type": "application/json"}
    response = world.send(
        client, method.upper(), path, what, content=content, headers=headers, field=m.field
    )
    _after(world, path, response)


def test_every_query_parameter_takes_hostile_values_without_a_server_error(
    app: FastAPI, world: World
) -> None:
    spec = Spec(app.openapi())
    samples = Samples(spec, world.ids)
    swept = 0
    for method, path, op in _operations(app):
        if method not in ("get", "delete"):
            continue
        params = [p for p in op.get("parameters", []) if p["in"] == "query"]
        if not params:
            continue
        swept += 1
        client = _client(world, path)
        # the parameters a list needs to answer at all (the program whose records it lists)
        base = {
            p["name"]: str(samples.value(p["name"], p["schema"]))
            for p in params
            if p.get("required") or p["name"] == "program_id"
        }
        for index, param in enumerate(params):
            name = param["name"]
            rest = [(k, v) for k, v in base.items() if k != name]
            values = query_values(spec, param["schema"], index)
            sent = [(label, [(name, value)]) for label, value in values]
            sent.append(("given twice", [(name, "1"), (name, "2")]))
            for label, query in sent:
                what = f"?{name}={label}"
                world.send(client, method.upper(), path, what, params=rest + query, field=name)
    assert swept > 50
    assert not world.problems, _report(world.problems)


NOT_OBJECTS = [("a list", b"[]"), ("a string", b'"x"'), ("a number", b"12"), ("null", b"null")]


def test_a_body_that_is_not_a_json_object_is_refused_in_words(app: FastAPI, world: World) -> None:
    """Every route that reads JSON gets malformed JSON (a 400) and one body that is JSON
    but no object (the four kinds taking turns across the routes)."""
    spec = Spec(app.openapi())
    routes = [(m, p) for m, p, op in _operations(app) if spec.body_schema(op) is not None]
    for index, (method, path) in enumerate(routes):
        client = _client(world, path)
        for label, content in (("malformed JSON", b'{"a":'), NOT_OBJECTS[index % 4]):
            headers = {"Content-Type": "application/json"}
            response = world.send(
                client, method.upper(), path, label, content=content, headers=headers
            )
            _after(world, path, response)
            if response is not None and label == "malformed JSON" and response.status_code != 400:
                world.problems.append(f"{method.upper()} {path} {label}: {response.status_code}")
    assert not world.problems, _report(world.problems)


def test_a_body_past_the_size_limit_is_a_413_on_every_route_that_takes_a_file(
    app: FastAPI, engine: Engine, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a small limit (the check is the same at 20 MB, only slower to send)."""
    file_routes = [
        (method, path)
        for method, path, op in _operations(app)
        if "multipart/form-data" in op.get("requestBody", {}).get("content", {})
    ]
    assert len(file_routes) >= 3
    calendar = post_created(cast.admin, f"{API}/calendars", {"name": "Holidays"})
    limit = 4096
    small = Settings(
        database_url="sqlite://",
        environment="test",
        secret_key="test-secret",
        max_upload_bytes=limit,
    )
    problems: list[str] = []
    with TestClient(create_app(small, engine=engine)) as client:
        user = ApiUser(client, "", cast.admin.user)
        user.headers = cast.admin.headers
        for method, path in file_routes:
            url = path.format(calendar_id=calendar["id"])
            files = {"file": ("big.ics", b"x" * (limit + 1))}
            response = user.request(method.upper(), url, files=files)
            if response.status_code != 413 or error_problem(response, None):
                problems.append(f"{method.upper()} {url}: {response.status_code} {response.text}")
        # a JSON body past the limit is refused before it is read
        response = user.post(
            f"{API}/risks",
            content=b'{"title": "' + b"x" * limit + b'"}',
            headers={"Content-Type": "application/json"},
        )
        if response.status_code != 413 or error_problem(response, None):
            problems.append(f"POST /risks past the limit: {response.status_code} {response.text}")
        # and one sent in chunks, without saying its length, is counted as it comes
        chunks = iter([b'{"title": "', *[b"x" * 1024] * 8, b'"}'])
        response = user.post(
            f"{API}/risks", content=chunks, headers={"Content-Type": "application/json"}
        )
        if response.status_code != 413 or error_problem(response, None):
            problems.append(f"POST /risks in chunks: {response.status_code} {response.text}")
    # a holiday file has a limit of its own, under the request's
    monkeypatch.setattr("podium.api.calendars.MAX_FILE_BYTES", 1024)
    holidays = f"{API}/calendars/{calendar['id']}/holidays/import"
    response = cast.admin.post(holidays, files={"file": ("big.ics", b"x" * 1025)})
    if response.status_code != 413 or error_problem(response, None):
        problems.append(
            f"POST {holidays} past its own limit: {response.status_code} {response.text}"
        )
    assert not problems, "\n".join(problems)


# --- what the sweep found, each in a test of its own -------------------------------------


def test_a_health_rule_refused_names_the_setting_it_is_about(cast: Cast) -> None:
    url = f"{API}/programs/{cast.program.id}/health/rules"
    body = {
        "rules": {"past_target": {"red_after_days": "soon"}},
        "rollup": {"projects_from_tasks": 2},
        "extra": {},
    }
    error = assert_error(cast.owner.put(url, json=body), 422, "validation_failed")
    fields = {d["field"]: d["message"] for d in error["details"]}
    assert fields["rules.past_target.red_after_days"].startswith("expected")
    assert fields["rollup.projects_from_tasks"] == "expected true or false, got 2"
    assert "unknown section 'extra'" in fields["rules"]  # no setting to name: the whole


def test_a_user_search_past_200_characters_is_refused_in_words(cast: Cast) -> None:
    response = cast.admin.get(f"{API}/users", params={"q": "x" * 60_000})
    error = assert_error(response, 422, "validation_failed")
    assert error["details"][0]["field"] == "q"
    assert cast.admin.get(f"{API}/users", params={"q": "x" * 200}).status_code == 200
