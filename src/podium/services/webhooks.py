"""Outgoing webhooks: subscriptions, signed deliveries with backoff, the delivery log.

Every POST carries ``X-Podium-Signature: t=<unix time>,v1=<hex>``, the HMAC-SHA256
of ``f"{t}.{body}"`` under the subscription's secret (and a second ``v1`` under the
secret it replaced, while a roll's grace period lasts: :mod:`webhook_secrets`). A
failed delivery is tried again after 1, 2, 4 … minutes and given up after
:data:`MAX_ATTEMPTS`. URLs that resolve to private, loopback or link-local addresses
are refused unless the operator allows them (``PODIUM_WEBHOOKS_ALLOW_PRIVATE``); the
check is made on the addresses each attempt connects to, not only when the subscription
is made.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from podium.errors import Conflict, NotFound, PodiumError, field_error
from podium.models import (
    DeliveryStatus,
    Membership,
    Program,
    Role,
    User,
    WebhookDelivery,
    WebhookFormat,
    WebhookSubscription,
    utcnow,
)
from podium.services.actor import SYSTEM, Actor, refuse_scenario_copy, require_role, role_in
from podium.services.audit import record_change, record_created, record_deleted
from podium.services.common import apply_update, check_version, flush
from podium.services.events import EVENTS, emit, forget_subscriptions
from podium.services.webhook_secrets import (
    DEFAULT_GRACE_HOURS,
    grace_period,
    new_secret,
    roll,
    sign,
    signature,
)
from podium.services.webhook_slack import slack_message

MAX_ATTEMPTS = 8
BACKOFF = timedelta(minutes=1)
TIMEOUT_SECONDS = 10.0  # each connect, read and write
ANSWER_DEADLINE_SECONDS = 30.0  # the whole answer's headers
MAX_URL_LENGTH = 2000
SIGNATURE_HEADER = "X-Podium-Signature"
Resolver = Callable[[str], list[str]]
# what the program's history keeps of a subscription: never its secret, and of its URL
# only the scheme and host (:func:`shown_url`): the history is read by every member,
# and a URL's path can itself be a credential (a Slack incoming webhook's is)
AUDITED = ["events", "format", "active"]
SYSTEM_EMAIL = SYSTEM.email


def _resolve(host: str) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, None)]


def _public_addresses(host: str, resolve: Resolver) -> list[str]:
    """Every address ``host`` resolves to, refused if any one is not a public unicast one."""
    try:
        addresses = resolve(host)
    except OSError as exc:
        raise field_error("url", f"the host {host} cannot be resolved") from exc
    if not addresses:
        raise field_error("url", f"the host {host} cannot be resolved")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if any(not a.is_global or a.is_multicast for a in (ip, *_wrapped_ipv4(ip))):
            raise field_error(
                "url", f"the host {host} is a private, loopback or link-local address"
            )
    return addresses


NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# IPv4-compatible IPv6 (deprecated, but some stacks still route it to the IPv4 address)
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _wrapped_ipv4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries to a gateway that unwraps them (NAT64,
    6to4, Teredo, IPv4-mapped, IPv4-compatible): `64:ff9b::7f00:1` reaches 127.0.0.1
    through NAT64, `::127.0.0.1` on a stack that still routes IPv4-compatible addresses."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    wrapped = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if any(ip in network for network in (*NAT64, IPV4_COMPATIBLE)):
        wrapped.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [a for a in wrapped if a is not None]


def _host_of(url: str) -> str:
    """The host of an http(s) URL httpx can send to; a clear refusal of anything else."""
    if len(url) > MAX_URL_LENGTH:
        raise field_error("url", f"is longer than {MAX_URL_LENGTH} characters")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise field_error("url", "must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port  # reading the port checks its range
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        raise field_error("url", f"is not a URL Podium can send to ({exc})") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise field_error("url", "must be an http:// or https:// URL")
    return host


def check_url(url: str, *, allow_private: bool, resolve: Resolver = _resolve) -> None:
    """Refuse URLs that are not http(s), or that reach private or loopback addresses."""
    host = _host_of(url)
    if not allow_private:
        _public_addresses(host, resolve)


def _request(
    http: httpx.Client,
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    allow_private: bool,
    resolve: Resolver,
) -> httpx.Request:
    """The POST to send, bound to an address that was checked in this very attempt.

    Checking the name and then letting httpx resolve it again to connect leaves a gap: a
    DNS answer that changes in between (rebinding) would reach an address never checked.
    So the name is resolved once, every address is checked, and the request goes to the
    first address itself; the Host header keeps the name (httpx sets it from the URL the
    request was built with) and the ``sni_hostname`` extension makes TLS send the name
    and verify the certificate against it. Redirects are not followed.
    """
    _host_of(url)
    request = http.build_request("POST", url, content=body, headers=headers)
    if not allow_private:
        host = request.url.host
        address = _public_addresses(host, resolve)[0]
        request.url = request.url.copy_with(host=address)
        request.extensions["sni_hostname"] = host
    return request


def shown_url(url: str) -> str:
    """``https://hooks.slack.com/…``: a URL as the program's history shows it."""
    parts = urlsplit(url)
    rest = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{rest}"


