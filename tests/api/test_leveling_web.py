"""The Resources tab's leveling routes: clearing without holds says so, a closed program
offers no leveling, and applying a kept preview sends it alone."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.api.conftest import Browser, Cast
from tests.api.test_resources import contest


def page(cast: Cast) -> str:
    return f"/programs/{cast.program.id}/resources"


def test_clearing_without_holds_says_there_were_no_leveling_delays(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    contest(cast)
    manager = browser_as("manager@example.com")
    cleared = manager.post(f"{page(cast)}/level/clear")
    assert cleared.status_code == 303
    assert cleared.headers["location"].endswith("?done=nothing-cleared")
    shown = manager.get(cleared.headers["location"])
    assert "There were no leveling delays: nothing to clear." in shown
    assert "every task is back to its earliest start" not in shown


def test_a_kept_preview_is_applied_alone_and_clearing_it_says_so(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    contest(cast)
    manager = browser_as("manager@example.com")
    shown = manager.post(f"{page(cast)}/level", {"method": "heuristic", "time_limit": ""})
    assert shown.status_code == 200, shown.text
    kept = re.search(r'name="preview_id" value="(\d+)"', shown.text)
    assert kept is not None
    # the form also carries the method and time limit: the kept preview is applied as it was
    applied = manager.post(
        f"{page(cast)}/level/apply",
        {
            "preview_id": kept.group(1),
            "method": "heuristic",
            "time_limit": "",
            "schedule_token": "",
        },
    )
    assert applied.status_code == 303, applied.text
    again = manager.post(f"{page(cast)}/level/apply", {"preview_id": kept.group(1)})
    assert again.status_code == 409
    assert f"Nothing was applied: leveling preview {kept.group(1)} was already applied" in (
        again.text
    )
    cleared = manager.post(f"{page(cast)}/level/clear")
    assert cleared.headers["location"].endswith("?done=cleared")


def test_a_closed_program_offers_no_leveling_and_refuses_a_preview(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    contest(cast)
    applied = cast.manager.post(f"/api/v1/programs/{cast.program.id}/level", json={"apply": True})
    assert applied.status_code == 200 and applied.json()["applied"], applied.text
    manager = browser_as("manager@example.com")
    assert 'data-testid="clear-leveling-open"' in manager.get(page(cast))  # holds to clear
    closed = cast.owner.post(f"/api/v1/programs/{cast.program.id}/close", json={})
    assert closed.status_code == 200, closed.text
    shown = manager.get(page(cast))
    assert 'data-testid="level-closed"' in shown
    assert 'data-testid="level-form"' not in shown
    assert 'data-testid="clear-leveling-open"' not in shown  # its plan stays as closed
    refused = manager.post(f"{page(cast)}/level", {"method": "heuristic"})
    assert refused.status_code == 409
    assert "is closed" in refused.text and 'data-testid="level-preview"' not in refused.text
