"""The Integrations tab in a real browser: a calendar feed made and read by a calendar
parser, a webhook to a local receiver, a test event and its line in the delivery log."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import icalendar
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import User, WebhookFormat
from podium.services import events, feeds, webhooks
from podium.services.actor import Actor
from tests.browser.conftest import PLAN_PEOPLE, PlanProgram, screenshot
from tests.integration.test_webhooks import Receiver

pytestmark = pytest.mark.browser

OMAR, VERA = (PLAN_PEOPLE[name][0] for name in ("omar", "vera"))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def _deliver(engine: Engine, transport: httpx.BaseTransport | None = None) -> webhooks.DeliveryRun:
    """One pass of the webhook worker."""
    db = session_factory(engine)()
    client = httpx.Client(transport=transport) if transport else None
    try:
        run = webhooks.deliver_pending(db, client=client, allow_private=True)
        db.commit()
        return run
    finally:
        if client:
            client.close()
        db.close()


def test_a_manager_makes_a_feed_and_a_webhook_and_reads_its_delivery_log(
    page_as, web_engine: Engine, fresh_plan: PlanProgram, receiver: Receiver
) -> None:
    page: Page = page_as(OMAR)
    page.goto(f"/programs/{fresh_plan.id}")
    page.get_by_role("link", name="Integrations").click()
    expect(page.get_by_role("heading", name="Calendar feeds")).to_be_visible()

    page.get_by_role("button", name="Create a calendar feed for this program").click()
    expect(page.get_by_test_id("new-feed")).to_contain_text("shown only once")
    url = page.get_by_label("Feed address").input_value()
    assert url.startswith("http://127.0.0.1:") and url.endswith(".ics")
    response = page.request.get(url)
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.body())
    summaries = {str(e["summary"]) for e in calendar.walk("VEVENT")}
    assert len(summaries) >= 4 and any(s.startswith("◆ ") for s in summaries)  # milestones
    page.goto(f"/programs/{fresh_plan.id}/integrations")
    expect(page.get_by_test_id("program-feeds").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("new-feed")).to_have_count(0)  # the address is not shown again

    form = page.get_by_test_id("add-hook-form")
    form.get_by_label("Receiver URL").fill(receiver.url)
    form.get_by_label("A status report is issued").check()
    form.get_by_role("button", name="Add webhook").click()
    secret = page.get_by_label("Signing secret").input_value()
    assert secret.startswith("whsec_")
    expect(page.get_by_test_id("webhooks")).to_contain_text(receiver.url)

    page.get_by_role("link", name="Open its delivery log").click()  # the link beside the secret
    expect(page.get_by_test_id("no-deliveries")).to_be_visible()
    page.get_by_role("button", name="Send a test event").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Test event queued")
    row = page.get_by_test_id("deliveries").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-status", "pending")
    expect(row).to_contain_text("ping")

    assert _deliver(web_engine).delivered == 1
    page.reload()
    expect(row).to_have_attribute("data-status", "delivered")
    expect(row.get_by_test_id("answer")).to_have_text("HTTP 200")
    ((headers, body),) = receiver.received
    assert headers["X-Podium-Event"] == "ping" and b"A test from Podium" in body

    page.get_by_role("button", name="Delete this webhook and its log").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Webhook deleted")
    expect(page.get_by_test_id("no-webhooks")).to_be_visible()


def test_a_url_that_is_not_http_is_refused_in_the_form(page_as, fresh_plan: PlanProgram) -> None:
    # private addresses are allowed on this server (the receiver above is on 127.0.0.1);
    # their refusal is tested in tests/api/test_integrations_page.py
    page: Page = page_as(OMAR)
    page.goto(f"/programs/{fresh_plan.id}/integrations")
    form = page.get_by_test_id("add-hook-form")
    form.get_by_label("Receiver URL").fill("ftp://files.example.com/in")
    form.get_by_role("button", name="Add webhook").click()
    form = page.get_by_test_id("add-hook-form")
    expect(form.locator("[data-error-for='url']")).to_contain_text("http:// or https://")
    expect(form.get_by_label("Receiver URL")).to_have_value("ftp://files.example.com/in")
    expect(page.get_by_test_id("no-webhooks")).to_be_visible()


def test_a_viewer_makes_a_personal_feed_and_sees_no_webhooks(
    page_as, fresh_plan: PlanProgram
) -> None:
    page: Page = page_as(VERA)
    page.goto(f"/programs/{fresh_plan.id}/integrations")
    expect(page.get_by_test_id("webhooks-managers-only")).to_be_visible()
    expect(page.get_by_test_id("add-hook-form")).to_have_count(0)
    page.get_by_role("button", name="Create my personal feed").click()
    expect(page.get_by_test_id("new-feed")).to_contain_text("Your personal feed")
    url = page.get_by_label("Feed address").input_value()
    assert page.request.get(url).ok
    page.goto(f"/programs/{fresh_plan.id}/integrations")
    feeds_table = page.get_by_test_id("personal-feeds")
    feeds_table.get_by_role("button", name="Revoke").first.click()
    expect(page.get_by_test_id("flash")).to_contain_text("Feed revoked")
    assert page.request.get(url).status == 404


def _seed_log(engine: Engine, program_id: int) -> int:
    """A feed, two webhooks and a log with a delivered event and one being retried."""
    db = session_factory(engine)()
    try:
        omar = Actor.of(db.scalars(select(User).where(User.email == OMAR)).one())
        feeds.create_program_feed(db, omar, program_id)
        feeds.create_personal_feed(db, omar)
        ops = webhooks.subscribe(
            db,
            omar,
            program_id,
            url="https://ops.example.com/podium/events",
            events=[events.ALERT_RAISED, events.MILESTONE_FORECAST_CHANGED, events.REPORT_ISSUED],
            allow_private=True,
        )
        webhooks.subscribe(
            db,
            omar,
            program_id,
            url="https://hooks.slack.com/services/T0000/B0000/podium",
            events=[],
            format=WebhookFormat.SLACK,
            allow_private=True,
        )
        webhooks.send_test(db, omar, ops.id)
        events.emit(db, program_id, events.REPORT_ISSUED, {"title": "Status report"})
        events.emit(db, program_id, events.ALERT_RAISED, {"title": "M3 forecast slips"})
        db.commit()
        return ops.id
    finally:
        db.close()


def _answer(request: httpx.Request) -> httpx.Response:
    if request.headers["X-Podium-Event"] == "alert.raised" and "ops." in str(request.url):
        return httpx.Response(503)
    return httpx.Response(200)


def test_screenshot_of_the_integrations_tab(
    page_as, web_engine: Engine, fresh_plan: PlanProgram
) -> None:
    hook_id = _seed_log(web_engine, fresh_plan.id)
    run = _deliver(web_engine, httpx.MockTransport(_answer))
    assert (run.delivered, run.retried) == (4, 1)
    page: Page = page_as(OMAR)
    page.goto(f"/programs/{fresh_plan.id}/integrations")
    expect(page.get_by_test_id("webhooks").locator("tbody tr")).to_have_count(2)
    screenshot(page, "integrations.png", full_page=True)
    page.goto(f"/programs/{fresh_plan.id}/integrations/webhooks/{hook_id}")
    expect(page.get_by_test_id("deliveries").locator("tbody tr")).to_have_count(3)
    screenshot(page, "integrations-webhook.png", full_page=True)
