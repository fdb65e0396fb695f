"""Rolling a webhook's signing secret in a real browser, on a desk and on a phone, for a
webhook whose creator has left the program: the other managers run it."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Program, Role, User, WebhookSubscription
from podium.services import programs, webhooks
from podium.services.actor import SYSTEM, Actor
from tests.browser.conftest import PLAN_PEOPLE, PlanProgram, screenshot
from tests.browser.test_integrations import PHONE, _deliver, _fits, receiver
from tests.factories import add_member, make_user
from tests.integration.test_webhook_secret_roll import verify
from tests.integration.test_webhooks import Receiver

pytestmark = pytest.mark.browser
__all__ = ["receiver"]  # the fixture

OMAR = PLAN_PEOPLE["omar"][0]
_people = itertools.count(1)


def _hook_by_someone_who_left(engine: Engine, program_id: int, url: str) -> tuple[int, str]:
    """A webhook added by a manager since taken out of the program: (its id, its secret)."""
    db = session_factory(engine)()
    try:
        lena = make_user(db, email=f"lena{next(_people)}@example.com", name="Lena Berg")
        program = db.get(Program, program_id)
        assert program is not None
        add_member(db, program, lena, Role.MANAGER)
        hook = webhooks.subscribe(
            db, Actor.of(lena), program_id, url=url, events=[], allow_private=True
        )
        omar = Actor.of(db.scalars(select(User).where(User.email == OMAR)).one())
        webhooks.subscribe(
            db,
            omar,
            program_id,
            url="https://hooks.slack.com/services/T0000/B0000/podium",
            events=[],
            allow_private=True,
        )
        programs.remove_member(db, SYSTEM, program_id, lena.id)
        db.commit()
        return hook.id, hook.secret
    finally:
        db.close()


def _stored(engine: Engine, hook_id: int) -> WebhookSubscription:
    db = session_factory(engine)()
    try:
        hook = db.get(WebhookSubscription, hook_id)
        assert hook is not None
        db.expunge(hook)
        return hook
    finally:
        db.close()


def test_a_manager_rolls_the_secret_of_a_webhook_whose_creator_left(
    page_as, web_engine: Engine, fresh_plan: PlanProgram, receiver: Receiver
) -> None:
    hook_id, old = _hook_by_someone_who_left(web_engine, fresh_plan.id, receiver.url)
    page: Page = page_as(OMAR)
    page.goto(f"/programs/{fresh_plan.id}/integrations")
    row = page.locator(f'tr[data-hook-id="{hook_id}"]')
    expect(row.get_by_test_id("creator-gone")).to_have_text("no longer in this program")
    expect(page.get_by_text("its managers and owners manage them")).to_be_visible()
    screenshot(page, "integrations-creator-left.png", full_page=True)

    row.get_by_role("link", name="Delivery log, test, pause, delete").click()
    expect(page.get_by_test_id("hook-managers")).to_have_text("The program's managers and owners")
    expect(page.get_by_test_id("hook-creator")).to_contain_text("keeps sending")
    page.get_by_role("link", name="Roll the signing secret…").click()  # asks first
    confirm = page.get_by_test_id("roll-confirm")
    roll = confirm.get_by_role("button", name="Roll the secret")
    expect(roll).to_be_focused()
    expect(confirm.get_by_label("The current secret stops signing")).to_have_value("24")
    screenshot(page, "integrations-webhook-roll.png", full_page=True)
    roll.click()

    shown = page.get_by_test_id("new-secret")
    expect(shown).to_be_focused()
    secret = shown.get_by_label("Signing secret").input_value()
    assert secret.startswith("whsec_") and secret != old
    expect(page.get_by_test_id("previous-secret")).to_contain_text("signs too until")
    screenshot(page, "integrations-webhook-rolled.png", full_page=True)

    page.get_by_role("button", name="Send a test event").click()
    expect(page.get_by_test_id("new-secret")).to_have_count(0)  # shown once
    assert _deliver(web_engine).delivered == 1
    ((headers, body),) = receiver.received
    header = headers["X-Podium-Signature"]
    assert verify(secret, header, body) and verify(old, header, body)


def test_on_a_phone_a_secret_that_leaked_is_rolled_to_stop_at_once(
    page_as, web_engine: Engine, fresh_plan: PlanProgram, receiver: Receiver
) -> None:
    hook_id, old = _hook_by_someone_who_left(web_engine, fresh_plan.id, receiver.url)
    page: Page = page_as(OMAR)
    page.set_viewport_size(PHONE)
    page.goto(f"/programs/{fresh_plan.id}/integrations")
    _fits(page)
    page.goto(f"/programs/{fresh_plan.id}/integrations/webhooks/{hook_id}")
    _fits(page)
    screenshot(page, "phone-integrations-webhook.png", full_page=True)
    page.get_by_role("link", name="Roll the signing secret…").click()
    confirm = page.get_by_test_id("roll-confirm")
    expect(confirm).to_be_in_viewport()
    confirm.get_by_label("The current secret stops signing").select_option("0")
    _fits(page)
    screenshot(page, "phone-integrations-webhook-roll.png", full_page=True)
    confirm.get_by_role("button", name="Roll the secret").click()

    shown = page.get_by_test_id("new-secret")
    expect(shown).to_be_focused()
    expect(shown).to_be_in_viewport()
    expect(shown).to_contain_text("The old secret signs nothing from now on")
    _fits(page)
    screenshot(page, "phone-integrations-webhook-rolled.png", full_page=True)
    secret = shown.get_by_label("Signing secret").input_value()
    stored = _stored(web_engine, hook_id)
    assert (stored.secret, stored.previous_secret) == (secret, None)
    assert old != secret
