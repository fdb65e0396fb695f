"""Every page passes axe-core's WCAG 2 A and AA checks with no violation of impact
"serious" or "critical": form fields and buttons have names, text has the contrast to be
read, links are told apart from the words around them, ARIA is used as it should be.

axe-core is an npm devDependency (``make assets`` installs it): the test puts it in the
pages, the app never serves it. One browser page per person goes from page to page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Benefit, Calendar, Milestone, Project, Resource, Risk, Task
from podium.services import scenarios
from podium.services.actor import Actor
from podium.services.auth import find_user
from podium.services.demo import PEOPLE
from podium.services.uow import complete
from podium.web.assets import NODE_MODULES
from tests.browser.conftest import World, new_person
from tests.browser.test_phone_layout import PHONE
from tests.browser.test_risks import load_demo_program

pytestmark = pytest.mark.browser
OpenPage = Callable[[str], Page]

AXE = NODE_MODULES / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
MARIA = PEOPLE[0][0]  # the sample program's owner
QUIET_ROUNDS = 3  # of 25 ms with no request in flight: the page has what it fetches


@pytest.fixture(autouse=True)
def _axe_installed() -> None:
    if not AXE.is_file():
        pytest.fail(f"axe-core is not in {AXE.parent}: run `make assets`")


@dataclass(frozen=True)
class Violation:
    """One failed axe rule on one page, with the elements that fail it."""

    page: str
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:5]) + (" …" if len(self.targets) > 5 else "")
        return (
            f"{self.page}: {self.rule} ({self.impact}, {len(self.targets)}×) {self.help} — {shown}"
        )


class Sweep:
    """One browser page, checked with axe page after page; what it found."""

    def __init__(self, page: Page, *, where: str = "") -> None:
        self.page = page
        self.where = where
        self.found: list[Violation] = []
        self._in_flight: set[Request] = set()
        page.on("request", lambda request: self._in_flight.add(request))
        page.on("requestfinished", lambda request: self._in_flight.discard(request))
        page.on("requestfailed", lambda request: self._in_flight.discard(request))
        # in every document the page opens from now on; an init script, not a <script>
        # tag, as the pages' Content-Security-Policy refuses inline scripts (and is best
        # left as users get it)
        page.context.add_init_script(path=AXE)

    def visit(self, *paths: str) -> None:
        """Open each path in turn and check it once it has loaded what it fetches."""
        for path in paths:
            response = self.page.goto(path)
            assert response is not None and response.ok, f"{path}: {response and response.status}"
            self.check(path)

    def check(self, name: str) -> None:
        """Run axe on the page as it stands; keep its serious and critical violations."""
        self._settle()
        result: list[dict[str, Any]] = self.page.evaluate(
            """async (tags) => {
                const { violations } = await axe.run(document, {
                    runOnly: { type: "tag", values: tags },
                    resultTypes: ["violations"],
                });
                return violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.map((n) => n.target.join(" ")),
                }));
            }""",
            WCAG_TAGS,
        )
        page = f"{name} ({self.where})" if self.where else name
        self.found += [
            Violation(page, v["id"], v["impact"], v["help"], tuple(v["targets"]))
            for v in result
            if v["impact"] in BLOCKING
        ]

    def _settle(self) -> None:
        # what the page fetches after it loads (a chart's data, an htmx part) is on the
        # page once no request has been in flight for a moment; Playwright's
        # "networkidle" waits a fixed half second, on every page
        deadline = time.monotonic() + 10
        quiet = 0
        while quiet < QUIET_ROUNDS:
            assert time.monotonic() < deadline, f"{self.page.url} never stops loading"
            self.page.wait_for_timeout(25)
            quiet = 0 if self._in_flight else quiet + 1

    def assert_clean(self) -> None:
        """No violation found on any page checked."""
        assert not self.found, "accessibility violations:\n" + "\n".join(map(str, self.found))


# --- the sample program, as its owner sees it ----------------------------------------


@dataclass(frozen=True)
class Sample:
    program_id: int
    ids: dict[str, int]


@pytest.fixture(scope="session")
def sample(web_engine: Engine, world: World) -> Sample:
    """The sample program with its register, benefits, governance and forecast, plus a
    scenario; the ids of one of each thing its pages show."""
    program_id = load_demo_program(web_engine)
    db = session_factory(web_engine)()
    try:
        owner = find_user(db, MARIA)
        assert owner is not None
        scenario = scenarios.create_scenario(
            db, Actor.of(owner), program_id, name="Two more engineers"
        )
        complete(db)

        def first(model: Any) -> int:
            query = select(model.id).where(model.program_id == program_id).order_by(model.id)
            found: int | None = db.scalars(query).first()
            assert found is not None, f"the sample program has no {model.__name__}"
            return found

        return Sample(
            program_id,
            {
                "project": first(Project),
                "task": first(Task),
                "milestone": first(Milestone),
                "risk": first(Risk),
                "benefit": first(Benefit),
                "scenario": scenario.id,
            },
        )
    finally:
        db.close()


def _program_paths(sample: Sample) -> list[str]:
    program = f"/programs/{sample.program_id}"
    ids = sample.ids
    return [
        "/",
        "/my-work",
        "/search?q=migration",
        program,
        f"{program}/projects",
        f"{program}/roadmap",
        f"{program}/dependencies",
        f"{program}/impact",
        f"{program}/milestones",
        f"{program}/resources",
        f"{program}/risks",
        f"{program}/benefits",
        f"{program}/performance",
        f"{program}/forecast",
        f"{program}/governance",
        f"{program}/retrospective",
        f"{program}/reports",
        f"{program}/scenarios",
        f"{program}/members",
        f"{program}/settings",
        f"{program}/health-rules",
        f"{program}/integrations",
        f"{program}/history",
        f"/projects/{ids['project']}",
        f"/projects/{ids['project']}/settings",
        f"/projects/{ids['project']}/history",
        f"/tasks/{ids['task']}",
        f"/tasks/{ids['task']}/history",
        f"/milestones/{ids['milestone']}",
        f"/risks/{ids['risk']}",
        f"/benefits/{ids['benefit']}",
        f"/scenarios/{ids['scenario']}",
    ]


def test_the_program_pages_have_no_serious_accessibility_violations(
    page_as: OpenPage, sample: Sample
) -> None:
    sweep = Sweep(page_as(MARIA))
    sweep.visit(*_program_paths(sample))
    sweep.assert_clean()


# --- the pages of the whole installation, as an admin sees them -----------------------


def test_the_admin_pages_have_no_serious_accessibility_violations(
    page_as: OpenPage, web_engine: Engine, sample: Sample
) -> None:
    admin = new_person(web_engine, "Ada Admin", admin=True)
    db = session_factory(web_engine)()
    try:
        resource = db.scalars(select(Resource.id).order_by(Resource.id)).first()
        calendar = db.scalars(select(Calendar.id).order_by(Calendar.id)).first()
    finally:
        db.close()
    sweep = Sweep(page_as(admin.email))
    sweep.visit(
        "/account",
        "/users",
        f"/users/{admin.id}",
        "/audit",
        "/programs/new",
        "/import",
        "/calendars",
        "/calendars/new",
        f"/calendars/{calendar}",
        f"/calendars/{calendar}/edit",
        "/resources",
        "/resources/new",
        f"/resources/{resource}",
        f"/resources/{resource}/edit",
    )
    sweep.assert_clean()


# --- signed out, an error page, refused forms, a phone ---------------------------------


def test_the_sign_in_and_error_pages_have_no_serious_accessibility_violations(
    page: Page, page_as: OpenPage, sample: Sample
) -> None:  # the sample program brings its owner, who signs in
    sweep = Sweep(page)
    sweep.visit("/login")
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Wrong email or password")).to_be_visible()
    sweep.check("/login (refused)")
    signed_in = Sweep(page_as(MARIA))
    signed_in.page.goto("/programs/999999")
    expect(signed_in.page.get_by_test_id("error-page")).to_be_visible()
    signed_in.check("/programs/999999 (not found)")
    sweep.found += signed_in.found
    sweep.assert_clean()


def test_a_refused_task_form_has_no_serious_accessibility_violations(
    page_as: OpenPage, sample: Sample
) -> None:
    sweep = Sweep(page_as(MARIA))
    path = f"/tasks/{sample.ids['task']}"
    sweep.visit(path)
    form = sweep.page.get_by_test_id("task-form")
    form.get_by_label("% complete").fill("150")
    form.get_by_label("Duration").fill("-1")
    form.get_by_role("button", name="Save changes").click()
    refused = sweep.page.get_by_test_id("task-form").locator('[data-error-for="duration"]')
    expect(refused).to_have_text("Must be at least 0.")
    sweep.check(f"{path} (refused)")
    sweep.assert_clean()


def test_the_pages_on_a_phone_have_no_serious_accessibility_violations(
    page_as: OpenPage, sample: Sample
) -> None:
    page = page_as(MARIA)
    page.set_viewport_size(PHONE)
    sweep = Sweep(page, where="phone")
    program = f"/programs/{sample.program_id}"
    sweep.visit(program, f"{program}/roadmap", f"{program}/risks", f"/tasks/{sample.ids['task']}")
    sweep.assert_clean()
