"""The overview says when the benefit that measures the goal aims at another target or
date than the goal itself, and says nothing while they agree."""

from __future__ import annotations

import re
from typing import Any

from tests.api.conftest import Browser, Cast
from tests.api.test_benefits import create


def _overview(web: Browser, cast: Cast) -> str:
    return web.get(f"/programs/{cast.program.id}")


def test_a_goal_kpi_aiming_elsewhere_than_the_goal_is_pointed_out(
    cast: Cast, browser_as: Any
) -> None:
    goal = {"goal": {"measure": "tickets", "unit": "tickets", "baseline_value": 1200,
                     "target_value": 840, "target_date": "2028-01-01"}}  # fmt: skip
    changed = cast.owner.patch(f"/api/v1/programs/{cast.program.id}", json=goal)
    assert changed.status_code == 200, changed.text
    benefit = create(cast.manager, cast, is_goal=True)  # 840 by 1 Jan 2028: agrees
    web = browser_as("viewer@example.com")
    assert 'data-testid="goal-kpi"' in _overview(web, cast)
    assert "goal-kpi-differs" not in _overview(web, cast)

    moved = cast.manager.patch(
        f"/api/v1/benefits/{benefit['id']}",
        json={"target_date": "2028-06-30"},
        headers={"If-Match": f'"{benefit["version"]}"'},
    )
    assert moved.status_code == 200, moved.text
    page = _overview(web, cast)
    assert 'data-testid="goal-kpi-differs"' in page
    said = re.sub(r"<[^>]+>", "", page[page.index("goal-kpi-differs") :].split("</p>")[0])
    assert said == (
        'goal-kpi-differs">The benefit aims at 840 tickets by 30 Jun 2028, the goal at 840 '
        "tickets by 1 Jan 2028: make them agree on the Benefits page or in Settings."
    )
