"""A mitigation action is done on a day that has come: a done date after today (the
product's today) or before its risk was raised is refused with 422 naming ``done_on``,
through the API and at the field of the action's edit form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from podium.services import common
from podium.services.common import today
from podium.services.risks import writing
from tests.api.conftest import Browser, Cast
from tests.api.test_risks import URL, create
from tests.api.test_risks import projects as projects  # the fixture
from tests.factories import assert_error

pytestmark = pytest.mark.db


def _action(cast: Cast, projects: dict[str, int]) -> tuple[dict, str]:
    risk = create(cast.member, cast, projects)
    made = cast.member.post(f"{URL}/{risk['id']}/actions", json={"title": "Pair up"})
    assert made.status_code == 201, made.text
    return risk, f"{URL}/{risk['id']}/actions/{made.json()['id']}"


@pytest.mark.parametrize(
    ("day", "words"),
    [
        ("2199-12-31", "is in the future"),
        ((today() + timedelta(days=1)).isoformat(), "is in the future"),
        ("1900-01-01", "is before R1 was raised"),
        ((today() - timedelta(days=1)).isoformat(), "is before R1 was raised"),
    ],
)
def test_a_done_date_after_today_or_before_the_risk_was_raised_is_refused(
    cast: Cast, projects: dict[str, int], day: str, words: str
) -> None:
    _risk, url = _action(cast, projects)
    error = assert_error(
        cast.member.patch(url, json={"done": True, "done_on": day}), 422, "validation_failed"
    )
    assert [d["field"] for d in error["details"]] == ["done_on"]
    assert words in error["details"][0]["message"] and day in error["message"]
    stored = cast.viewer.get(url.rsplit("/", 2)[0] + "/actions").json()["items"][0]
    assert stored["done"] is False and stored["done_on"] is None


def test_today_is_a_done_date_and_a_done_one_is_moved_only_within_the_bounds(
    cast: Cast, projects: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _risk, url = _action(cast, projects)
    done = cast.member.patch(url, json={"done": True})
    assert done.status_code == 200, done.text
    assert done.json()["done_on"] == today().isoformat()
    later = today() + timedelta(days=3)
    assert_error(cast.member.patch(url, json={"done_on": later.isoformat()}), 422)
    # the product's today, not the computer's clock: three days on, that day is fine
    monkeypatch.setattr(writing, "today", lambda: later)
    moved = cast.member.patch(url, json={"done_on": later.isoformat()})
    assert moved.status_code == 200, moved.text
    assert moved.json()["done_on"] == later.isoformat()


def test_the_edit_form_of_a_done_action_says_a_wrong_done_date_at_the_field(
    cast: Cast, projects: dict[str, int], browser_as: Callable[[str], Browser]
) -> None:
    risk, url = _action(cast, projects)
    done = cast.member.patch(url, json={"done": True})
    assert done.status_code == 200, done.text
    action = done.json()
    member = browser_as("member@example.com")
    page = member.get(f"/risks/{risk['id']}?edit_action={action['id']}")
    assert f'name="done_on" type="date" value="{today().isoformat()}"' in page
    post = f"/risks/{risk['id']}/actions/{action['id']}"
    form = {"title": "Pair up", "owner_id": "", "due_date": "", "version": action["version"]}
    refused = member.post(post, {**form, "done_on": "2199-12-31"})
    assert refused.status_code == 422
    field = refused.text[refused.text.index('id="action-done_on"') :]
    assert "is in the future" in field[: field.index("</div>")]
    blank = member.post(post, {**form, "done_on": ""})
    assert blank.status_code == 422 and "the day it was done" in blank.text
    fine = date.fromisoformat(action["done_on"])
    saved = member.post(post, {**form, "done_on": fine.isoformat(), "title": "Pair up daily"})
    assert saved.status_code == 303, saved.text
    stored = cast.viewer.get(f"{URL}/{risk['id']}/actions").json()["items"][0]
    assert (stored["title"], stored["done_on"]) == ("Pair up daily", fine.isoformat())


def test_an_action_is_overdue_by_the_products_today_in_the_api(
    cast: Cast, projects: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _risk, url = _action(cast, projects)
    due = today() + timedelta(days=2)
    set_due = cast.member.patch(url, json={"due_date": due.isoformat()})
    assert set_due.status_code == 200, set_due.text
    assert set_due.json()["overdue"] is False
    # the API calls the same day today as the pages do, not the computer's UTC date
    monkeypatch.setattr(common, "today", lambda: due + timedelta(days=1))
    listed = cast.viewer.get(url.rsplit("/", 1)[0]).json()["items"][0]
    assert listed["overdue"] is True
