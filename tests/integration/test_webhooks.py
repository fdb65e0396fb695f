"""Webhooks to a local receiver: signed POSTs, backoff, giving up, private URLs refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from podium.errors import ValidationFailed
from podium.models import DeliveryStatus, Program, WebhookDelivery, WebhookFormat, utcnow
from podium.services import events, webhook_delivery, webhooks
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


def _at(moment: datetime) -> Callable[[], datetime]:
    """A clock stopped at ``moment``."""
    return lambda: moment


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
    run = webhook_delivery.deliver_pending(db, allow_private=True)
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
    for _ in range(webhook_delivery.MAX_ATTEMPTS):
        webhook_delivery.deliver_pending(db, clock=_at(now), allow_private=True)
        db.commit()
        delivery = db.scalars(select(WebhookDelivery)).one()
        assert webhook_delivery.deliver_pending(db, clock=_at(now), allow_private=True).retried == 0
        if delivery.next_attempt_at is None:
            break
        waits.append(delivery.next_attempt_at - now)
        now = delivery.next_attempt_at
    assert waits[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == webhook_delivery.MAX_ATTEMPTS == len(receiver.received)
    assert delivery.last_status_code == 500 and delivery.last_error == "HTTP 500"


def test_slack_format_sends_text(db: Session, program: Program, receiver: Receiver) -> None:
    _subscribe(db, program, receiver.url, format=WebhookFormat.SLACK)
    escalation = {"risk_id": 424242, "title": "Vendor late", "from": "project", "to": "program"}
    events.emit(db, program.id, events.RISK_ESCALATED, escalation)
    db.commit()
    webhook_delivery.deliver_pending(db, allow_private=True, base_url="https://podium.example.com")
    db.commit()
    ((_headers, body),) = receiver.received
    text = json.loads(body)["text"]
    assert text == (
        "[CLOUD Cloud migration] Risk *Vendor late* escalated from project to program "
        "<https://podium.example.com/risks/424242|Open in Podium>"
    )


def test_each_delivery_is_signed_with_the_moment_it_is_sent(
    db: Session, program: Program, receiver: Receiver
) -> None:
    _subscribe(db, program, receiver.url)
    for n in range(3):
        events.emit(db, program.id, events.REPORT_ISSUED, {"report_id": n})
    db.commit()
    start = utcnow()
    reads: list[datetime] = []

    def clock() -> datetime:
        """Ten minutes pass at every reading, as if each delivery took that long."""
        reads.append(start + timedelta(minutes=10 * len(reads)))
        return reads[-1]

    assert webhook_delivery.deliver_pending(db, clock=clock, allow_private=True).delivered == 3
    db.commit()
    stamps = [int(h["X-Podium-Signature"].split(",")[0][2:]) for h, _body in receiver.received]
    assert len(set(stamps)) == 3 and stamps == sorted(stamps)
    assert stamps[-1] - stamps[0] >= 20 * 60
    # each one is the last reading before it left, the one kept as its delivery time
    sent = sorted(d.delivered_at for d in db.scalars(select(WebhookDelivery)))
    assert stamps == [int(moment.timestamp()) for moment in sent if moment is not None]


def test_private_and_loopback_addresses_are_refused_by_default(
    db: Session, program: Program
) -> None:
    for url in ("http://127.0.0.1:9/hook", "http://10.0.0.5/hook", "http://169.254.169.254/"):
        with pytest.raises(ValidationFailed, match="private"):
            webhooks.subscribe(db, SYSTEM, program.id, url=url, events=[])
    with pytest.raises(ValidationFailed, match="http"):
        webhooks.subscribe(db, SYSTEM, program.id, url="ftp://example.com/", events=[])


def test_a_name_that_resolves_to_loopback_is_refused_when_sending(
    db: Session, program: Program, receiver: Receiver
) -> None:
    _subscribe(db, program, receiver.url.replace("127.0.0.1", "localhost"))
    events.emit(db, program.id, events.REPORT_ISSUED, {})
    db.commit()
    assert webhook_delivery.deliver_pending(db).retried == 1
    db.commit()
    assert receiver.received == []
    assert "localhost is a private" in db.scalars(select(WebhookDelivery)).one().last_error


class Rebinding:
    """A DNS answer that is public when asked first and loopback from then on."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, host: str) -> list[str]:
        self.asked.append(host)
        return ["93.184.215.14"] if len(self.asked) == 1 else ["127.0.0.1"]


def test_the_request_goes_to_the_address_that_was_checked(db: Session, program: Program) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    _subscribe(db, program, "https://hooks.example.com:8443/podium?x=1")
    events.emit(db, program.id, events.REPORT_ISSUED, {})
    db.commit()
    resolve = Rebinding()
    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        run = webhook_delivery.deliver_pending(db, client=client, resolve=resolve)
    db.commit()
    assert run.delivered == 1 and resolve.asked == ["hooks.example.com"]
    (request,) = seen
    assert str(request.url) == "https://93.184.215.14:8443/podium?x=1"
    assert request.headers["Host"] == "hooks.example.com:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.com"


