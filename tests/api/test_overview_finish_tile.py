"""The overview's forecast-finish tile of a program with nothing scheduled says so plainly."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests.api.conftest import Browser, Cast

pytestmark = pytest.mark.db


def test_a_program_with_nothing_scheduled_has_no_finish_to_set_against_its_goal_date(
    cast: Cast, db: Session, browser_as: Callable[[str], Browser]
) -> None:
    cast.program.goal_target_date = date(2027, 6, 30)
    db.commit()
    page = browser_as("viewer@example.com").get(f"/programs/{cast.program.id}")
    found = re.search(r'data-testid="finish">(.*?)</div>', page, re.S)
    assert found is not None
    tile = " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())
    assert "of the goal date" not in tile and "not scheduled" not in tile
    assert "Not scheduled yet" in tile and "the goal date is 30 Jun 2027" in tile
