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
    probe = app_client.head(path)  # calendar applications ask with HEAD first
    assert (probe.status_code, probe.content) == (200, b"")
    assert probe.headers["content-type"] == "text/calendar; charset=utf-8"

    code, out = podium("feed", "list", "--user", "vic@example.com")
    assert code == 0, out
    (row,) = [line for line in out.splitlines() if "CLOUD" in line]
    feed_id = re.findall(r"\d+", row)[0]  # the first column
    assert "program" in row and path.removeprefix("/feeds/")[:12] in row
    code, out = podium("feed", "list", "--as", "ana@example.com")
    assert "ana@example.com has made no feed yet" in out

    code, out = podium("feed", "revoke", feed_id, "--as", "ana@example.com")
    assert code == 1 and "not found" in out  # someone else's
    code, out = podium("feed", "revoke", feed_id, "--as", "vic@example.com")
    assert code == 0 and f"Revoked feed {feed_id}" in out
    assert app_client.get(path).status_code == 404
    assert app_client.head(path).status_code == 404


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
    assert "the events are alert.raised, alert.resolved" in " ".join(out.split())

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


def test_a_webhook_is_paused_resumed_and_changed(
    people: None, db: Session, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PODIUM_WEBHOOKS_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    code, out = podium("webhook", "add", "CLOUD", receiver.url, "--as", "ana@example.com")
    assert code == 0, out
    hook = db.scalars(select(WebhookSubscription)).one()
    hook_id, secret = str(hook.id), hook.secret

    code, out = podium("webhook", "pause", hook_id, "--as", "vic@example.com")
    assert code == 1 and "manager or above" in out
    code, out = podium("webhook", "test", hook_id)  # queued before the pause
    code, out = podium("webhook", "pause", hook_id, "--as", "ana@example.com")
    assert code == 0 and f"Webhook {hook_id} paused" in out
    code, out = podium("webhook", "list", "CLOUD")
    assert "(paused)" in out
    code, out = podium("webhook", "deliver")
    assert "delivered 0" in out and receiver.received == []
    code, out = podium("webhook", "resume", hook_id)
    assert code == 0 and "resumed" in out
    code, out = podium("webhook", "deliver")
    assert "delivered 1" in out and len(receiver.received) == 1

    code, out = podium("webhook", "set", hook_id, "--event", "risk.escalated", "--format", "slack")
    assert code == 0 and "risk.escalated →" in out and "(slack)" in out, out
    db.expire_all()
    hook = db.get(WebhookSubscription, int(hook_id))
    assert hook is not None
    assert (hook.events, hook.format.value, hook.secret) == (["risk.escalated"], "slack", secret)
    for args, message in [
        (["--url", "http://[zz]/"], "is not a URL Podium can send to"),
        (["--url", "http://example.com:99999/"], "is not a URL Podium can send to"),
        (["--url", "http://example.com/" + "a" * 2000], "longer than 2000 characters"),
        (["--format", "xml"], "--format must be one of json, slack"),
        (["--event", "a.b", "--every-event"], "not both"),
        ([], "nothing to change"),
    ]:
        code, out = podium("webhook", "set", hook_id, *args)
        assert code == 1 and message in " ".join(out.split()), (args, out)
    code, out = podium("webhook", "set", hook_id, "--every-event")
    assert code == 0 and "alert.raised" in out


def test_the_worker_waits_out_a_database_that_does_not_answer(
    people: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from podium.services import webhook_delivery

    passes: list[str] = []

    def deliver(*_args: object, **_kw: object) -> webhook_delivery.DeliveryRun:
        passes.append("pass")
        if len(passes) == 1:
            raise OperationalError("SELECT …", {}, Exception("database is locked"))
        return webhook_delivery.DeliveryRun(delivered=0, retried=0, failed=0)

    def sleep(_seconds: float) -> None:
        if len(passes) == 2:
            raise KeyboardInterrupt  # the operator stops the worker

    monkeypatch.setattr(webhook_delivery, "deliver_pending", deliver)
    monkeypatch.setattr("time.sleep", sleep)
    result = runner.invoke(app, ["webhook", "deliver", "--loop", "--interval", "1"])
    assert passes == ["pass", "pass"]
    assert "the database did not answer (database is locked); trying again" in result.output
    assert "delivered 0" in result.output

    passes.clear()
    code, out = podium("webhook", "deliver")
    assert code == 1 and "the database did not answer: database is locked" in out
