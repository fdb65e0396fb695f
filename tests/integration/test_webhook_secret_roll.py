"""A rolled secret on the wire: both secrets sign during the grace period, then only the new
one; the receiver's check given in docs/integrations.md accepts either; `podium webhook
roll-secret`; and a webhook whose creator is gone keeps being delivered."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.config import REPO_ROOT
from podium.models import Program, Role, User, WebhookSubscription, utcnow
from podium.services import events, programs, users, webhook_delivery, webhooks
from podium.services.actor import SYSTEM, Actor
from tests.factories import add_member, make_program, make_user
from tests.integration.test_webhooks import Receiver, _at, receiver

pytestmark = pytest.mark.db
__all__ = ["receiver"]  # the fixture, shared with test_webhooks


def _documented_verify() -> Callable[[str, str, bytes], bool]:
    """The receiver's check exactly as docs/integrations.md gives it (so it cannot rot)."""
    text = (REPO_ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    [code] = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "def verify(" in b]
    scope: dict[str, Any] = {}
    exec(code, scope)  # our own documentation
    verify: Callable[[str, str, bytes], bool] = scope["verify"]
    return verify


verify = _documented_verify()


@pytest.fixture
def program(db: Session) -> Program:
    return make_program(db, owner=make_user(db, email="owner@example.com"), key="CLOUD")


def _hook(db: Session, program: Program, url: str, actor: Actor = SYSTEM) -> WebhookSubscription:
    hook = webhooks.subscribe(db, actor, program.id, url=url, events=[], allow_private=True)
    db.commit()
    return hook


def _send_one(db: Session, program: Program, at: datetime | None = None) -> None:
    """Emit one event and deliver it, at ``at`` or now."""
    events.emit(db, program.id, events.REPORT_ISSUED, {"title": "Status"})
    db.commit()
    clock = _at(at) if at else utcnow
    assert webhook_delivery.deliver_pending(db, clock=clock, allow_private=True).delivered == 1
    db.commit()


def _signatures(header: str) -> list[str]:
    return [part[3:] for part in header.split(",") if part.startswith("v1=")]


def _digest(secret: str, header: str, body: bytes) -> str:
    t = header.split(",")[0].removeprefix("t=")
    return hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def test_both_secrets_sign_during_the_grace_period_and_then_only_the_new_one(
    db: Session, program: Program, receiver: Receiver
) -> None:
    hook = _hook(db, program, receiver.url)
    old = hook.secret
    now = utcnow()
    webhooks.roll_secret(db, SYSTEM, hook.id, grace_hours=1, expected_version=1, now=now)
    db.commit()
    new = hook.secret
    _send_one(db, program, now + timedelta(minutes=59))
    _send_one(db, program, now + timedelta(hours=1))
    (during_headers, during_body), (after_headers, after_body) = receiver.received

    during = during_headers["X-Podium-Signature"]
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}", during)
    # the new secret's first; the old one's last (a receiver that still reads only the
    # last v1 of a header keeps working with the old secret until it switches)
    assert _signatures(during) == [
        _digest(new, during, during_body),
        _digest(old, during, during_body),
    ]
    after = after_headers["X-Podium-Signature"]
    assert _signatures(after) == [_digest(new, after, after_body)]
    db.expire_all()
    stored = db.get(WebhookSubscription, hook.id)
    assert stored is not None and (stored.previous_secret, stored.version) == (None, 2)


def test_the_documented_check_accepts_either_secret_while_both_sign(
    db: Session, program: Program, receiver: Receiver
) -> None:
    hook = _hook(db, program, receiver.url)
    old = hook.secret
    webhooks.roll_secret(db, SYSTEM, hook.id, grace_hours=24, expected_version=None)
    db.commit()
    new = hook.secret
    _send_one(db, program)
    ((headers, body),) = receiver.received
    header = headers["X-Podium-Signature"]
    assert verify(new, header, body) and verify(old, header, body)
    assert not verify("whsec_" + "0" * 48, header, body)
    assert not verify(new, header, body + b" ")


def test_a_secret_rolled_with_no_grace_period_never_signs_again(
    db: Session, program: Program, receiver: Receiver
) -> None:
    hook = _hook(db, program, receiver.url)
    old = hook.secret
    webhooks.roll_secret(db, SYSTEM, hook.id, grace_hours=0, expected_version=None)
    db.commit()
    _send_one(db, program)
    ((headers, body),) = receiver.received
    header = headers["X-Podium-Signature"]
    assert len(_signatures(header)) == 1
    assert verify(hook.secret, header, body) and not verify(old, header, body)


def test_a_retry_after_the_grace_period_is_signed_with_the_new_secret_only(
    db: Session, program: Program, receiver: Receiver
) -> None:
    hook = _hook(db, program, receiver.url)
    events.emit(db, program.id, events.REPORT_ISSUED, {"title": "Status"})
    db.commit()
    now = utcnow()
    webhooks.roll_secret(db, SYSTEM, hook.id, grace_hours=1, expected_version=None, now=now)
    db.commit()
    receiver.status = 500
    assert webhook_delivery.deliver_pending(db, clock=_at(now), allow_private=True).retried == 1
    db.commit()
    receiver.status = 200
    later = now + timedelta(hours=2)
    assert webhook_delivery.deliver_pending(db, clock=_at(later), allow_private=True).delivered == 1
    db.commit()
    first, retry = (h["X-Podium-Signature"] for h, _body in receiver.received)
    assert (len(_signatures(first)), len(_signatures(retry))) == (2, 1)