def _known_events(events: Sequence[str]) -> list[str]:
    """The events chosen, sorted, or every event when none is; unknown names refused."""
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise field_error(
            "events",
            f"unknown event(s) {', '.join(unknown)}; the events are {', '.join(EVENTS)}",
        )
    return sorted(set(events)) or list(EVENTS)


def subscribe(
    session: Session,
    actor: Actor,
    program_id: int,
    *,
    url: str,
    events: list[str],
    format: WebhookFormat = WebhookFormat.JSON,
    allow_private: bool = False,
) -> WebhookSubscription:
    """A new subscription (manager); its secret is generated and shown to managers."""
    require_role(session, actor, program_id, Role.MANAGER)
    refuse_scenario_copy(session.get(Program, program_id), "subscribe to the live program")
    chosen = _known_events(events)
    check_url(url, allow_private=allow_private)
    subscription = WebhookSubscription(
        program_id=program_id,
        url=url,
        secret=new_secret(),
        events=chosen,
        format=format,
        active=True,
        created_by=actor.email,
    )
    session.add(subscription)
    flush(session)
    record_created(
        session, actor, subscription, program_id=program_id, fields=AUDITED, label=shown_url(url)
    )
    forget_subscriptions(session)
    return subscription


def list_subscriptions(
    session: Session, actor: Actor, program_id: int
) -> list[WebhookSubscription]:
    """A program's subscriptions (manager)."""
    require_role(session, actor, program_id, Role.MANAGER)
    return list(
        session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.program_id == program_id)
            .order_by(WebhookSubscription.id)
        )
    )


def get_subscription(session: Session, actor: Actor, subscription_id: int) -> WebhookSubscription:
    """One subscription (manager of its program)."""
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None or role_in(session, actor, subscription.program_id) is None:
        raise NotFound(f"webhook {subscription_id} not found")
    require_role(session, actor, subscription.program_id, Role.MANAGER)
    return subscription


def update_subscription(
    session: Session,
    actor: Actor,
    subscription_id: int,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None,
    allow_private: bool = False,
) -> WebhookSubscription:
    """Change a subscription's URL, events or format, or pause (``active`` false) and
    resume it (manager). A paused subscription is queued nothing and sends nothing; what
    was queued before the pause waits and leaves when it is resumed. The secret stays."""
    subscription = get_subscription(session, actor, subscription_id)
    check_version(subscription, expected_version)
    updates = dict(changes)
    url = updates.pop("url", subscription.url)
    if url != subscription.url:
        check_url(url, allow_private=allow_private)
        record_change(
            session,
            actor,
            program_id=subscription.program_id,
            entity_type="webhook",
            entity_id=subscription.id,
            action="update",
            changes={"url": [shown_url(subscription.url), shown_url(url)]},
            label=shown_url(url),
        )
        subscription.url = url
    if "events" in updates:
        updates["events"] = _known_events(updates["events"])
    apply_update(
        session,
        actor,
        subscription,
        updates,
        program_id=subscription.program_id,
        expected_version=None,  # checked above, before the URL changed
        label=shown_url(url),
    )
    flush(session)
    forget_subscriptions(session)
    return subscription


def roll_secret(
    session: Session,
    actor: Actor,
    subscription_id: int,
    *,
    grace_hours: int = DEFAULT_GRACE_HOURS,
    expected_version: int | None,
    now: datetime | None = None,
) -> WebhookSubscription:
    """Give a subscription a new signing secret (manager), shown to the caller once; the
    one it replaces signs every delivery too for ``grace_hours`` (0: it stops at once).
    The history records the roll and the grace period, never a secret."""
    subscription = get_subscription(session, actor, subscription_id)
    check_version(subscription, expected_version)
    changes = roll(subscription, grace=grace_period(grace_hours), now=now or utcnow())
    record_change(
        session,
        actor,
        program_id=subscription.program_id,
        entity_type="webhook",
        entity_id=subscription.id,
        action="update",
        changes=changes,
        label=shown_url(subscription.url),
    )
    flush(session)
    return subscription


def delete_subscription(session: Session, actor: Actor, subscription_id: int) -> None:
    """Remove a subscription and its delivery log."""
    subscription = get_subscription(session, actor, subscription_id)
    record_deleted(
        session,
        actor,
        subscription,
        program_id=subscription.program_id,
        fields=AUDITED,
        label=shown_url(subscription.url),
    )
    session.delete(subscription)
    flush(session)
    forget_subscriptions(session)