def test_a_name_rebound_to_loopback_is_refused_at_the_next_attempt(
    db: Session, program: Program
) -> None:
    seen: list[httpx.Request] = []
    _subscribe(db, program, "https://hooks.example.com/podium")
    for _ in range(2):
        events.emit(db, program.id, events.REPORT_ISSUED, {})
    db.commit()
    resolve = Rebinding()

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    transport = httpx.MockTransport(answer)
    with httpx.Client(transport=transport) as client:
        run = webhook_delivery.deliver_pending(db, client=client, resolve=resolve)
    db.commit()
    assert (run.delivered, run.retried, len(resolve.asked)) == (1, 1, 2)
    assert [r.url.host for r in seen] == ["93.184.215.14"]


def test_a_subscription_made_while_allowed_is_still_refused_when_not(
    db: Session, program: Program, receiver: Receiver
) -> None:
    _subscribe(db, program, receiver.url)
    events.emit(db, program.id, events.REPORT_ISSUED, {})
    db.commit()
    webhook_delivery.deliver_pending(db)
    db.commit()
    assert receiver.received == []
    assert "private" in db.scalars(select(WebhookDelivery)).one().last_error


def test_each_delivery_is_on_record_and_the_database_free_while_the_next_one_is_sent(
    db: Session, program: Program, engine: Engine
) -> None:
    """While a receiver answers, another connection reads the earlier deliveries as
    delivered and can write to their rows at once: no transaction stays open."""
    _subscribe(db, program, "https://hooks.example.com/podium")
    for n in range(3):
        events.emit(db, program.id, events.REPORT_ISSUED, {"report_id": n})
    db.commit()
    ids = list(db.scalars(select(WebhookDelivery.id).order_by(WebhookDelivery.id)))
    seen: list[tuple[list[str], bool]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent = int(request.headers["X-Podium-Delivery"])
        earlier = [i for i in ids if i < sent]
        with engine.connect() as other:
            statuses = [
                str(other.scalar(select(WebhookDelivery.status).where(WebhookDelivery.id == i)))
                for i in earlier
            ]
            other.rollback()
            wrote = True
            try:
                with other.begin():
                    if other.dialect.name == "sqlite":
                        other.exec_driver_sql("PRAGMA busy_timeout=300")
                    else:
                        other.exec_driver_sql("SET LOCAL lock_timeout = '300ms'")
                    for i in earlier:
                        other.execute(
                            update(WebhookDelivery)
                            .where(WebhookDelivery.id == i)
                            .values(last_error="")
                        )
            except OperationalError:
                wrote = False
            if other.dialect.name == "sqlite":
                other.exec_driver_sql("PRAGMA busy_timeout=10000")
        seen.append((statuses, wrote))
        return httpx.Response(204)

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        run = webhook_delivery.deliver_pending(
            db, client=client, resolve=lambda _h: ["93.184.215.14"]
        )
    assert run.delivered == 3, [d.last_error for d in db.scalars(select(WebhookDelivery))]
    assert seen == [([], True), (["delivered"], True), (["delivered", "delivered"], True)]


class Endless(httpx.SyncByteStream):
    """An answer body that never ends; counts what was read of it."""

    def __init__(self) -> None:
        self.read = 0

    def __iter__(self) -> Iterator[bytes]:
        while True:
            self.read += 1
            yield b"x" * 1_000_000


def test_the_answer_body_is_never_read(db: Session, program: Program) -> None:
    body = Endless()
    _subscribe(db, program, "https://hooks.example.com/podium")
    events.emit(db, program.id, events.REPORT_ISSUED, {})
    db.commit()
    with httpx.Client(
        transport=httpx.MockTransport(lambda _r: httpx.Response(200, stream=body))
    ) as c:
        run = webhook_delivery.deliver_pending(db, client=c, resolve=lambda _h: ["93.184.215.14"])
    assert run.delivered == 1 and body.read == 0


def test_a_receiver_that_does_not_finish_answering_is_given_up_on_in_time(
    db: Session, program: Program
) -> None:
    release = threading.Event()

    def answer(_request: httpx.Request) -> httpx.Response:
        release.wait(10)  # a receiver dripping its headers, byte after byte
        return httpx.Response(200)

    _subscribe(db, program, "https://hooks.example.com/podium")
    events.emit(db, program.id, events.REPORT_ISSUED, {})
    db.commit()
    try:
        with httpx.Client(transport=httpx.MockTransport(answer)) as client:
            run = webhook_delivery.deliver_pending(
                db, client=client, resolve=lambda _h: ["93.184.215.14"], answer_within=0.2
            )
    finally:
        release.set()
    delivery = db.scalars(select(WebhookDelivery)).one()
    assert run.retried == 1 and delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error == "TimeoutException: no complete answer within 0.2 s"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://[zz]/", "is not a URL Podium can send to"),
        ("http://example.com:99999/", "is not a URL Podium can send to"),
        ("http://exa mple.com/", "must not contain spaces"),
        ("http://example.com/" + "a" * 2000, "is longer than 2000 characters"),
        ("mailto:someone@example.com", "must be an http:// or https:// URL"),
    ],
)
def test_a_url_that_cannot_be_sent_to_is_refused_when_subscribing(
    db: Session, program: Program, url: str, message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message) as refused:
        webhooks.subscribe(db, SYSTEM, program.id, url=url, events=[], allow_private=True)
    assert [d["field"] for d in refused.value.details] == ["url"]