def test_an_ended_secret_is_not_kept(db: Session, program: Program) -> None:
    hook = _hook(db, program, "http://10.0.0.1/hook")
    now = utcnow()
    webhooks.roll_secret(db, SYSTEM, hook.id, grace_hours=1, expected_version=None, now=now)
    db.commit()
    webhook_delivery.deliver_pending(db, clock=_at(now + timedelta(minutes=30)), allow_private=True)
    db.expire_all()
    assert db.get(WebhookSubscription, hook.id).previous_secret is not None  # type: ignore[union-attr]
    webhook_delivery.deliver_pending(db, clock=_at(now + timedelta(hours=1)), allow_private=True)
    db.expire_all()
    stored = db.get(WebhookSubscription, hook.id)
    assert stored is not None
    assert (stored.previous_secret, stored.previous_secret_expires_at) == (None, None)
    assert stored.version == 2  # a manager's copy read before is not made stale by it


@pytest.mark.parametrize("gone", ["left", "deactivated", "deleted"])
def test_a_webhook_whose_creator_is_gone_keeps_being_delivered(
    db: Session, program: Program, receiver: Receiver, gone: str
) -> None:
    ana = make_user(db, email="ana@example.com")
    add_member(db, program, ana, Role.MANAGER)
    hook = _hook(db, program, receiver.url, actor=Actor.of(ana))
    assert hook.created_by == "ana@example.com"
    if gone == "left":
        programs.remove_member(db, SYSTEM, program.id, ana.id)
    elif gone == "deactivated":
        users.update_user(db, SYSTEM, ana.id, {"is_active": False}, expected_version=None)
    else:
        db.delete(ana)
    db.commit()
    events.emit(db, program.id, events.REPORT_ISSUED, {"title": "Status"})
    db.commit()
    assert webhook_delivery.deliver_pending(db, allow_private=True).delivered == 1
    db.commit()
    ((headers, body),) = receiver.received
    assert verify(hook.secret, headers["X-Podium-Signature"], body)
    owner = Actor.of(db.scalars(select(User).where(User.email == "owner@example.com")).one())
    [creator] = webhooks.creators(db, owner, program.id, [hook]).values()
    standing = {"left": "left", "deactivated": "deactivated", "deleted": "no_account"}[gone]
    assert (creator.email, creator.standing) == ("ana@example.com", standing)


def test_the_creators_of_a_programs_webhooks_are_read_in_a_fixed_number_of_queries(
    db: Session, engine: Engine, program: Program
) -> None:
    people = [make_user(db, email=f"p{n}@example.com") for n in range(4)]
    for person in people:
        add_member(db, program, person, Role.MANAGER)
    hooks = [_hook(db, program, f"http://10.0.0.{n}/", Actor.of(p)) for n, p in enumerate(people)]
    hooks.append(_hook(db, program, "http://10.0.0.9/"))  # by the system
    users.update_user(db, SYSTEM, people[0].id, {"is_active": False}, expected_version=None)
    db.commit()
    owner = Actor.of(db.scalars(select(User).where(User.email == "owner@example.com")).one())
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    def read(some: list[WebhookSubscription]) -> dict[int, webhooks.Creator]:
        assert all(h.created_by for h in some)  # loaded, as a list of them is
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            return webhooks.creators(db, owner, program.id, some)
        finally:
            event.remove(engine, "before_cursor_execute", count)

    found = read(hooks)
    assert [c.standing for c in found.values()] == [
        "deactivated",
        "member",
        "member",
        "member",
        "system",
    ]
    many = len(statements)
    read(hooks[:1])
    assert many == len(statements)


runner = CliRunner()


def test_the_command_line_rolls_a_secret_and_prints_it_once(
    cli_env: None, db: Session, program: Program
) -> None:
    ana = make_user(db, email="ana@example.com")
    add_member(db, program, ana, Role.MANAGER)
    vic = make_user(db, email="vic@example.com")
    add_member(db, program, vic, Role.VIEWER)
    hook = _hook(db, program, "http://10.0.0.1/hook")
    old = hook.secret

    result = runner.invoke(app, ["webhook", "roll-secret", str(hook.id), "--as", "ana@example.com"])
    assert result.exit_code == 0, result.output
    db.expire_all()
    stored = db.get(WebhookSubscription, hook.id)
    assert stored is not None and stored.previous_secret == old
    assert stored.secret in result.output and old not in result.output
    assert "shown only once" in result.output and "both secrets" in result.output

    now = runner.invoke(
        app,
        ["webhook", "roll-secret", str(hook.id), "--grace-hours", "0", "--as", "ana@example.com"],
    )
    assert now.exit_code == 0, now.output
    assert "signs nothing from now on" in now.output
    db.expire_all()
    stored = db.get(WebhookSubscription, hook.id)
    assert stored is not None and stored.previous_secret is None

    refused = runner.invoke(app, ["webhook", "roll-secret", str(hook.id), "--grace-hours", "5"])
    assert refused.exit_code == 1 and "0, 1, 24, 72, 168" in refused.output
    viewer = runner.invoke(app, ["webhook", "roll-secret", str(hook.id), "--as", "vic@example.com"])
    assert viewer.exit_code == 1 and "manager or above" in viewer.output
    missing = runner.invoke(app, ["webhook", "roll-secret", "999999"])
    assert missing.exit_code == 1 and "webhook 999999 not found" in missing.output
    db.expire_all()
    assert db.get(WebhookSubscription, hook.id).secret == stored.secret  # type: ignore[union-attr]
