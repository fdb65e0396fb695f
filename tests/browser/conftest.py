"""Browser tests: a live Podium on a migrated SQLite file, driven by a real headless Chromium.

The server runs in a background thread (uvicorn) for the whole test session, on
data seeded once through the services; tests only read it or sign in and out,
so they can share it. These tests run on SQLite only: they check the pages, and
the API and integration tests already cover both databases.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine

from podium.api.app import create_app
from podium.config import REPO_ROOT, Settings
from podium.db import make_engine, session_factory, upgrade_database
from podium.models import Project, Role, Task
from podium.services import auth, programs
from podium.services.actor import Actor
from tests.factories import PASSWORD, make_program, make_user

CHROMIUM = os.environ.get("PODIUM_TEST_CHROMIUM", "/usr/bin/chromium")
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
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"

expect.set_options(timeout=10_000)


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
        projects = [
            ("PLAT", "Platform upgrade", "Kubernetes platform and the pilot.", 6),
            ("SEC", "Cybersecurity", "Controls and the security sign-off.", 4),
            ("DATA", "Data transfer", "", 5),
            ("TRAIN", "Staff training", "", 3),
            ("VEND", "Vendor integration", "", 1),
        ]
        for position, (key, name, description, task_count) in enumerate(projects):
            project = Project(
                program_id=cloud.id, key=key, name=name, description=description, position=position
            )
            db.add(project)
            db.flush()
            for n in range(1, task_count + 1):
                db.add(
                    Task(
                        program_id=cloud.id,
                        project_id=project.id,
                        key=f"{key}-{n}",
                        name=f"Task {n}",
                    )
                )
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
        database_url=str(web_engine.url), environment="test", secret_key="browser-test-secret"
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
