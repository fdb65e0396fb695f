"""Program events for webhooks: emitted inside the unit of work that causes them.

``emit`` writes one pending delivery per subscription that wants the event, in the
same transaction as the change itself: a change that is rolled back announces
nothing, and one that is committed is delivered by ``podium webhooks deliver``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import DeliveryStatus, WebhookDelivery, WebhookSubscription, utcnow

ALERT_RAISED = "alert.raised"
ALERT_RESOLVED = "alert.resolved"
MILESTONE_FORECAST_CHANGED = "milestone.forecast_changed"
RISK_ESCALATED = "risk.escalated"
CHANGE_REQUEST_DECIDED = "change_request.decided"
REPORT_ISSUED = "report.issued"
EVENTS = (
    ALERT_RAISED,
    ALERT_RESOLVED,
    MILESTONE_FORECAST_CHANGED,
    RISK_ESCALATED,
    CHANGE_REQUEST_DECIDED,
    REPORT_ISSUED,
)
_CACHE = "podium.webhook_subscriptions"


def forget_subscriptions(session: Session) -> None:
    """Drop the session's cached subscriptions (after one is added or removed)."""
    session.info.pop(_CACHE, None)


def _subscribers(session: Session, program_id: int) -> list[tuple[int, list[str]]]:
    cache: dict[int, list[tuple[int, list[str]]]] = session.info.setdefault(_CACHE, {})
    if program_id not in cache:
        cache[program_id] = [
            (sub_id, list(events or []))
            for sub_id, events in session.execute(
                select(WebhookSubscription.id, WebhookSubscription.events).where(
                    WebhookSubscription.program_id == program_id,
                    WebhookSubscription.active.is_(True),
                )
            )
        ]
    return cache[program_id]


def has_subscribers(session: Session, program_id: int) -> bool:
    """Whether any active webhook of the program would be sent an event (so that work
    done only for an event's payload can be skipped)."""
    return bool(_subscribers(session, program_id))


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    return value


def emit(session: Session, program_id: int, kind: str, payload: Mapping[str, Any]) -> None:
    """Queue ``kind`` with ``payload`` for every subscription of the program that wants it."""
    subscribers = _subscribers(session, program_id)
    if not subscribers:
        return
    now = utcnow()
    body = {
        "event": kind,
        "program_id": program_id,
        "occurred_at": now.isoformat(),
        "data": _plain(payload),
    }
    for sub_id, wanted in subscribers:
        if kind in wanted or not wanted:
            session.add(
                WebhookDelivery(
                    subscription_id=sub_id,
                    event=kind,
                    payload=body,
                    status=DeliveryStatus.PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    last_error="",
                    created_at=now,
                )
            )


def emit_forecast_changes(
    session: Session,
    program_id: int,
    rows: Iterable[Mapping[str, Any]],
    stored: Mapping[str, tuple[Any, ...]],
) -> None:
    """One event per milestone whose forecast (early finish) moved in a reschedule."""
    if not _subscribers(session, program_id):
        return
    for row in rows:
        old = stored.get(f"m{row['_id']}")
        if old is None or old[1] == row["early_finish"]:
            continue
        emit(
            session,
            program_id,
            MILESTONE_FORECAST_CHANGED,
            {"milestone_id": row["_id"], "from": old[1], "to": row["early_finish"]},
        )
