"""A risk whose owner has left the program, edited in the browser: the Owner select shows
them ("no longer in the program"), and saving a change of title keeps them as owner —
of the risk, and of its mitigation action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from podium.db import session_factory
from podium.models import Risk, RiskAction, Role
from podium.services import programs, risks
from podium.services.actor import Actor
from podium.services.uow import complete
from tests.browser.conftest import World
from tests.factories import make_program, make_project, make_user

pytestmark = pytest.mark.browser
PageAs = Callable[[str], Page]
MANAGER, LEAVER = "kim.left@example.com", "lou.left@example.com"
GONE = "Lou Leaver (no longer in the program)"


@dataclass(frozen=True)
class Left:
    risk_id: int
    action_id: int
    leaver_id: int


@pytest.fixture(scope="module")
def left(web_engine: Engine, world: World) -> Left:
    """Program LEFT: Kim (owner) raised a risk owned by Lou with an action for Lou; Lou
    has left the program since."""
    db = session_factory(web_engine)()
    try:
        kim = make_user(db, email=MANAGER, name="Kim Manager")
        lou = make_user(db, email=LEAVER, name="Lou Leaver")
        program = make_program(db, owner=kim, key="LEFT", name="Owner left")
        project = make_project(db, program, "OPS")
        actor = Actor.of(kim)
        programs.add_member(db, actor, program.id, email=lou.email, role=Role.MEMBER)
        risk = risks.create_risk(
            db, actor, program_id=program.id, title="Runbooks out of date", probability=2,
            impact=3, owner_id=lou.id, project_ids=[project.id],
        )  # fmt: skip
        action = risks.add_action(db, actor, risk.id, title="Review the runbooks", owner_id=lou.id)
        programs.remove_member(db, actor, program.id, lou.id)
        complete(db)
        return Left(risk.id, action.id, lou.id)
    finally:
        db.close()


def _owners(web_engine: Engine, left: Left) -> tuple[int | None, int | None]:
    db = session_factory(web_engine)()
    try:
        risk, action = db.get(Risk, left.risk_id), db.get(RiskAction, left.action_id)
        assert risk is not None and action is not None
        return risk.owner_id, action.owner_id
    finally:
        db.close()


def test_saving_a_risk_and_its_action_keeps_an_owner_who_left(
    page_as: PageAs, left: Left, web_engine: Engine
) -> None:
    page = page_as(MANAGER)
    page.goto(f"/risks/{left.risk_id}")
    owner = page.get_by_test_id("risk-form").get_by_label("Owner")
    expect(owner.locator("option:checked")).to_have_text(GONE)
    page.get_by_label("Title").fill("Runbooks out of date since the move")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    expect(page.get_by_test_id("risk-title")).to_have_text("Runbooks out of date since the move")
    expect(owner.locator("option:checked")).to_have_text(GONE)
    assert _owners(web_engine, left) == (left.leaver_id, left.leaver_id)

    page.get_by_role("link", name="Edit the action Review the runbooks").click()
    form = page.get_by_test_id("edit-action-form")
    expect(form.get_by_label("Owner").locator("option:checked")).to_have_text(GONE)
    form.get_by_label("Action").fill("Review and date the runbooks")
    form.get_by_role("button", name="Save action").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Action saved.")
    row = page.get_by_test_id("actions").locator("tr", has_text="Review and date the runbooks")
    expect(row).to_contain_text("Lou Leaver")
    assert _owners(web_engine, left) == (left.leaver_id, left.leaver_id)
    # a new action offers only the members
    add = page.get_by_test_id("add-action-form").get_by_label("Owner")
    expect(add.locator("option", has_text="no longer in the program")).to_have_count(0)
