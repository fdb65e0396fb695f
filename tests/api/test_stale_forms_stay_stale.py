"""A form refused because someone else saved first is drawn again with what was typed, at
the version it was read at: saving it again is refused again, and the other change stays.

(Drawn at the current version, the second save passed the check and wrote the typed
values, every field of them, over the change it had just been warned about.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest

from tests.api.conftest import Browser, Cast, Net, post_created
from tests.api.test_resources import ANA


class _Form(HTMLParser):
    """The fields a browser would send for the form marked ``data-testid``."""

    def __init__(self, testid: str) -> None:
        super().__init__()
        # a data-testid, or "attribute=value" for a form without one
        self.mark = testid.split("=", 1) if "=" in testid else ["data-testid", testid]
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get(self.mark[0]) == self.mark[1]:
            self.inside = True
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, ""))

    def handle_data(self, data: str) -> None:
        if self.inside and self._textarea:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            chosen = [v for v, on in self._options if on] or [v for v, _ in self._options[:1]]
            self.fields.extend((self._select, v) for v in chosen)
            self._select = None


def form_of(page: str, testid: str) -> list[tuple[str, str]]:
    parser = _Form(testid)
    parser.feed(page)
    assert parser.fields, f"no form {testid} on the page"
    return parser.fields


def _version(fields: list[tuple[str, str]]) -> str:
    return dict(fields)["version"]


def _with(fields: list[tuple[str, str]], **changes: str) -> dict[str, Any]:
    sent: dict[str, Any] = {}
    for name, value in fields:
        sent.setdefault(name, []).append(changes.pop(name, value) if name in changes else value)
    sent.update(changes)
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in sent.items()}


@dataclass
class Case:
    who: str  # the email of the one at the form
    page: str
    action: str
    testid: str
    typed: dict[str, str]  # what they change on the form
    meanwhile: Callable[[], None]  # someone else's save through the API
    kept: Callable[[], bool]  # that save is still there


def _cases(cast: Cast, net: Net) -> dict[str, Case]:
    pid = cast.program.id
    milestone = f"/api/v1/milestones/{net.m1['id']}"
    project = f"/api/v1/projects/{net.plat['project_id']}"
    program = f"/api/v1/programs/{pid}"
    resource = post_created(cast.admin, "/api/v1/resources", ANA)
    calendar = post_created(cast.admin, "/api/v1/calendars", {"name": "Four days"})
    risk = post_created(
        cast.member,
        "/api/v1/risks",
        {
            "program_id": pid,
            "title": "Vendor late",
            "probability": 3,
            "impact": 3,
            "project_ids": [net.plat["project_id"]],
        },
    )

    def patch(client: Any, url: str, body: dict[str, Any]) -> Callable[[], None]:
        def run() -> None:
            response = client.patch(url, json=body)
            assert response.status_code == 200, response.text

        return run

    def stored(client: Any, url: str, field: str, value: Any) -> Callable[[], bool]:
        return lambda: client.get(url).json()[field] == value

    return {
        "milestone": Case(
            "manager@example.com",
            f"/milestones/{net.m1['id']}",
            f"/milestones/{net.m1['id']}",
            "milestone-form",
            {"name": "Trainers ready (typed)"},
            patch(cast.manager, milestone, {"target_date": "2027-02-05"}),
            stored(cast.viewer, milestone, "target_date", "2027-02-05"),
        ),
        "project": Case(
            "manager@example.com",
            f"/projects/{net.plat['project_id']}/settings",
            f"/projects/{net.plat['project_id']}/settings",
            "project-form",
            {"name": "Platform (typed)"},
            patch(cast.manager, project, {"description": "theirs"}),
            stored(cast.viewer, project, "description", "theirs"),
        ),
        "program": Case(
            "owner@example.com",
            f"/programs/{pid}/settings",
            f"/programs/{pid}/settings",
            "program-form",
            {"name": "Cloud (typed)"},
            patch(cast.owner, program, {"description": "theirs"}),
            stored(cast.viewer, program, "description", "theirs"),
        ),
        "resource": Case(
            "admin@example.com",
            f"/resources/{resource['id']}/edit",
            f"/resources/{resource['id']}",
            "resource-form",
            {"name": "Ana (typed)"},
            patch(cast.admin, f"/api/v1/resources/{resource['id']}", {"description": "theirs"}),
            stored(cast.admin, f"/api/v1/resources/{resource['id']}", "description", "theirs"),
        ),
        "calendar": Case(
            "admin@example.com",
            f"/calendars/{calendar['id']}/edit",
            f"/calendars/{calendar['id']}",
            "calendar-form",
            {"name": "Four days (typed)"},
            patch(cast.admin, f"/api/v1/calendars/{calendar['id']}", {"description": "theirs"}),
            stored(cast.admin, f"/api/v1/calendars/{calendar['id']}", "description", "theirs"),
        ),
        "risk": Case(
            "manager@example.com",
            f"/risks/{risk['id']}",
            f"/risks/{risk['id']}",
            "risk-form",
            {"title": "Vendor late (typed)"},
            patch(cast.member, f"/api/v1/risks/{risk['id']}", {"impact": 5}),
            stored(cast.viewer, f"/api/v1/risks/{risk['id']}", "impact", 5),
        ),
        "my work": Case(
            "member@example.com",
            "/my-work",
            f"/my-work/tasks/{net.plat['id']}",
            f"aria-label=Progress of {net.plat['key']}",
            {"actual_start": "2027-01-04"},
            patch(
                cast.manager,
                f"/api/v1/tasks/{net.plat['id']}",
                {"actual_start": "2027-01-05", "percent_complete": 40},
            ),
            stored(cast.viewer, f"/api/v1/tasks/{net.plat['id']}", "percent_complete", 40),
        ),
        "user": Case(
            "admin@example.com",
            f"/users/{cast.viewer.user.id}",
            f"/users/{cast.viewer.user.id}",
            "user-form",
            {"name": "Vera (typed)"},
            patch(cast.admin, f"/api/v1/users/{cast.viewer.user.id}", {"name": "Theirs"}),
            stored(cast.admin, f"/api/v1/users/{cast.viewer.user.id}", "name", "Theirs"),
        ),
    }


@pytest.mark.parametrize(
    "kind", ["milestone", "project", "program", "resource", "calendar", "risk", "my work", "user"]
)
def test_saving_a_refused_form_again_is_refused_again(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser], kind: str
) -> None:
    cast.assign_member(net.plat["id"])
    case = _cases(cast, net)[kind]
    browser = browser_as(case.who)
    read = form_of(browser.get(case.page), case.testid)
    case.meanwhile()
    first = browser.client.post(case.action, data=_with(read, **case.typed))
    assert first.status_code in (409, 412, 422), first.text
    assert "changed by someone else" in first.text
    again = form_of(first.text, case.testid)
    assert _version(again) == _version(read)  # still the version it was read at
    assert all(dict(again)[name] == value for name, value in case.typed.items())  # kept
    second = browser.client.post(case.action, data=_with(again), follow_redirects=False)
    assert second.status_code in (409, 412, 422), second.text
    assert "changed by someone else" in second.text
    assert case.kept()


def test_a_name_too_long_is_told_in_characters(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    browser = browser_as("manager@example.com")
    url = f"/tasks/{net.plat['id']}"
    read = form_of(browser.get(url), f"action={url}")
    refused = browser.client.post(url, data=_with(read, name="x" * 400))
    assert refused.status_code == 422
    assert "At most 300 characters." in refused.text and "items" not in refused.text


def test_a_refused_link_edit_stays_open_with_what_was_typed(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    from tests.api.conftest import link

    made = link(cast.manager, ("task", net.plat["id"]), ("task", net.sec["id"]), lag=2)
    browser = browser_as("manager@example.com")
    url = f"/tasks/{net.sec['id']}"
    action = f"{url}/dependencies/{made['id']}"
    read = form_of(browser.get(url), f"action={action}")
    refused = browser.client.post(action, data=_with(read, lag="99999"))
    assert refused.status_code == 422 and "was not changed" in refused.text
    again = dict(form_of(refused.text, f"action={action}"))
    assert again["lag"] == "99999" and again["version"] == dict(read)["version"]
    assert 'data-testid="edit-link" open' in refused.text
    stored = cast.viewer.get(f"/api/v1/dependencies/{made['id']}").json()
    assert stored["lag"] == 2
