"""Browser tests: a live Podium on a migrated SQLite file, driven by a real headless Chromium.

The server runs in a background thread (uvicorn) for the whole test session, on
data seeded once through the services; tests only read it or sign in and out,
so they can share it. These tests run on SQLite only: they check the pages, and
the API and integration tests already cover both databases.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    expect,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import Engine

from podium.app import create_app
from podium.config import Settings
from podium.db import make_engine, session_factory, upgrade_database
from podium.models import Role
from podium.services import auth, programs
from podium.services.actor import Actor
from tests.browser.cloud_plan import seed_cloud_plan
from tests.browser.work_plan import WorkPeople, WorkProgram, make_work_people, make_work_program
from tests.factories import PASSWORD, make_program, make_user

# Debian's Chromium, headless. Its headless shell (package chromium-headless-shell: the
# same build without the desktop browser around it, what Playwright itself runs headless)
# takes half the time of the full browser here; `make browser` installs both, and
# PODIUM_TEST_CHROMIUM=/usr/bin/chromium runs the tests in the full browser.
HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
CHROMIUM = os.environ.get(
    "PODIUM_TEST_CHROMIUM", str(HEADLESS_SHELL) if HEADLESS_SHELL.exists() else "/usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
# the tests take their screenshots into a temporary folder; `make screenshots`
# points this at docs/screenshots to refresh the documentation's pictures
SCREENSHOTS = Path(
    os.environ.get("PODIUM_SCREENSHOTS", Path(tempfile.gettempdir()) / "podium-screenshots")
)

# Chromium now and then refuses one capture ("Unable to capture screenshot") and
# takes the same picture when asked again a moment later
CAPTURE_TRIES = 3

expect.set_options(timeout=10_000)


def screenshot(target: Page | Locator, name: str, *, full_page: bool = False) -> None:
    """Save a picture of the page (or one element of it) as ``name`` in SCREENSHOTS."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {"full_page": True} if full_page else {}
    for attempt in range(CAPTURE_TRIES):
        try:
            target.screenshot(path=SCREENSHOTS / name, **options)
            return
        except PlaywrightError as error:
            if "Unable to capture screenshot" not in error.message or attempt + 1 == CAPTURE_TRIES:
                raise
            time.sleep(0.5)


@dataclass(frozen=True)
class World:
    """The seeded people and programs (ids and emails only: plain values)."""

    program_ids: dict[str, int]
    emails: dict[str, str]
    tokens: dict[str, str]
    password: str = PASSWORD


@pytest.fixture(scope="session")
def web_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated SQLite file for the live server (not the SQLite+PostgreSQL ``engine``)."""
    path = Path(tmp_path_factory.mktemp("browser")) / "podium.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    yield engine
    engine.dispose()


def _seed(engine: Engine) -> World:
    db = session_factory(engine)()
    try:
        ana = make_user(db, email="ana@example.com", name="Ana Ferreira")
        ben = make_user(db, email="ben@example.com", name="Ben Okafor")
        cleo = make_user(db, email="cleo@example.com", name="Cleo Martin")
        dan = make_user(db, email="dan@example.com", name="Dan Weber")
        cloud = make_program(
            db,
            owner=ana,
            key="CLOUD",
            name="Cloud migration",
            description="Move every client environment off the ageing data centre.",
            start_date=date(2027, 1, 4),
            goal_outcome=(
                "Migrate all client environments to cloud infrastructure by Q4, "
                "reducing support ticket volume by 30 %."
            ),
            goal_measure="support tickets per month",
            goal_unit="tickets",
            goal_baseline_value=1200,
            goal_target_value=840,
            goal_target_date=date(2027, 12, 17),
        )
        erp = make_program(
            db,
            owner=dan,
            key="ERP",
            name="Finance system renewal",
            start_date=date(2027, 3, 1),
            goal_outcome="Close the books in three days instead of nine.",
            goal_measure="days to close the month",
            goal_unit="days",
            goal_baseline_value=9,
            goal_target_value=3,
            goal_target_date=date(2028, 3, 31),
        )
        hr = make_program(
            db, owner=dan, key="HR", name="People platform", start_date=date(2027, 6, 1)
        )
        programs.add_member(db, Actor.of(dan), erp.id, email=ana.email, role=Role.MANAGER)
        programs.add_member(db, Actor.of(ana), cloud.id, email=ben.email, role=Role.MEMBER)
        programs.add_member(db, Actor.of(ana), cloud.id, email=dan.email, role=Role.VIEWER)
        seed_cloud_plan(db, cloud, owner=ana, member=ben)
        db.commit()
        tokens = {}
        for user in (ana, ben, cleo, dan):
            _token, secret = auth.create_token(db, user, name="browser tests")
            tokens[user.email] = secret
        db.commit()
        return World(
            program_ids={"CLOUD": cloud.id, "ERP": erp.id, "HR": hr.id},
            emails={"ana": ana.email, "ben": ben.email, "cleo": cleo.email, "dan": dan.email},
            tokens=tokens,
        )
    finally:
        db.close()


@pytest.fixture(scope="session")
def world(web_engine: Engine) -> World:
    return _seed(web_engine)


@pytest.fixture(scope="session")
def live_server(web_engine: Engine, world: World) -> Iterator[str]:
    """The app served by uvicorn in a background thread; yields its base URL."""
    settings = Settings(
        database_url=str(web_engine.url),
        environment="test",
        secret_key="browser-test-secret",
        webhooks_allow_private=True,  # the webhook tests' receiver listens on 127.0.0.1
    )
    app = create_app(settings, engine=web_engine)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # no websockets and no lifespan: nothing to load, so nothing to warn about
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not at {CHROMIUM}: run `make browser` (or set PODIUM_TEST_CHROMIUM)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A fresh browser context (no cookies) at 1280x800 on the live server."""
    context = browser.new_context(base_url=live_server, viewport=VIEWPORT)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form and wait for the programs list."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Programs", level=1)).to_be_visible()


