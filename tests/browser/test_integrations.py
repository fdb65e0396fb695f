"""The Integrations tab in a real browser: a calendar feed made and read by a calendar
parser, a webhook to a local receiver, a test event and its line in the delivery log."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import icalendar
import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import User, WebhookFormat
from podium.services import events, feeds, webhook_delivery, webhooks
from podium.services.actor import Actor
from tests.browser.conftest import PLAN_PEOPLE, PlanProgram, screenshot
from tests.integration.test_webhooks import Receiver

pytestmark = pytest.mark.browser

OMAR, VERA = (PLAN_PEOPLE[name][0] for name in ("omar", "vera"))
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def _deliver(
    engine: Engine, transport: httpx.BaseTransport | None = None
) -> webhook_delivery.DeliveryRun:
    """One pass of the webhook worker."""
    db = session_factory(engine)()
    client = httpx.Client(transport=transport) if transport else None
    try:
        run = webhook_delivery.deliver_pending(db, client=client, allow_private=True)
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

    page.get_by_role("button", name="Pause this webhook").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Webhook paused")
    expect(page.get_by_test_id("hook-status")).to_contain_text("Paused")
    page.get_by_role("button", name="Resume this webhook").click()
    expect(page.get_by_test_id("hook-status")).to_have_text("Active")
    page.get_by_text("Change the URL, events or format").click()
    edit = page.get_by_test_id("edit-hook-form")
    expect(edit.get_by_label("Receiver URL")).to_have_value(receiver.url)
    expect(edit.get_by_label("A status report is issued")).to_be_checked()
    edit.get_by_label("An alert is raised").check()
    edit.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Webhook changed")
    expect(page.locator(".ig-facts")).to_contain_text("alert.raised")

    page.get_by_role("link", name="Delete this webhook…").click()  # asks first
    confirm = page.get_by_test_id("delete-confirm")
    expect(confirm).to_contain_text("cannot be undone")
    delete = confirm.get_by_role("button", name="Delete the webhook and its log")
    expect(delete).to_be_focused()
    delete.click()
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
    feeds_table.get_by_role("link", name="Revoke…").first.click()  # asks first
    assert page.request.get(url).ok
    page.get_by_test_id("revoke-confirm").get_by_role("link", name="Keep it").click()
    expect(page.get_by_test_id("revoke-confirm")).to_have_count(0)
    assert page.request.get(url).ok
    feeds_table.get_by_role("link", name="Revoke…").first.click()
    revoke = page.get_by_test_id("revoke-confirm").get_by_role("button", name="Revoke the feed")
    expect(revoke).to_be_focused()
    revoke.click()
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


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


def _within_phone(target: Locator) -> dict[str, float]:
    expect(target).to_be_visible()
    box = target.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    return box


def test_on_a_phone_the_feeds_and_webhooks_fit_and_their_urls_read_in_lines(
    page_as, web_engine: Engine, fresh_plan: PlanProgram
) -> None:
    _seed_log(web_engine, fresh_plan.id)
    page: Page = page_as(OMAR)
    page.set_viewport_size(PHONE)
    page.goto(f"/programs/{fresh_plan.id}/integrations")
    _fits(page)
    _within_phone(page.get_by_role("button", name="Create a calendar feed for this program"))
    for table in ("program-feeds", "personal-feeds"):
        for revoke in page.get_by_test_id(table).get_by_role("link", name="Revoke…").all():
            _within_phone(revoke)
    urls = page.get_by_test_id("hook-url")
    expect(urls).to_have_count(2)
    for url in urls.all():
        # the whole width of the card, not a column of two or three letters
        assert _within_phone(url)["width"] >= 250
    for cell in page.get_by_test_id("hook-log").all():
        _within_phone(cell)
    screenshot(page, "phone-integrations.png", full_page=True)


def test_a_new_webhooks_secret_is_focused_and_on_screen_on_a_phone(
    page_as, fresh_plan: PlanProgram, receiver: Receiver
) -> None:
    page: Page = page_as(OMAR)
    page.set_viewport_size(PHONE)
    page.goto(f"/programs/{fresh_plan.id}/integrations")
    form = page.get_by_test_id("add-hook-form")
    form.get_by_label("Receiver URL").fill(receiver.url)
    form.get_by_role("button", name="Add webhook").click()
    box = page.get_by_test_id("new-hook")
    expect(box).to_be_focused()
    expect(box).to_be_in_viewport()
    expect(box.get_by_label("Signing secret")).to_be_in_viewport()
    _fits(page)

    page.get_by_role("button", name="Create a calendar feed for this program").click()
    expect(page.get_by_test_id("new-feed")).to_be_focused()
    expect(page.get_by_label("Feed address")).to_be_in_viewport()
