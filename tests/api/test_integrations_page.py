"""The Integrations tab's forms: feeds shown once and revoked, webhooks added (managers),
refusals shown in the form with nothing written, a test event in the delivery log."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import icalendar
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.models import CalendarFeed, Role, WebhookDelivery, WebhookSubscription
from podium.services import webhook_delivery, webhooks
from podium.services.actor import SYSTEM
from tests.api.conftest import Browser, Cast
from tests.factories import add_member, make_program
from tests.integration.test_webhooks import Receiver

pytestmark = pytest.mark.db


def _count(db: Session, model: type) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def _page(cast: Cast) -> str:
    return f"/programs/{cast.program.id}/integrations"


def _private_hook(db: Session, program_id: int) -> WebhookSubscription:
    """A webhook to a private address (allowed here), committed."""
    hook = webhooks.subscribe(
        db, SYSTEM, program_id, url="http://10.0.0.1/", events=[], allow_private=True
    )
    db.commit()
    return hook


def test_a_viewer_creates_a_program_feed_and_sees_its_url_once(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    viewer = browser_as("viewer@example.com")
    assert "no feed of this program yet" in viewer.get(_page(cast))
    response = viewer.post(f"{_page(cast)}/feeds")
    assert response.status_code == 201, response.text
    url = re.search(r'value="(http://testserver/feeds/[^"]+\.ics)"', response.text)
    assert url is not None
    feed = viewer.client.get(url.group(1).removeprefix("http://testserver"))
    assert feed.status_code == 200
    calendar = icalendar.Calendar.from_ical(feed.content)
    assert calendar["version"] == "2.0" and "CLOUD" in str(calendar["x-wr-calname"])
    again = viewer.get(_page(cast))
    assert url.group(1) not in again and 'data-testid="program-feeds"' in again


def test_a_personal_feed_is_made_and_revoked_from_the_page(
    cast: Cast, browser_as: Callable[[str], Browser], db: Session
) -> None:
    member = browser_as("member@example.com")
    response = member.post(f"{_page(cast)}/feeds/personal")
    assert response.status_code == 201 and "Your personal feed" in response.text
    path = re.search(r'value="http://testserver(/feeds/[^"]+\.ics)"', response.text)
    assert path is not None
    feed = db.scalars(select(CalendarFeed)).one()
    assert feed.user_id is not None and feed.program_id is None
    assert 'data-testid="personal-feeds"' in member.get(_page(cast))
    revoked = member.post(f"{_page(cast)}/feeds/{feed.id}/revoke")
    assert revoked.status_code == 303 and "saved=revoked" in revoked.headers["location"]
    assert member.client.get(path.group(1)).status_code == 404
    assert 'data-testid="personal-feeds"' not in member.get(_page(cast))


def test_another_persons_feed_cannot_be_revoked(
    cast: Cast, browser_as: Callable[[str], Browser], db: Session
) -> None:
    assert browser_as("viewer@example.com").post(f"{_page(cast)}/feeds").status_code == 201
    feed_id = db.scalars(select(CalendarFeed.id)).one()
    response = browser_as("manager@example.com").post(f"{_page(cast)}/feeds/{feed_id}/revoke")
    assert response.status_code == 404
    db.expire_all()
    assert db.get(CalendarFeed, feed_id).revoked_at is None


def test_a_form_without_its_security_token_is_refused_and_writes_nothing(
    cast: Cast, browser_as: Callable[[str], Browser], db: Session
) -> None:
    manager = browser_as("manager@example.com")
    assert manager.post(f"{_page(cast)}/feeds", csrf=False).status_code == 403
    hook = manager.post(f"{_page(cast)}/webhooks", {"url": "http://example.com/"}, csrf=False)
    assert hook.status_code == 403
    assert _count(db, CalendarFeed) == 0 and _count(db, WebhookSubscription) == 0


def test_only_managers_see_and_change_webhooks(
    cast: Cast, browser_as: Callable[[str], Browser], db: Session
) -> None:
    for email in ("viewer@example.com", "member@example.com"):
        person = browser_as(email)
        page = person.get(_page(cast))
        assert 'data-testid="webhooks-managers-only"' in page
        assert 'data-testid="add-hook-form"' not in page
        refused = person.post(f"{_page(cast)}/webhooks", {"url": "https://example.com/hook"})
        assert refused.status_code == 403
    assert 'data-testid="add-hook-form"' in browser_as("manager@example.com").get(_page(cast))
    outsider = browser_as("outsider@example.com")
    assert outsider.client.get(_page(cast)).status_code == 404
    assert outsider.post(f"{_page(cast)}/feeds").status_code == 404
    assert _count(db, CalendarFeed) == 0 and _count(db, WebhookSubscription) == 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": "http://127.0.0.1:9/hook"}, "url", "private, loopback or link-local"),
        ({"url": "ftp://example.com/hook"}, "url", "must be an http:// or https:// URL"),
        ({"url": ""}, "url", "Required."),
        (
            {"url": "http://10.0.0.5/hook", "events": ["report.issued", "nope.never"]},
            "events",
            "unknown event(s) nope.never",
        ),
    ],
)
def test_a_refused_webhook_is_explained_in_the_form_and_nothing_is_written(
    cast: Cast,
    browser_as: Callable[[str], Browser],
    db: Session,
    data: dict[str, object],
    field: str,
    message: str,
) -> None:
    response = browser_as("manager@example.com").post(f"{_page(cast)}/webhooks", data)
    assert response.status_code == 422, response.text
    error = re.search(rf'id="h-{field}-error"[^>]*>.*?<span>([^<]+)</span>', response.text)
    assert error is not None and message.lower() in error.group(1).lower()
    assert f'value="{data["url"]}"' in response.text  # what was typed is kept
    assert _count(db, WebhookSubscription) == 0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def test_a_manager_adds_a_webhook_tests_it_and_reads_the_delivery_log(
    cast: Cast,
    browser_as: Callable[[str], Browser],
    db: Session,
    app: FastAPI,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(app.state.settings, "webhooks_allow_private", True)
    manager = browser_as("manager@example.com")
    added = manager.post(
        f"{_page(cast)}/webhooks",
        {"url": receiver.url, "events": ["report.issued", "risk.escalated"], "slack": "1"},
    )
    assert added.status_code == 201, added.text
    hook = db.scalars(select(WebhookSubscription)).one()
    assert hook.events == ["report.issued", "risk.escalated"] and hook.format.value == "slack"
    assert f'value="{hook.secret}"' in added.text
    page = manager.get(_page(cast))
    assert hook.secret not in page and receiver.url in page and "None yet" in page

    log = f"{_page(cast)}/webhooks/{hook.id}"
    queued = manager.post(f"{log}/test")
    assert queued.status_code == 303 and queued.headers["location"] == f"{log}?saved=test"
    assert 'data-status="pending"' in manager.get(log)
    assert webhook_delivery.deliver_pending(db, allow_private=True).delivered == 1
    db.commit()
    delivered = manager.get(log)
    row = re.search(r'<tr data-delivery-id="\d+" data-status="delivered">.*?</tr>', delivered, re.S)
    assert row is not None and "ping" in row.group(0) and "HTTP 200" in row.group(0)
    assert len(receiver.received) == 1
    assert 'data-status="delivered"' in manager.get(_page(cast))

    removed = manager.post(f"{log}/delete")
    assert removed.status_code == 303
    assert _count(db, WebhookSubscription) == 0 and _count(db, WebhookDelivery) == 0
    assert manager.client.get(log).status_code == 404


def test_a_webhook_is_only_reached_under_its_own_program(
    cast: Cast, browser_as: Callable[[str], Browser], db: Session
) -> None:
    other = make_program(db, key="OTHER")
    add_member(db, other, cast.manager.user, Role.MANAGER)
    hook = _private_hook(db, other.id)
    manager = browser_as("manager@example.com")
    assert manager.client.get(f"{_page(cast)}/webhooks/{hook.id}").status_code == 404
    assert manager.post(f"{_page(cast)}/webhooks/{hook.id}/delete").status_code == 404
    assert manager.client.get(f"/programs/{other.id}/integrations/webhooks/{hook.id}").is_success
    assert _count(db, WebhookSubscription) == 1


def test_revoking_a_feed_asks_first_in_its_row(
    cast: Cast, browser_as: Callable[[str], Browser], db: Session
) -> None:
    viewer = browser_as("viewer@example.com")
    assert viewer.post(f"{_page(cast)}/feeds").status_code == 201
    feed = db.scalars(select(CalendarFeed)).one()
    page = viewer.get(_page(cast))
    # the row's Revoke is a link to the confirmation, not a form that revokes at once
    assert f'href="{_page(cast)}?revoke={feed.id}"' in page
    assert f'action="{_page(cast)}/feeds/{feed.id}/revoke"' not in page
    asking = viewer.get(f"{_page(cast)}?revoke={feed.id}")
    confirm = re.search(r'<form [^>]*data-testid="revoke-confirm".*?</form>', asking, re.S)
    assert confirm is not None
    assert f'action="{_page(cast)}/feeds/{feed.id}/revoke"' in confirm.group(0)
    assert "stop updating" in confirm.group(0) and "data-focus-after-swap" in confirm.group(0)
    db.expire_all()
    assert db.get(CalendarFeed, feed.id).revoked_at is None  # asking revokes nothing
    assert viewer.post(f"{_page(cast)}/feeds/{feed.id}/revoke").status_code == 303
    # a feed that is not the viewer's is not offered
    assert 'data-testid="revoke-confirm"' not in viewer.get(f"{_page(cast)}?revoke=999999")


def test_deleting_a_webhook_asks_first(
    cast: Cast, browser_as: Callable[[str], Browser], db: Session
) -> None:
    hook = _private_hook(db, cast.program.id)
    manager = browser_as("manager@example.com")
    log = f"{_page(cast)}/webhooks/{hook.id}"
    page = manager.get(log)
    assert f'href="{log}?delete=1"' in page and f'action="{log}/delete"' not in page
    asking = manager.get(f"{log}?delete=1")
    confirm = re.search(r'<form [^>]*data-testid="delete-confirm".*?</form>', asking, re.S)
    assert confirm is not None and f'action="{log}/delete"' in confirm.group(0)
    assert "cannot be undone" in confirm.group(0) and "data-focus-after-swap" in confirm.group(0)
    assert _count(db, WebhookSubscription) == 1
    assert manager.post(f"{log}/delete").status_code == 303
    assert _count(db, WebhookSubscription) == 0


def test_the_one_time_secrets_take_the_focus(
    cast: Cast,
    browser_as: Callable[[str], Browser],
    app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(app.state.settings, "webhooks_allow_private", True)
    manager = browser_as("manager@example.com")
    feed = manager.post(f"{_page(cast)}/feeds")
    assert re.search(r'data-testid="new-feed"[^>]*data-focus-after-swap', feed.text)
    hook = manager.post(f"{_page(cast)}/webhooks", {"url": "http://10.0.0.1/hook"})
    assert re.search(r'data-testid="new-hook"[^>]*data-focus-after-swap', hook.text)


def test_a_scenarios_copy_offers_no_program_feed_or_webhook_and_says_why(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    scenario = cast.manager.post(
        f"/api/v1/programs/{cast.program.id}/scenarios", json={"name": "Slip the pilot"}
    ).json()
    copy = f"/programs/{scenario['copy_program_id']}/integrations"
    page = browser_as("manager@example.com").get(copy)
    assert 'data-testid="copy-feed-note"' in page and 'data-testid="copy-webhook-note"' in page
    assert f'href="/programs/{cast.program.id}/integrations#feeds"' in page
    assert f'action="{copy}/feeds"' not in page and 'data-testid="add-hook-form"' not in page
    assert f'action="{copy}/feeds/personal"' in page  # a personal feed is not the copy's
    live = browser_as("manager@example.com").get(_page(cast))
    assert 'data-testid="copy-feed-note"' not in live and 'data-testid="add-hook-form"' in live


def test_a_manager_pauses_and_resumes_a_webhook_and_a_stale_form_changes_nothing(
    cast: Cast, browser_as: Callable[[str], Browser], db: Session
) -> None:
    hook = _private_hook(db, cast.program.id)
    manager = browser_as("manager@example.com")
    log = f"{_page(cast)}/webhooks/{hook.id}"
    page = manager.get(log)
    assert f'action="{log}/pause"' in page and 'name="version" value="1"' in page
    paused = manager.post(f"{log}/pause", {"version": "1"})
    assert (paused.status_code, paused.headers["location"]) == (303, f"{log}?saved=paused")
    page = manager.get(f"{log}?saved=paused")
    assert "Webhook paused" in page and "<strong>Paused</strong>" in page
    assert f'action="{log}/resume"' in page
    assert f'action="{log}/test"' not in page and "resume it to send a test event" in page
    assert 'data-testid="hook-paused"' in manager.get(_page(cast))

    stale = manager.post(f"{log}/resume", {"version": "1"})  # read before the pause
    assert stale.status_code == 412 and "changed by someone else" in stale.text
    db.expire_all()
    assert db.get(WebhookSubscription, hook.id).active is False  # type: ignore[union-attr]
    assert manager.post(f"{log}/resume", {"version": "2"}).status_code == 303
    db.expire_all()
    assert db.get(WebhookSubscription, hook.id).active is True  # type: ignore[union-attr]
    viewer = browser_as("viewer@example.com")
    assert viewer.post(f"{log}/pause", {"version": "3"}).status_code == 403


def test_a_manager_changes_a_webhooks_events_and_format_and_a_stale_form_stays_stale(
    cast: Cast, browser_as: Callable[[str], Browser], db: Session
) -> None:
    hook = _private_hook(db, cast.program.id)
    secret = hook.secret
    manager = browser_as("manager@example.com")
    log = f"{_page(cast)}/webhooks/{hook.id}"
    page = manager.get(log)
    assert f'action="{log}/edit"' in page and 'value="http://10.0.0.1/"' in page

    refused = manager.post(f"{log}/edit", {"url": "http://[zz]/", "version": "1"})
    assert refused.status_code == 422 and "not a URL Podium can send to" in refused.text
    assert 'value="http://[zz]/"' in refused.text  # what was typed stays in the form
    changed = manager.post(
        f"{log}/edit",
        {
            "url": "https://93.184.215.14/a",
            "events": ["alert.raised"],
            "slack": "1",
            "version": "1",
        },
    )
    assert (changed.status_code, changed.headers["location"]) == (303, f"{log}?saved=changed")
    db.expire_all()
    hook = db.get(WebhookSubscription, hook.id)  # type: ignore[assignment]
    assert (hook.url, hook.events, hook.format.value) == (
        "https://93.184.215.14/a",
        ["alert.raised"],
        "slack",
    )
    assert hook.secret == secret and hook.version == 2

    stale = manager.post(f"{log}/edit", {"url": "https://93.184.215.14/b", "version": "1"})
    assert stale.status_code == 412 and "changed by someone else" in stale.text
    assert (
        'value="https://93.184.215.14/b"' in stale.text and 'name="version" value="1"' in stale.text
    )
    again = manager.post(f"{log}/edit", {"url": "https://93.184.215.14/b", "version": "1"})
    assert again.status_code == 412  # saved again as it is, it is refused again
    db.expire_all()
    assert db.get(WebhookSubscription, hook.id).url == "https://93.184.215.14/a"  # type: ignore[union-attr]
