"""The button that records health says which day it records: the program's status date."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests.api.conftest import Browser, Cast

pytestmark = pytest.mark.db


def test_with_a_status_date_set_the_record_button_names_that_day_not_today(
    cast: Cast, db: Session, browser_as: Callable[[str], Browser]
) -> None:
    manager = browser_as("manager@example.com")
    url = f"/programs/{cast.program.id}/performance"
    assert "Record today's health" in manager.get(url)  # no status date: it is today
    cast.program.status_date = date(2027, 3, 15)
    db.commit()
    page = manager.get(url)
    button = re.search(r'/health-snapshots".*?(<button.*?</button>)', page, re.S)
    assert button is not None
    label = " ".join(re.sub(r"<[^>]+>", " ", button.group(1)).split())
    assert label == "Record health as of 15 Mar 2027"
