"""The resource form tells every problem of one submit at once, each beside its field,
in the service's own words."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from tests.api.conftest import Browser, Cast
from tests.api.test_resources import ANA, contest, create

FORM = {
    "name": "Ana Lima",
    "kind": "person",
    "description": "",
    "capacity": "1",
    "hours_per_day": "8",
    "cost_rate": "0",
    "calendar_id": "",
    "active": "1",
    "time_off_0_start": "2027-03-10",
    "time_off_0_finish": "2027-03-08",
    "time_off_0_note": "",
}


def field_errors(page: str) -> dict[str, str]:
    found = re.findall(
        r'<p class="field__error" id="f-([^"]+)-error"[^>]*>.*?<span>(.*?)</span>', page
    )
    return {name: html.unescape(text) for name, text in found}


def test_a_new_resource_form_says_every_problem_at_once_and_keeps_what_was_typed(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    create(cast.admin, user_id=cast.member.user.id)  # ana holds the member's account
    admin = browser_as("admin@example.com")
    for account, said in (
        ("nobody@example.com", "No account with email nobody@example.com."),
        (
            "member@example.com",
            "The account member@example.com is already linked to resource ana (Ana Lima).",
        ),
    ):
        form = {**FORM, "key": "ANA", "hours_per_day": "25", "account_email": account}
        shown = admin.post("/resources", form)
        assert shown.status_code == 422, shown.text
        assert field_errors(shown.text) == {
            "key": "A resource with key ana already exists (Ana Lima).",
            "hours_per_day": "More than 0 hours, and at most 24.",
            "account_email": said,
            "time_off_0_finish": "2027-03-08 is before the start 2027-03-10.",
        }
        assert f'value="{account}"' in shown.text and 'value="2027-03-10"' in shown.text


def test_a_capacity_an_assignment_needs_more_of_says_which_task_on_the_edit_form(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    ana = contest(cast).ana
    shown = browser_as("admin@example.com").post(
        f"/resources/{ana['id']}", {**FORM, "key": ANA["key"], "capacity": "0.5"}
    )
    assert shown.status_code == 422, shown.text
    errors = field_errors(shown.text)
    assert re.fullmatch(
        r"Ana Lima works 1 unit on PLAT-\d+; a capacity of 0.5 could never hold that task\.",
        errors["capacity"],
    ), errors
    assert errors["time_off_0_finish"] == "2027-03-08 is before the start 2027-03-10."
