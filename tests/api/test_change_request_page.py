"""A change request's impact on the Governance tab: its days written as every page writes
them (22 Jan 2027, not 2027-01-22), and why a request no longer applies.

The network (tests/api/conftest.py): the pilot slipping 5 working days moves the program
finish and M1 from Friday 22 January 2027 to Friday 29 January, past M1's target.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast, Net

pytestmark = pytest.mark.db


def _impact_of(page: str, key: str) -> str:
    """The impact part of one request's card."""
    card = page[page.index(f'data-key="{key}"') :]
    return card[card.index('data-testid="impact"') : card.index('data-testid="approve-form"')]


def test_the_impact_of_a_request_reads_its_days_as_the_other_pages_do(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    slip = {"type": "slip", "task_id": net.plat["id"], "days": 5}
    raised = cast.member.post(
        f"/api/v1/programs/{cast.program.id}/change-requests",
        json={"title": "Longer pilot", "changes": [slip]},
    )
    assert raised.status_code == 201, raised.text
    page = browser_as("manager@example.com").get(f"/programs/{cast.program.id}/governance")
    impact = _impact_of(page, "CR-1")
    assert not re.search(r"\d{4}-\d{2}-\d{2}<|\b\d{4}-\d{2}-\d{2} →", impact), impact
    assert (
        '<time datetime="2027-01-22">22 Jan 2027</time> → '
        '<time datetime="2027-01-29">29 Jan 2027</time>'
    ) in impact  # the program finish
    assert (
        '<td><time datetime="2027-01-22">22 Jan 2027</time></td>'
        '<td><time datetime="2027-01-29">29 Jan 2027</time></td>'
    ) in impact  # M1 in the table of milestones
    assert 'M1 target <time datetime="2027-01-22">22 Jan 2027</time>' in impact  # newly missed


def test_why_a_request_no_longer_applies_reads_its_days_too(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    delay = {"type": "delay_start", "task_id": net.train["id"], "days": 2}
    raised = cast.member.post(
        f"/api/v1/programs/{cast.program.id}/change-requests",
        json={"title": "Train later", "changes": [delay]},
    )
    assert raised.status_code == 201, raised.text
    pinned = {"constraint_type": "mso", "constraint_date": "2027-01-18"}
    assert cast.manager.patch(f"/api/v1/tasks/{net.train['id']}", json=pinned).status_code == 200
    page = browser_as("manager@example.com").get(f"/programs/{cast.program.id}/governance")
    impact = _impact_of(page, "CR-1")
    assert (
        f"No longer applies to the plan: {net.train['key']} is pinned (must start on "
        "18 Jan 2027): its start cannot be delayed."
    ) in impact
