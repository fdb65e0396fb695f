"""Tasks linked to a risk on its form are typed by key, and keys are unique ignoring
case: ``plat-1`` links PLAT-1, as everywhere else; every unknown key is named at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast, Net

pytestmark = pytest.mark.db

FORM = {"title": "Vendor late", "probability": "3", "impact": "4", "level": "task"}


def _linked(cast: Cast) -> list[list[str]]:
    risks = cast.viewer.get("/api/v1/risks", params={"program_id": cast.program.id}).json()
    return [sorted(t["key"] for t in r["tasks"]) for r in risks["items"]]


def test_task_keys_typed_in_any_case_link_their_tasks(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    member = browser_as("member@example.com")
    raised = member.post(
        f"/programs/{cast.program.id}/risks",
        {**FORM, "task_keys": "plat-1, Sec-1; PLAT-1"},
    )
    assert raised.status_code == 303, raised.text
    assert _linked(cast) == [["PLAT-1", "SEC-1"]]


def test_every_unknown_task_key_is_named_and_nothing_is_raised(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    member = browser_as("member@example.com")
    refused = member.post(
        f"/programs/{cast.program.id}/risks",
        {**FORM, "task_keys": "plat-1, nope-1, NOPE-2"},
    )
    assert refused.status_code == 422
    assert "No tasks nope-1, NOPE-2 in this program." in refused.text
    assert _linked(cast) == []
