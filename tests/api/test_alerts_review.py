"""An alert raised by a change made on a web page names who made it, as the API's do.

The network is test_schedule's: PLAT-1 (10 d) → TRAIN-1 (5 d) → M1 (target Friday 22
January 2027). Saving PLAT-1 with 12 days on its page puts M1 two working days past its
target.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.api.conftest import Browser, Cast, Net


def _version(page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found is not None
    return found.group(1)


def test_an_alert_raised_from_a_web_form_names_the_person_signed_in(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    manager = browser_as("manager@example.com")
    url = f"/tasks/{net.plat['id']}"
    saved = manager.post(url, {"duration": "12", "version": _version(manager.get(url))})
    assert saved.status_code in (200, 303), saved.text
    (alert,) = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/alerts").json()["items"]
    assert alert["kind"] == "milestone_target_missed"
    assert alert["triggered_by"] == "manager@example.com"