def list_deliveries(
    session: Session, actor: Actor, subscription_id: int, *, limit: int = 100, offset: int = 0
) -> list[WebhookDelivery]:
    """A subscription's deliveries, newest first, ``limit`` of them from ``offset``."""
    get_subscription(session, actor, subscription_id)
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def count_deliveries(session: Session, actor: Actor, subscription_id: int) -> int:
    """How many deliveries a subscription's log holds."""
    get_subscription(session, actor, subscription_id)
    return (
        session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription_id)
        )
        or 0
    )


@dataclass(frozen=True)
class Creator:
    """Who added a webhook, and where they stand now (it keeps sending whatever it is)."""

    email: str
    name: str
    standing: str  # "member", "left" (the program), "deactivated", "no_account", "system"


def creators(
    session: Session, actor: Actor, program_id: int, hooks: Sequence[WebhookSubscription]
) -> dict[int, Creator]:
    """Per subscription of a program (manager): its creator and their standing now, in two
    queries whatever the number of webhooks."""
    require_role(session, actor, program_id, Role.MANAGER)
    program = session.get(Program, program_id)
    live_id = (program.scenario_of_id if program else None) or program_id  # a copy: its live one
    emails = {h.created_by for h in hooks}
    users = {u.email: u for u in session.scalars(select(User).where(User.email.in_(emails)))}
    members = set(
        session.scalars(
            select(Membership.user_id).where(
                Membership.program_id == live_id,
                Membership.user_id.in_([u.id for u in users.values()]),
            )
        )
    )

    def standing(email: str) -> Creator:
        user = users.get(email)
        if user is None:
            return Creator(email, "", "system" if email == SYSTEM_EMAIL else "no_account")
        if not user.is_active:
            return Creator(email, user.name, "deactivated")
        if user.id in members or user.is_admin:
            return Creator(email, user.name, "member")
        return Creator(email, user.name, "left")

    return {h.id: standing(h.created_by) for h in hooks}


@dataclass(frozen=True)
class LogSummary:
    """One subscription's delivery log at a glance."""

    pending: int
    delivered: int
    failed: int
    last: WebhookDelivery | None


def summarize_deliveries(session: Session, actor: Actor, program_id: int) -> dict[int, LogSummary]:
    """Per subscription of a program (manager): counts by status and the newest delivery."""
    require_role(session, actor, program_id, Role.MANAGER)
    in_program = select(WebhookSubscription.id).where(WebhookSubscription.program_id == program_id)
    counts: dict[int, dict[DeliveryStatus, int]] = {}
    for sub_id, status, n in session.execute(
        select(WebhookDelivery.subscription_id, WebhookDelivery.status, func.count())
        .where(WebhookDelivery.subscription_id.in_(in_program))
        .group_by(WebhookDelivery.subscription_id, WebhookDelivery.status)
    ):
        counts.setdefault(sub_id, {})[status] = n
    newest = (
        select(func.max(WebhookDelivery.id))
        .where(WebhookDelivery.subscription_id.in_(in_program))
        .group_by(WebhookDelivery.subscription_id)
    )
    last = {
        d.subscription_id: d
        for d in session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(newest)))
    }
    return {
        sub_id: LogSummary(
            pending=by_status.get(DeliveryStatus.PENDING, 0),
            delivered=by_status.get(DeliveryStatus.DELIVERED, 0),
            failed=by_status.get(DeliveryStatus.FAILED, 0),
            last=last.get(sub_id),
        )
        for sub_id, by_status in counts.items()
    }


def send_test(session: Session, actor: Actor, subscription_id: int) -> None:
    """Queue a ``ping`` to one subscription; a paused one is refused (nothing would go)."""
    subscription = get_subscription(session, actor, subscription_id)
    if not subscription.active:
        raise Conflict(
            f"webhook {subscription_id} is paused: resume it to send a test event",
            code="webhook_paused",
        )
    now = utcnow()
    session.add(
        WebhookDelivery(
            subscription_id=subscription.id,
            event="ping",
            payload={
                "event": "ping",
                "program_id": subscription.program_id,
                "occurred_at": now.isoformat(),
                "data": {"message": "A test from Podium"},
            },
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            last_error="",
            created_at=now,
        )
    )
    flush(session)


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
    resolve: Resolver = _resolve,
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
        request = _request(
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


__all__ = [
    "MAX_ATTEMPTS",
    "SIGNATURE_HEADER",
    "check_url",
    "deliver_pending",
    "emit",
    "roll_secret",
    "sign",
]
