"""Sending webhook deliveries: signed POSTs, tried again with backoff, each on record.

Every POST carries ``X-Podium-Signature: t=<unix time>,v1=<hex>``, the HMAC-SHA256
of ``f"{t}.{body}"`` under the subscription's secret (and a second ``v1`` under the
secret it replaced, while a roll's grace period lasts: :mod:`webhook_secrets`). A
failed delivery is tried again after 1, 2, 4 … minutes and given up after
:data:`MAX_ATTEMPTS`. Each attempt goes only to addresses checked as it is made
(:mod:`webhook_urls`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from podium.errors import PodiumError
from podium.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookFormat,
    WebhookSubscription,
    utcnow,
)
from podium.services.webhook_secrets import signature
from podium.services.webhook_slack import slack_message
from podium.services.webhook_urls import Resolver, pinned_request, resolve_host

MAX_ATTEMPTS = 8
BACKOFF = timedelta(minutes=1)
TIMEOUT_SECONDS = 10.0  # each connect, read and write
ANSWER_DEADLINE_SECONDS = 30.0  # the whole answer's headers
SIGNATURE_HEADER = "X-Podium-Signature"


@dataclass(frozen=True)
class _Outgoing:
    """What one attempt sends, read from the database before anything leaves."""

    url: str
    secret: str
    body: bytes
    headers: dict[str, str]
    # the secret a roll replaced, and until when it signs too
    previous: tuple[str, datetime] | None = None

    def keys(self, at: datetime) -> list[str]:
        """The secrets a request sent at ``at`` is signed with, the current one first."""
        if self.previous and at < self.previous[1]:
            return [self.secret, self.previous[0]]
        return [self.secret]


@dataclass(frozen=True)
class _Answer:
    """What one attempt got back: a status code, or why there is none."""

    status_code: int | None
    error: str
    tried_at: datetime


def _outgoing(
    session: Session,
    delivery: WebhookDelivery,
    subscription: WebhookSubscription,
    base_url: str | None,
) -> _Outgoing:
    payload: dict[str, Any] = dict(delivery.payload)
    if subscription.format == WebhookFormat.SLACK:
        payload = slack_message(session, payload, base_url=base_url)
    else:
        payload["delivery_id"] = delivery.id
    previous = None
    if subscription.previous_secret and subscription.previous_secret_expires_at:
        previous = (subscription.previous_secret, subscription.previous_secret_expires_at)
    return _Outgoing(
        url=subscription.url,
        secret=subscription.secret,
        previous=previous,
        body=json.dumps(payload, separators=(",", ":"), sort_keys=True).encode(),
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Podium-Webhooks/1",
            "X-Podium-Event": delivery.event,
            "X-Podium-Delivery": str(delivery.id),
        },
    )


@dataclass(frozen=True)
class DeliveryRun:
    """What one pass of the worker did."""

    delivered: int
    retried: int
    failed: int


def deliver_pending(
    session: Session,
    *,
    clock: Callable[[], datetime] = utcnow,
    client: httpx.Client | None = None,
    allow_private: bool = False,
    base_url: str | None = None,
    resolve: Resolver = resolve_host,
    limit: int = 100,
    answer_within: float = ANSWER_DEADLINE_SECONDS,
) -> DeliveryRun:
    """POST every due delivery once; reschedule failures with exponential backoff.

    Each delivery is its own transaction, committed as soon as its answer is in: no
    transaction is open while a receiver answers (so a slow receiver never holds the
    database), and a delivery made is on record before the next one leaves. A receiver
    that still has to finish a delivery when the worker stops gets it again (the
    ``X-Podium-Delivery`` id tells it so). ``clock`` is read once to pick what is due,
    then again as each delivery is sent: its signature carries the moment it leaves.
    ``base_url`` (the address people reach Podium at) lets Slack messages link to records.
    """
    now = clock()
    due = list(
        session.scalars(
            select(WebhookDelivery.id)
            .join(WebhookSubscription)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
                WebhookSubscription.active.is_(True),  # a paused one keeps its queue
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
    )
    _forget_ended_secrets(session, now)
    session.commit()
    own = client is None
    http = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
    outcomes = {DeliveryStatus.DELIVERED: 0, DeliveryStatus.PENDING: 0, DeliveryStatus.FAILED: 0}
    try:
        for delivery_id in due:
            delivery = session.get(WebhookDelivery, delivery_id, populate_existing=True)
            subscription = delivery and session.get(
                WebhookSubscription, delivery.subscription_id, populate_existing=True
            )
            if delivery is None or delivery.status != DeliveryStatus.PENDING or not subscription:
                session.commit()
                continue  # removed with its webhook, or sent by another worker
            if not subscription.active:
                session.commit()
                continue  # paused since the pass began
            outgoing = _outgoing(session, delivery, subscription, base_url)
            session.commit()  # only read so far: nothing stays open while the receiver answers
            answer = _send(
                http,
                outgoing,
                clock=clock,
                allow_private=allow_private,
                resolve=resolve,
                answer_within=answer_within,
            )
            delivery = session.get(WebhookDelivery, delivery_id, populate_existing=True)
            if delivery is None:
                session.commit()
                continue  # its webhook was removed while it was on its way
            _record(delivery, answer)
            session.commit()
            outcomes[delivery.status] += 1
    finally:
        if own:
            http.close()
    return DeliveryRun(
        delivered=outcomes[DeliveryStatus.DELIVERED],
        retried=outcomes[DeliveryStatus.PENDING],
        failed=outcomes[DeliveryStatus.FAILED],
    )


def _forget_ended_secrets(session: Session, now: datetime) -> None:
    """Drop the replaced secrets whose grace period is over: none is kept longer than it
    signs (not a change of the subscription a manager made, so its version stays)."""
    session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.previous_secret_expires_at <= now)
        .values(previous_secret=None, previous_secret_expires_at=None)
        .execution_options(synchronize_session=False)
    )


def _status_of(http: httpx.Client, request: httpx.Request) -> int:
    """The answer's status code; its body is never read (a receiver may send gigabytes)."""
    response = http.send(request, stream=True)
    try:
        return response.status_code
    finally:
        response.close()


