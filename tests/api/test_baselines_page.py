"""Baselines from the Performance tab: managers take, rename, make current and delete
them; a viewer's or member's forged post is refused (403); a baseline of another
program is not found through this one (404); a stale form (412) or a name already
taken (409) is refused in place and nothing changes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast, Net, post_created
from tests.factories import assert_error

pytestmark = pytest.mark.db


def _names(cast: Cast) -> list[str]:
    listed = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/baselines").json()["items"]
    return sorted(b["name"] for b in listed)


def test_a_manager_renames_a_baseline_in_place(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    url = f"/api/v1/programs/{cast.program.id}/baselines"
    first = post_created(cast.manager, url, {"name": "Plan of record"})
    post_created(cast.manager, url, {"name": "Re-plan"})
    assert_error(cast.manager.post(url, json={"name": "re-PLAN"}), 409)  # case ignored
    base = f"/programs/{cast.program.id}/performance/baselines/{first['id']}"
    manager = browser_as("manager@example.com")
    taken = manager.post(f"{base}/rename", {"name": "RE-PLAN", "version": first["version"]})
    assert taken.status_code == 409 and "already has a baseline named" in taken.text
    assert f'data-error-for="rename-{first["id"]}"' in taken.text
    # beside the rename field only, not again under the form that takes a baseline
    assert taken.text.count("already has a baseline named") == 1
    for bad in ("", "x" * 201):
        assert manager.post(f"{base}/rename", {"name": bad}).status_code == 422
    renamed = manager.post(
        f"{base}/rename", {"name": "Signed-off plan", "version": first["version"]}
    )
    assert renamed.status_code == 303
    assert _names(cast) == ["Re-plan", "Signed-off plan"]
    stale = manager.post(f"{base}/rename", {"name": "Other", "version": first["version"]})
    assert stale.status_code == 412 and "changed by someone else" in stale.text
    assert _names(cast) == ["Re-plan", "Signed-off plan"]


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_only_managers_rename(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser], role: str
) -> None:
    taken = post_created(
        cast.manager, f"/api/v1/programs/{cast.program.id}/baselines", {"name": "Plan of record"}
    )
    person = browser_as(f"{role}@example.com")
    page = person.get(f"/programs/{cast.program.id}/performance")
    assert 'data-testid="rename-baseline"' not in page
    url = f"/programs/{cast.program.id}/performance/baselines/{taken['id']}/rename"
    assert person.post(url, {"name": "Mine"}).status_code == 403
    assert _names(cast) == ["Plan of record"]


def test_a_baseline_of_another_program_is_not_found_through_this_one(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    other = post_created(
        cast.admin,
        "/api/v1/programs",
        {"key": "OTHER", "name": "Other", "start_date": "2026-01-05"},
    )
    theirs = post_created(
        cast.admin, f"/api/v1/programs/{other['id']}/baselines", {"name": "Theirs"}
    )
    admin = browser_as("admin@example.com")
    url = f"/programs/{cast.program.id}/performance/baselines/{theirs['id']}/rename"
    assert admin.post(url, {"name": "Mine"}).status_code == 404
    listed = cast.admin.get(f"/api/v1/programs/{other['id']}/baselines").json()["items"]
    assert [b["name"] for b in listed] == ["Theirs"]
