"""Webhooks to a local receiver: signed POSTs, backoff, giving up, private URLs refused."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.errors import ValidationFailed
from podium.models import DeliveryStatus, Program, WebhookDelivery, WebhookFormat, utcnow
from podium.services import events, webhooks
from podium.services.actor import SYSTEM
from tests.factories import make_program, make_user

pytestmark = pytest.mark.db


class Receiver:
    def __init__(self) -> None:
        self.status = 200
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def program(db: Session) -> Program:
    return make_program(db, owner=make_user(db, email="owner@example.com"), key="CLOUD")


def _subscribe(db: Session, program: Program, url: str, **kw: object) -> str:
    sub = webhooks.subscribe(
        db,
        SYSTEM,
        program.id,
        url=url,
        events=[],
        allow_private=True,
        **kw,  # type: ignore[arg-type]
    )
    db.commit()
    return sub.secret


def test_a_delivery_is_signed_with_the_subscription_secret(
    db: Session, program: Program, receiver: Receiver
) -> None:
    secret = _subscribe(db, program, receiver.url)
    events.emit(db, program.id, events.REPORT_ISSUED, {"title": "Status"})
    db.commit()
    run = webhooks.deliver_pending(db, allow_private=True)
    db.commit()
    assert run.delivered == 1
    ((headers, body),) = receiver.received
    t, v1 = (part.split("=", 1)[1] for part in headers["X-Podium-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(v1, expected)
    assert b'"event":"report.issued"' in body
    delivery = db.scalars(select(WebhookDelivery)).one()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.last_status_code == 200


def test_failures_back_off_exponentially_and_give_up(
    db: Session, program: Program, receiver: Receiver
) -> None:
    receiver.status = 500
    _subscribe(db, program, receiver.url)
    events.emit(db, program.id, events.ALERT_RAISED, {"title": "M3 slips"})
    db.commit()
    now = utcnow()
    waits = []
    for _ in range(webhooks.MAX_ATTEMPTS):
        webhooks.deliver_pending(db, now=now, allow_private=True)
        db.commit()
        delivery = db.scalars(select(WebhookDelivery)).one()
        assert webhooks.deliver_pending(db, now=now, allow_private=True).retried == 0
        if delivery.next_attempt_at is None:
            break
        waits.append(delivery.next_attempt_at - now)
        now = delivery.next_attempt_at
    assert waits[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == webhooks.MAX_ATTEMPTS == len(receiver.received)
    assert delivery.last_status_code == 500 and delivery.last_error == "HTTP 500"


def test_slack_format_sends_text(db: Session, program: Program, receiver: Receiver) -> None:
    _subscribe(db, program, receiver.url, format=WebhookFormat.SLACK)
    events.emit(db, program.id, events.RISK_ESCALATED, {"title": "Vendor late"})
    db.commit()
    webhooks.deliver_pending(db, allow_private=True)
    db.commit()
    ((_headers, body),) = receiver.received
    assert b'"text":"*risk.escalated* in ' in body and b"Vendor late" in body


def test_private_and_loopback_addresses_are_refused_by_default(
    db: Session, program: Program
) -> None:
    for url in ("http://127.0.0.1:9/hook", "http://10.0.0.5/hook", "http://169.254.169.254/"):
        with pytest.raises(ValidationFailed, match="private"):
            webhooks.subscribe(db, SYSTEM, program.id, url=url, events=[])
    with pytest.raises(ValidationFailed, match="http"):
        webhooks.subscribe(db, SYSTEM, program.id, url="ftp://example.com/", events=[])


def test_a_subscription_made_while_allowed_is_still_refused_when_not(
    db: Session, program: Program, receiver: Receiver
) -> None:
    _subscribe(db, program, receiver.url)
    events.emit(db, program.id, events.REPORT_ISSUED, {})
    db.commit()
    webhooks.deliver_pending(db)
    db.commit()
    assert receiver.received == []
    assert "private" in db.scalars(select(WebhookDelivery)).one().last_error