def _status_within(http: httpx.Client, request: httpx.Request, seconds: float) -> int:
    """:func:`_status_of`, given up after ``seconds`` in all.

    httpx's timeout bounds each read, not the whole answer: a receiver that sends one byte
    every few seconds would hold the worker for ever. The request runs in a thread of its
    own that is left behind when the time is up (its reads still time out on their own).
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["status"] = _status_of(http, request)
        except BaseException as exc:  # handed to the waiting thread
            box["error"] = exc

    sender = threading.Thread(target=run, name="webhook-delivery", daemon=True)
    sender.start()
    sender.join(seconds)
    if sender.is_alive():
        raise httpx.TimeoutException(f"no complete answer within {seconds:g} s")
    if "error" in box:
        raise box["error"]
    status: int = box["status"]
    return status


def _send(
    http: httpx.Client,
    outgoing: _Outgoing,
    *,
    clock: Callable[[], datetime],
    allow_private: bool,
    resolve: Resolver,
    answer_within: float,
) -> _Answer:
    """One attempt at one delivery; touches no database."""
    tried_at = clock()
    try:
        request = pinned_request(
            http,
            outgoing.url,
            body=outgoing.body,
            headers=dict(outgoing.headers),
            allow_private=allow_private,
            resolve=resolve,
        )
        # signed last, as it leaves: receivers hold the timestamp to a tolerance window
        tried_at = clock()
        request.headers[SIGNATURE_HEADER] = signature(
            outgoing.body, int(tried_at.timestamp()), outgoing.keys(tried_at)
        )
        status_code = _status_within(http, request, answer_within)
    except httpx.HTTPError as exc:
        return _Answer(None, f"{type(exc).__name__}: {exc}"[:1000], tried_at)
    except PodiumError as exc:  # a refused URL: keep the reason in the log
        return _Answer(None, exc.message[:1000], tried_at)
    except Exception as exc:  # a URL httpx cannot read: the reason goes in the log too
        return _Answer(None, f"{type(exc).__name__}: {exc}"[:1000], tried_at)
    if 200 <= status_code < 300:
        return _Answer(status_code, "", tried_at)
    return _Answer(status_code, f"HTTP {status_code}", tried_at)


def _record(delivery: WebhookDelivery, answer: _Answer) -> None:
    """Write one attempt's outcome on its delivery: delivered, or when to try again."""
    delivery.attempts += 1
    delivery.last_status_code = answer.status_code
    delivery.last_error = answer.error
    if answer.status_code is not None and not answer.error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = answer.tried_at
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = answer.tried_at + BACKOFF * 2 ** (delivery.attempts - 1)
