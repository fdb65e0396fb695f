"""Digits that are not plain decimal digits (a superscript two, "²", counts as a digit to
``str.isdigit`` but ``int()`` refuses it) are taken as no number, never as a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from podium.errors import NotFound
from podium.services import programs
from podium.services.actor import Actor
from tests.api.conftest import Browser, Cast
from tests.api.test_resources import create


def test_a_form_sent_with_a_superscript_version_is_answered_not_crashed(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    bo = create(cast.admin, key="bo", name="Bo Chen")
    admin = browser_as("admin@example.com")
    sent = admin.post(
        f"/resources/{bo['id']}",
        {"key": "bo", "name": "Bo Chen", "kind": "person", "capacity": "1", "version": "²"},
    )
    assert sent.status_code < 500, sent.text


def test_a_program_named_by_a_superscript_number_is_not_found(cast: Cast, db: Session) -> None:
    admin = Actor.of(cast.admin.user)
    with pytest.raises(NotFound, match="no program with key or id '²'"):
        programs.find_program(db, admin, "²")
