"""The webhook page: rolling its signing secret (asked first, shown once, a stale form
refused) and who manages a webhook once the person who added it is gone."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import User, WebhookSubscription
from podium.services import programs, users, webhooks
from podium.services.actor import SYSTEM, Actor
from podium.services.webhook_secrets import GRACE_HOURS
from podium.web.integrations.webhooks import GRACE_LABELS
from tests.api.conftest import Browser, Cast

pytestmark = pytest.mark.db


def _log(cast: Cast, hook_id: int) -> str:
    return f"/programs/{cast.program.id}/integrations/webhooks/{hook_id}"


def _hook(db: Session, cast: Cast, by: str = "manager@example.com") -> WebhookSubscription:
    user = db.scalars(select(User).where(User.email == by)).one()
    hook = webhooks.subscribe(
        db, Actor.of(user), cast.program.id, url="http://10.0.0.1/", events=[], allow_private=True
    )
    db.commit()
    return hook


def _stored(db: Session, hook_id: int) -> WebhookSubscription:
    db.expire_all()
    hook = db.get(WebhookSubscription, hook_id)
    assert hook is not None
    return hook


def test_every_grace_period_offered_has_words() -> None:
    assert list(GRACE_LABELS) == list(GRACE_HOURS)


def test_rolling_asks_first_then_shows_the_new_secret_once(
    cast: Cast, browser_as: Callable[[str], Browser], db: Session
) -> None:
    hook = _hook(db, cast)
    old = hook.secret
    manager = browser_as("manager@example.com")
    log = _log(cast, hook.id)
    page = manager.get(log)
    assert f'href="{log}?roll=1"' in page and f'action="{log}/secret"' not in page
    assert "As made with the webhook" in page

    asking = manager.get(f"{log}?roll=1")
    confirm = re.search(r'<form [^>]*data-testid="roll-confirm".*?</form>', asking, re.S)
    assert confirm is not None and f'action="{log}/secret"' in confirm.group(0)
    form = confirm.group(0)
    assert 'name="version" value="1"' in form and '<option value="24" selected>' in form
    assert '<option value="0">Now' in form and "data-focus-after-swap" in form
    assert _stored(db, hook.id).secret == old  # nothing changes until it is sent

    rolled = manager.post(f"{log}/secret", {"version": "1", "grace_hours": "72"})
    assert rolled.status_code == 200, rolled.text
    stored = _stored(db, hook.id)
    assert (stored.previous_secret, stored.version) == (old, 2)
    assert re.search(r'data-testid="new-secret"[^>]*data-focus-after-swap', rolled.text)
    assert f'value="{stored.secret}"' in rolled.text and old not in rolled.text
    assert "two <code>v1=</code>" in rolled.text and 'data-testid="previous-secret"' in rolled.text

    again = manager.get(log)  # shown once: never on the page again
    assert stored.secret not in again and old not in again
    assert "Rolled <time" in again and "The previous one signs too until" in again
    # rolling again says that the secret still signing beside the current one stops
    assert "stops at once" in manager.get(f"{log}?roll=1")


def test_a_secret_rolled_now_says_the_old_one_signs_nothing(
    cast: Cast, browser_as: Callable[[str], Browser], db: Session
) -> None:
    hook = _hook(db, cast)
    manager = browser_as("manager@example.com")
    rolled = manager.post(f"{_log(cast, hook.id)}/secret", {"version": "1", "grace_hours": "0"})
    assert rolled.status_code == 200, rolled.text
    assert "The old secret signs nothing from now on" in rolled.text
    assert 'data-testid="previous-secret"' not in rolled.text
    assert _stored(db, hook.id).previous_secret is None


def test_a_stale_or_wrong_roll_form_changes_nothing(
    cast: Cast, browser_as: Callable[[str], Browser], db: Session
) -> None:
    hook = _hook(db, cast)
    old = hook.secret
    manager = browser_as("manager@example.com")
    log = _log(cast, hook.id)
    assert manager.post(f"{log}/pause", {"version": "1"}).status_code == 303
    stale = manager.post(f"{log}/secret", {"version": "1", "grace_hours": "24"})
    assert stale.status_code == 412 and "changed by someone else" in stale.text
    assert 'data-testid="new-secret"' not in stale.text and "whsec_" not in stale.text
    for grace in ("5", "", "²", "-1"):
        wrong = manager.post(f"{log}/secret", {"version": "2", "grace_hours": grace})
        assert wrong.status_code == 422 and "Choose when the current secret" in wrong.text
        assert 'data-testid="roll-confirm"' in wrong.text
    assert manager.post(f"{log}/secret", {"version": "2"}, csrf=False).status_code == 403
    viewer = browser_as("viewer@example.com")
    assert viewer.post(f"{log}/secret", {"version": "2", "grace_hours": "24"}).status_code == 403
    stored = _stored(db, hook.id)
    assert (stored.secret, stored.version) == (old, 2)


def test_the_pages_say_who_manages_a_webhook_whose_creator_left_or_is_gone(
    cast: Cast, browser_as: Callable[[str], Browser], db: Session
) -> None:
    hook = _hook(db, cast)
    system_hook = webhooks.subscribe(
        db, SYSTEM, cast.program.id, url="http://10.0.0.2/", events=[], allow_private=True
    )
    db.commit()
    owner = browser_as("owner@example.com")
    tab = f"/programs/{cast.program.id}/integrations"
    page = owner.get(tab)
    assert "its managers and owners manage them" in page
    assert "by manager@example.com" in page and "by the system" in page
    assert 'data-testid="creator-gone"' not in page
    log = owner.get(_log(cast, hook.id))
    assert "The program's managers and owners" in log and "It belongs to the program" not in log

    manager = db.scalars(select(User).where(User.email == "manager@example.com")).one()
    programs.remove_member(db, SYSTEM, cast.program.id, manager.id)
    db.commit()
    assert 'data-standing="left">no longer in this program' in owner.get(tab)
    log = owner.get(_log(cast, hook.id))
    assert "no longer in this program" in log and "keeps sending" in log

    users.update_user(db, SYSTEM, manager.id, {"is_active": False}, expected_version=None)
    db.commit()
    assert 'data-standing="deactivated">account deactivated' in owner.get(tab)

    db.delete(db.get(User, manager.id))
    db.commit()
    page = owner.get(tab)
    assert 'data-standing="no_account">no account any more' in page
    log = owner.get(_log(cast, hook.id))
    assert "by manager@example.com" in log and "no account any more" in log
    rolled = owner.post(f"{_log(cast, hook.id)}/secret", {"version": "1", "grace_hours": "24"})
    assert rolled.status_code == 200 and 'data-testid="new-secret"' in rolled.text
    assert owner.get(_log(cast, system_hook.id)).count('data-testid="creator-gone"') == 0