# --- the plan pages (roadmap, dependency map, impact) --------------------------------
#
# A realistic program: the sample "Cloud migration" plan (5 projects, 29 tasks
# with a WBS, cross-project dependencies, 4 program milestones) placed around
# today, with the early work done. Its people are separate from the World's so
# the programs lists above stay as they are. Tests that change a plan get one
# of their own (``fresh_plan``).

PLAN_PEOPLE = {
    "maya": ("maya@example.com", "Maya Lindqvist", None),  # owner
    "omar": ("omar@example.com", "Omar Haddad", Role.MANAGER),
    "vera": ("vera@example.com", "Vera Novak", Role.VIEWER),
}


PLAN_TARGET_WEEKS = {"M1": 15, "M2": 16, "M3": 31, "M4": 33}
PLAN_PROGRESS = {
    "PLAT-1": 100,
    "SEC-1": 100,
    "DATA-1": 100,
    "TRAIN-1": 100,
    "VEND-1": 100,
    "PLAT-3": 100,
    "SEC-2": 60,
    "SEC-3": 70,
    "DATA-2": 80,
    "TRAIN-2": 50,
    "VEND-2": 40,
    "PLAT-4": 30,
}


@dataclass(frozen=True)
class PlanProgram:
    """A seeded plan program: its id, and its tasks and milestones by key."""

    id: int
    key: str
    task_ids: dict[str, int]
    milestone_ids: dict[str, int]


def _plan_people(engine: Engine) -> dict[str, str]:
    db = session_factory(engine)()
    try:
        for email, name, _role in PLAN_PEOPLE.values():
            make_user(db, email=email, name=name)
        return {who: email for who, (email, _n, _r) in PLAN_PEOPLE.items()}
    finally:
        db.close()


@pytest.fixture(scope="session")
def plan_people(web_engine: Engine, world: World) -> dict[str, str]:
    """Emails of the plan programs' owner (maya), manager (omar) and viewer (vera)."""
    return _plan_people(web_engine)


def seed_plan_program(engine: Engine, key: str, *, today: date | None = None) -> PlanProgram:
    """Import the sample plan as program ``key``, owned by Maya, and record its progress."""
    from sqlalchemy import select

    from podium.interop.plan_format import read_plan
    from podium.models import Milestone, Task, User
    from podium.services import tasks as task_service
    from podium.services.demo_plan import demo_plan
    from podium.services.plans import import_plan
    from podium.services.uow import complete

    plan = demo_plan(today or datetime.now(UTC).date())
    plan["program"]["key"] = key
    # these tests were written against this progress and these targets: keep them fixed
    # here, whatever the demo program tells its own story with
    start = date.fromisoformat(plan["program"]["start"])
    for milestone in plan["milestones"]:
        weeks = PLAN_TARGET_WEEKS[milestone["id"]]
        milestone["target"] = (start + timedelta(weeks=weeks, days=3)).isoformat()
    for task in plan["tasks"]:
        task["percent_complete"] = 0  # progress is recorded below, on the scheduled dates
    db = session_factory(engine)()
    try:
        users = {u.email: u for u in db.scalars(select(User))}
        maya = Actor.of(users[PLAN_PEOPLE["maya"][0]])
        program = import_plan(db, maya, read_plan(plan))
        for email, _name, role in PLAN_PEOPLE.values():
            if role is not None:
                programs.add_member(db, maya, program.id, email=email, role=role)
        complete(db)
        by_key = {t.key: t for t in db.scalars(select(Task).where(Task.program_id == program.id))}
        for task_key, percent in PLAN_PROGRESS.items():
            task = by_key[task_key]
            changes: dict[str, object] = {"actual_start": task.early_start}
            if percent >= 100:
                changes["actual_finish"] = task.early_finish
            else:
                changes["percent_complete"] = float(percent)
            task_service.update_task(db, maya, task.id, changes)
        complete(db)
        milestones = db.scalars(select(Milestone).where(Milestone.program_id == program.id))
        return PlanProgram(
            id=program.id,
            key=key,
            task_ids={k: t.id for k, t in by_key.items()},
            milestone_ids={m.key: m.id for m in milestones},
        )
    finally:
        db.close()


