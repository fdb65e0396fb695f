"""Outgoing webhooks: subscriptions, signed deliveries with backoff, the delivery log.

Every POST carries ``X-Podium-Signature: t=<unix time>,v1=<hex>``, the HMAC-SHA256
of ``f"{t}.{body}"`` under the subscription's secret. A failed delivery is tried
again after 1, 2, 4 … minutes and given up after :data:`MAX_ATTEMPTS`. URLs that
resolve to private, loopback or link-local addresses are refused unless the
operator allows them (``PODIUM_WEBHOOKS_ALLOW_PRIVATE``); the check is made on the
addresses each attempt connects to, not only when the subscription is made.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.errors import NotFound, field_error
from podium.models import (
    DeliveryStatus,
    Program,
    Role,
    WebhookDelivery,
    WebhookFormat,
    WebhookSubscription,
    utcnow,
)
from podium.services.actor import Actor, refuse_scenario_copy, require_role, role_in
from podium.services.common import flush
from podium.services.events import EVENTS, emit, forget_subscriptions
from podium.services.webhook_slack import slack_message

MAX_ATTEMPTS = 8
BACKOFF = timedelta(minutes=1)
TIMEOUT_SECONDS = 10.0
SIGNATURE_HEADER = "X-Podium-Signature"
Resolver = Callable[[str], list[str]]


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


def _wrapped_ipv4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries to a gateway that unwraps them (NAT64,
    6to4, Teredo, IPv4-mapped): `64:ff9b::7f00:1` reaches 127.0.0.1 through NAT64."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    wrapped = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if any(ip in network for network in NAT64):
        wrapped.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [a for a in wrapped if a is not None]


def _host_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise field_error("url", "must be an http:// or https:// URL")
    return parts.hostname


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


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


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
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise field_error("events", f"unknown event(s) {', '.join(unknown)}")
    check_url(url, allow_private=allow_private)
    subscription = WebhookSubscription(
        program_id=program_id,
        url=url,
        secret="whsec_" + secrets.token_hex(24),
        events=sorted(set(events)) or list(EVENTS),
        format=format,
        active=True,
        created_by=actor.email,
    )
    session.add(subscription)
    flush(session)
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


def delete_subscription(session: Session, actor: Actor, subscription_id: int) -> None:
    """Remove a subscription and its delivery log."""
    session.delete(get_subscription(session, actor, subscription_id))
    flush(session)
    forget_subscriptions(session)


def list_deliveries(
    session: Session, actor: Actor, subscription_id: int, *, limit: int = 100
) -> list[WebhookDelivery]:
    """The newest deliveries of a subscription."""
    get_subscription(session, actor, subscription_id)
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


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
    """Queue a ``ping`` to one subscription."""
    subscription = get_subscription(session, actor, subscription_id)
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


def _body(session: Session, delivery: WebhookDelivery, base_url: str | None) -> bytes:
    subscription = delivery.subscription
    payload: dict[str, Any] = dict(delivery.payload)
    if subscription.format == WebhookFormat.SLACK:
        payload = slack_message(session, payload, base_url=base_url)
    else:
        payload["delivery_id"] = delivery.id
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


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
) -> DeliveryRun:
    """POST every due delivery once; reschedule failures with exponential backoff.

    ``clock`` is read once to pick what is due, then again as each delivery is sent: its
    signature carries the moment it leaves, however long the deliveries before it took.
    ``base_url`` (the address people reach Podium at) lets Slack messages link to records.
    """
    now = clock()
    due = list(
        session.scalars(
            select(WebhookDelivery)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
    )
    own = client is None
    http = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
    delivered = retried = failed = 0
    try:
        for delivery in due:
            ok = _attempt(
                session,
                http,
                delivery,
                clock=clock,
                allow_private=allow_private,
                base_url=base_url,
                resolve=resolve,
            )
            if ok:
                delivered += 1
            elif delivery.status == DeliveryStatus.FAILED:
                failed += 1
            else:
                retried += 1
    finally:
        if own:
            http.close()
    flush(session)
    return DeliveryRun(delivered=delivered, retried=retried, failed=failed)


def _attempt(
    session: Session,
    http: httpx.Client,
    delivery: WebhookDelivery,
    *,
    clock: Callable[[], datetime],
    allow_private: bool,
    base_url: str | None,
    resolve: Resolver,
) -> bool:
    subscription = delivery.subscription
    body = _body(session, delivery, base_url)
    delivery.attempts += 1
    delivery.last_status_code = None
    tried_at = clock()
    try:
        request = _request(
            http,
            subscription.url,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Podium-Webhooks/1",
                "X-Podium-Event": delivery.event,
                "X-Podium-Delivery": str(delivery.id),
            },
            allow_private=allow_private,
            resolve=resolve,
        )
        # signed last, as it leaves: receivers hold the timestamp to a tolerance window
        tried_at = clock()
        timestamp = int(tried_at.timestamp())
        request.headers[SIGNATURE_HEADER] = sign(subscription.secret, body, timestamp)
        response = http.send(request)
        delivery.last_status_code = response.status_code
        if 200 <= response.status_code < 300:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = tried_at
            delivery.next_attempt_at = None
            delivery.last_error = ""
            return True
        delivery.last_error = f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    except Exception as exc:  # a refused URL: keep the reason in the log
        delivery.last_error = getattr(exc, "message", str(exc))[:1000]
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = tried_at + BACKOFF * 2 ** (delivery.attempts - 1)
    return False


__all__ = ["MAX_ATTEMPTS", "SIGNATURE_HEADER", "check_url", "deliver_pending", "emit", "sign"]
