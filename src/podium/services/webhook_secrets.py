"""A webhook's signing secrets: making one, signing with it, and rolling it.

Rolling follows Stripe's "roll secret": a new secret replaces the current one, and for a
grace period the secret it replaced signs every delivery too, so the header carries two
``v1=`` entries (``t=…,v1=<new>,v1=<previous>``) and a receiver switches to the new
secret when it is ready, losing nothing. A roll with no grace period ends the previous
secret at once (what a leak calls for). Rolling again during a grace period ends the
older secret at once: at most two secrets sign.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from podium.errors import field_error
from podium.models import WebhookSubscription

PREFIX = "whsec_"
GRACE_HOURS = (0, 1, 24, 72, 168)  # how long a rolled secret may keep signing: now … 7 days
DEFAULT_GRACE_HOURS = 24


def new_secret() -> str:
    """A fresh signing secret (``whsec_`` and 48 hex digits)."""
    return PREFIX + secrets.token_hex(24)


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value for ``body`` sent at ``timestamp`` under one secret."""
    return signature(body, timestamp, [secret])


def signature(body: bytes, timestamp: int, keys: Sequence[str]) -> str:
    """``t=<timestamp>,v1=<hex>[,v1=<hex>]``: one ``v1`` per secret, in the order given."""
    signed = f"{timestamp}.".encode() + body
    digests = [hmac.new(k.encode(), signed, hashlib.sha256).hexdigest() for k in keys]
    return ",".join([f"t={timestamp}", *(f"v1={d}" for d in digests)])


def previous_until(subscription: WebhookSubscription, at: datetime) -> datetime | None:
    """When the replaced secret stops signing, if it still signs at ``at``."""
    until = subscription.previous_secret_expires_at
    if subscription.previous_secret is None or until is None or until <= at:
        return None
    return until


def grace_period(hours: int) -> timedelta:
    """One of :data:`GRACE_HOURS` as a period; anything else refused."""
    if hours not in GRACE_HOURS:
        choices = ", ".join(str(h) for h in GRACE_HOURS)
        raise field_error("grace_hours", f"must be one of {choices} (hours), not {hours}")
    return timedelta(hours=hours)


def roll(
    subscription: WebhookSubscription, *, grace: timedelta, now: datetime
) -> dict[str, list[str | None]]:
    """Give ``subscription`` a new secret; the current one signs too until ``now + grace``.

    Returns what the program's history records of it: never a secret, only that the
    secret was replaced and until when the replaced one signs.
    """
    was_until = previous_until(subscription, now)
    until = now + grace if grace else None
    subscription.previous_secret = subscription.secret if until else None
    subscription.previous_secret_expires_at = until
    subscription.secret = new_secret()
    subscription.secret_rolled_at = now
    return {
        "signing_secret": ["replaced", "new"],
        "previous_secret_signs_until": [_moment(was_until), _moment(until) or "stopped at once"],
    }


def _moment(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else None