@pytest.fixture(scope="session")
def plan_program(web_engine: Engine, plan_people: dict[str, str]) -> PlanProgram:
    """A plan program the tests only read."""
    return seed_plan_program(web_engine, "PLAN")


_fresh_plans = iter(range(1, 10_000))


@pytest.fixture
def fresh_plan(web_engine: Engine, plan_people: dict[str, str]) -> PlanProgram:
    """A plan program of the test's own, for tests that change it."""
    return seed_plan_program(web_engine, f"PLAN{next(_fresh_plans)}")


# --- the work pages (projects, tasks, history) -------------------------------------
#
# The read-only CLOUD program of the World, and small programs of their own
# (``work_program``) for the tests that edit; their people (Rosa manages, Sam is
# a member, Uma a viewer) are not in the World's programs.


@pytest.fixture(scope="session")
def work_people(web_engine: Engine, world: World) -> WorkPeople:
    return make_work_people(web_engine)


@pytest.fixture
def work_program(web_engine: Engine, work_people: WorkPeople) -> WorkProgram:
    """An APP/OPS program of the test's own (see ``tests/browser/work_plan.py``)."""
    return make_work_program(web_engine, work_people)


@pytest.fixture(scope="session")
def _signed_in_states() -> dict[str, Any]:
    return {}


@pytest.fixture
def page_as(
    browser: Browser, live_server: str, _signed_in_states: dict[str, Any]
) -> Iterator[Callable[[str], Page]]:
    """Open a page already signed in as ``email`` (one sign-in per person per test run)."""
    contexts: list[BrowserContext] = []

    def open_page(email: str) -> Page:
        state = _signed_in_states.get(email)
        if state is None:
            first = browser.new_context(base_url=live_server, viewport=VIEWPORT)
            sign_in(first.new_page(), email)
            state = _signed_in_states[email] = first.storage_state()
            first.close()
        context = browser.new_context(base_url=live_server, viewport=VIEWPORT, storage_state=state)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


REFUSAL_LOG = re.compile(r"(status of|Status Error Code) (409|422)\b")


@pytest.fixture
def console_errors() -> Iterator[Callable[[Page], list[str]]]:
    """Watch a page's console; the test ends with none of its errors."""
    watched: list[list[str]] = []

    def watch(page: Page) -> list[str]:
        errors: list[str] = []

        def seen(message: ConsoleMessage) -> None:
            if message.type == "error" and not REFUSAL_LOG.search(message.text):
                errors.append(message.text)

        page.on("console", seen)
        page.on("pageerror", lambda e: errors.append(str(e)))
        watched.append(errors)
        return errors

    yield watch
    assert [e for errors in watched for e in errors] == []


@dataclass(frozen=True)
class Person:
    """An account a test made for itself."""

    id: int
    email: str


def new_person(engine: Engine, name: str, *, admin: bool = False) -> Person:
    """A new account of the test's own, with a unique email (so no other test signs in
    as it, nor changes its roles)."""
    db = session_factory(engine)()
    try:
        email = f"{name.lower().replace(' ', '.')}.{uuid.uuid4().hex[:6]}@example.com"
        user = make_user(db, email=email, name=name, is_admin=admin)
        return Person(user.id, user.email)
    finally:
        db.close()


def save_twice(
    first: Page, second: Page, *, form: str, button: str, names: tuple[str, str]
) -> None:
    """Two pages read the same form; the first saves its *Name* (``names[0]``), then the
    second, read before that save, is refused with "changed by someone else"."""
    first.get_by_test_id(form).get_by_label("Name", exact=True).fill(names[0])
    first.get_by_role("button", name=button).click()
    expect(first.get_by_test_id("flash")).to_contain_text("Saved")
    second.get_by_test_id(form).get_by_label("Name", exact=True).fill(names[1])
    second.get_by_role("button", name=button).click()
    expect(second.get_by_test_id("form-error")).to_contain_text("changed by someone else")
