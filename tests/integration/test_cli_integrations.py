"""`podium feed …` and `podium webhook …` on a real database, with the app serving the feeds
and a local receiver taking the webhooks."""

from __future__ import annotations

import re
from collections.abc import Iterator

import icalendar
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.config import get_settings
from podium.models import CalendarFeed, Role, WebhookSubscription
from tests.factories import add_member, make_program, make_user
from tests.integration.test_webhooks import Receiver

pytestmark = pytest.mark.db

runner = CliRunner()


@pytest.fixture
def people(cli_env: None, db: Session) -> None:
    ana = make_user(db, email="ana@example.com")
    program = make_program(db, owner=ana, key="CLOUD")
    add_member(db, program, make_user(db, email="vic@example.com"), Role.VIEWER)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def podium(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _path(out: str) -> str:
    found = re.search(r"https://podium\.example\.com(/feeds/\S+\.ics)", out)
    assert found is not None, out
    return found.group(1)


def test_a_program_feed_is_made_listed_read_and_revoked(
    people: None, app_client: TestClient
) -> None:
    code, out = podium("feed", "create", "CLOUD", "--as", "vic@example.com")
    assert code == 0, out
    assert "CLOUD's milestones" in out and "shown only this once" in out
    path = _path(out)
    response = app_client.get(path)
    assert response.status_code == 200
    assert icalendar.Calendar.from_ical(response.content)["version"] == "2.0"

    code, out = podium("feed", "list", "--user", "vic@example.com")
    assert code == 0, out
    (row,) = [line for line in out.splitlines() if "CLOUD" in line]
    feed_id = re.findall(r"\d+", row)[0]  # the first column
    assert "program" in row and path.removeprefix("/feeds/")[:12] in row
    code, out = podium("feed", "list", "--as", "ana@example.com")
    assert "0 feeds" in out

    code, out = podium("feed", "revoke", feed_id, "--as", "ana@example.com")
    assert code == 1 and "not found" in out  # someone else's
    code, out = podium("feed", "revoke", feed_id, "--as", "vic@example.com")
    assert code == 0 and f"Revoked feed {feed_id}" in out
    assert app_client.get(path).status_code == 404


def test_a_personal_feed_and_the_choices_refused(people: None, db: Session) -> None:
    code, out = podium("feed", "create", "--personal", "--user", "ana@example.com")
    assert code == 0 and "the tasks assigned to ana@example.com" in out
    feed = db.scalars(select(CalendarFeed)).one()
    assert feed.program_id is None and feed.user_id is not None
    for args in (
        ("CLOUD",),  # no person
        ("CLOUD", "--personal", "--as", "ana@example.com"),
        ("--as", "ana@example.com"),
    ):
        code, out = podium("feed", "create", *args)
        assert code == 1, out
    code, out = podium("feed", "create", "CLOUD", "--as", "nobody@example.com")
    assert code == 1 and "no user with email" in out
    code, out = podium("feed", "create", "CLOUD", "--as", "ana@example.com", "--base-url", "x")
    assert code == 1 and "--base-url must be an http:// or https:// address" in out
    assert db.scalar(select(func.count()).select_from(CalendarFeed)) == 1


def test_a_webhook_is_added_tested_delivered_logged_and_removed(
    people: None, db: Session, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = podium("webhook", "add", "CLOUD", receiver.url, "--as", "ana@example.com")
    assert code == 1 and "private, loopback or link-local" in out
    code, out = podium("webhook", "add", "CLOUD", "https://example.com/", "--as", "vic@example.com")
    assert code == 1 and "manager or above" in out
    assert db.scalar(select(func.count()).select_from(WebhookSubscription)) == 0

    monkeypatch.setenv("PODIUM_WEBHOOKS_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    code, out = podium(
        "webhook", "add", "CLOUD", receiver.url, "--event", "report.issued", "--slack"
    )
    assert code == 0, out
    hook = db.scalars(select(WebhookSubscription)).one()
    assert "Signing secret" in out and f"\n{hook.secret}\n" in out
    assert hook.events == ["report.issued"] and hook.format.value == "slack"
    hook_id = str(hook.id)
    code, out = podium("webhook", "add", "CLOUD", receiver.url, "--event", "nope")
    assert code == 1 and "unknown event(s) nope" in out

    code, out = podium("webhook", "list", "CLOUD")
    assert code == 0 and receiver.url in out and "slack" in out and "1 webhook" in out

    code, out = podium("webhook", "test", hook_id)
    assert code == 0, out
    code, out = podium("webhook", "deliveries", hook_id)
    assert re.search(r"\bping\b.*\bpending\b", out), out
    code, out = podium("webhooks", "deliver")  # the worker's first spelling
    assert code == 0 and "delivered 1" in out
    assert len(receiver.received) == 1
    code, out = podium("webhook", "deliveries", hook_id)
    assert re.search(r"\bping\b.*\bdelivered\b.*HTTP 200", out), out
    code, out = podium("webhook", "list", "CLOUD")
    assert "ping delivered" in out

    code, out = podium("webhook", "remove", hook_id)
    assert code == 0, out
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(WebhookSubscription)) == 0
    code, out = podium("webhook", "deliveries", hook_id)
    assert code == 1 and "not found" in out
