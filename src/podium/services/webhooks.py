"""Outgoing webhooks: a program's subscriptions and their delivery log (managers).

A subscription sends the events it chose (:mod:`events` queues them) to its URL, signed
with its secret (:mod:`webhook_secrets`, rolled here). What may be sent to is checked in
:mod:`webhook_urls`; the worker that sends what is queued is :mod:`webhook_delivery`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.errors import Conflict, NotFound, field_error
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
from podium.services.events import EVENTS, forget_subscriptions
from podium.services.webhook_secrets import (
    DEFAULT_GRACE_HOURS,
    grace_period,
    new_secret,
    roll,
)
from podium.services.webhook_urls import check_url, shown_url

# what the program's history keeps of a subscription: never its secret, and of its URL
# only the scheme and host (:func:`shown_url`): the history is read by every member,
# and a URL's path can itself be a credential (a Slack incoming webhook's is)
AUDITED = ["events", "format", "active"]
SYSTEM_EMAIL = SYSTEM.email


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
