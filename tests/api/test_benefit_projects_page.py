"""The Benefits tab's define and edit forms set a KPI's contributing projects, as the API
and the command line do; a project not in the program is refused beside the projects."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast, Net
from tests.factories import ApiUser

pytestmark = pytest.mark.db

DEFINE = {
    "name": "Clients migrated",
    "unit": "clients",
    "direction": "up",
    "baseline_value": "0",
    "baseline_date": "",
    "target_value": "120",
    "target_date": "2027-12-31",
    "description": "",
}


def _projects(user: ApiUser, program_id: int) -> dict[str, int]:
    items = user.get("/api/v1/projects", params={"program_id": program_id}).json()["items"]
    return {p["key"]: p["id"] for p in items}


def _contributing(user: ApiUser, program_id: int, name: str) -> tuple[int, int, list[int]]:
    """The benefit's id, version and contributing project ids."""
    items = user.get(f"/api/v1/programs/{program_id}/benefits").json()["items"]
    (b,) = [b for b in items if b["name"] == name]
    return b["id"], b["version"], sorted(p["id"] for p in b["projects"])


def test_the_forms_set_replace_and_clear_the_contributing_projects(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    pid = cast.program.id
    keys = _projects(cast.viewer, pid)
    manager = browser_as("manager@example.com")
    page = manager.get(f"/programs/{pid}/benefits")
    define = page.split('data-testid="define-form"')[1]
    assert define.count('name="project_ids"') == 3  # PLAT, TRAIN and SEC
    sent = manager.post(
        f"/programs/{pid}/benefits",
        {**DEFINE, "project_ids": [keys["PLAT"], keys["SEC"], "not a number"]},
    )
    assert sent.status_code == 303, sent.text
    benefit_id, version, chosen = _contributing(cast.viewer, pid, "Clients migrated")
    assert chosen == sorted([keys["PLAT"], keys["SEC"]])
    # the edit form shows them ticked
    page = manager.get(f"/programs/{pid}/benefits")
    edit = page.split(f'action="/benefits/{benefit_id}"')[1].split("</form>")[0]
    ticked = re.findall(r'name="project_ids" value="(\d+)" checked', edit)
    assert sorted(map(int, ticked)) == chosen

    edit_form = {**DEFINE, "baseline_date": "2027-01-04", "version": str(version)}
    sent = manager.post(f"/benefits/{benefit_id}", {**edit_form, "project_ids": [keys["TRAIN"]]})
    assert sent.status_code == 303, sent.text
    benefit_id, version, chosen = _contributing(cast.viewer, pid, "Clients migrated")
    assert chosen == [keys["TRAIN"]]
    # a stale form is refused with 412 and changes nothing
    stale = manager.post(f"/benefits/{benefit_id}", {**edit_form, "project_ids": [keys["SEC"]]})
    assert stale.status_code == 412
    assert _contributing(cast.viewer, pid, "Clients migrated")[2] == [keys["TRAIN"]]
    # none ticked: none contributes
    sent = manager.post(f"/benefits/{benefit_id}", {**edit_form, "version": str(version)})
    assert sent.status_code == 303, sent.text
    assert _contributing(cast.viewer, pid, "Clients migrated")[2] == []


def test_a_project_of_another_program_is_refused_beside_the_projects(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    pid = cast.program.id
    other = cast.owner.post(
        "/api/v1/programs", json={"key": "OTHER", "name": "Other", "start_date": "2027-01-04"}
    )
    assert other.status_code == 201, other.text
    elsewhere = cast.owner.post(
        "/api/v1/projects", json={"program_id": other.json()["id"], "key": "X", "name": "X"}
    ).json()["id"]
    manager = browser_as("manager@example.com")
    refused = manager.post(f"/programs/{pid}/benefits", {**DEFINE, "project_ids": [elsewhere]})
    assert refused.status_code == 422
    error = re.search(r'data-error-for="project_ids">(.*?)</p>', refused.text)
    assert error is not None and f"No project {elsewhere} in this program" in error.group(1)
    # what was typed is kept, to be corrected
    assert 'value="Clients migrated"' in refused.text
    items = cast.viewer.get(f"/api/v1/programs/{pid}/benefits").json()["items"]
    assert items == []


def test_a_number_no_project_has_is_refused_in_words_and_a_tampered_one_left_out(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    pid = cast.program.id
    manager = browser_as("manager@example.com")
    for sent in ("99999999999999999999", "0"):
        refused = manager.post(f"/programs/{pid}/benefits", {**DEFINE, "project_ids": [sent]})
        assert refused.status_code == 422, sent
        error = re.search(r'data-error-for="project_ids">(.*?)</p>', refused.text)
        assert error is not None and "No such project in this program." in error.group(1)
    # what no checkbox sends (not a number, too long to be one) is left out
    sent = manager.post(f"/programs/{pid}/benefits", {**DEFINE, "project_ids": ["9" * 5000]})
    assert sent.status_code == 303, sent.text
    assert _contributing(cast.viewer, pid, "Clients migrated")[2] == []
