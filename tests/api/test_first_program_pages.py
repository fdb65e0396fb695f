"""A program built from nothing in the web: each page says what is true right after the
step that changed it, and what to do next.

- a change to a project's WBS sends the project's span and task count with the table;
- a program milestone nothing feeds has no forecast date (not the program's start);
- a week a resource cannot work is labelled on the program's heatmap;
- the members form says where a new person's account comes from;
- a scenario lists the live plan's changes in words, not stored field names;
- the retrospective and the review agenda write dates as every other page does;
- a calendar does not count a scenario's copy as a program its reader cannot see.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast, Net, post_created

pytestmark = pytest.mark.db

HTMX = {"HX-Request": "true"}


def test_adding_a_task_sends_the_projects_new_span_and_count_with_the_table(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    project = post_created(
        cast.manager,
        "/api/v1/projects",
        {"program_id": cast.program.id, "key": "SITE", "name": "Site works"},
    )
    manager = browser_as("manager@example.com")
    url = f"/projects/{project['id']}"
    assert "Not scheduled yet" in manager.get(url)
    form = {"name": "Survey", "duration": "5", "csrf_token": manager.csrf}
    added = manager.client.post(f"{url}/tasks", data=form, headers=HTMX)
    assert added.status_code == 200, added.text
    facts = re.search(r'<p class="facts" id="project-facts"[^>]*>(.*?)</p>', added.text, re.S)
    assert facts is not None, "the facts under the title do not come with the table"
    assert 'hx-swap-oob="true"' in facts.group(0)
    assert "1 task<" in facts.group(1) and "Not scheduled yet" not in facts.group(1)
    # the program starts on Monday 4 Jan 2027: five working days end on Friday 8 Jan
    assert "4 Jan 2027" in facts.group(1) and "8 Jan 2027" in facts.group(1)
    # the whole page has the facts once, not as an out-of-band swap
    page = manager.get(url)
    assert page.count('class="facts" id="project-facts"') == 1 and "hx-swap-oob" not in page


def test_a_milestone_nothing_feeds_shows_no_forecast_date(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    unfed = post_created(
        cast.manager,
        "/api/v1/milestones",
        {
            "program_id": cast.program.id,
            "key": "M9",
            "name": "Go live",
            "target_date": "2027-06-01",
        },
    )
    viewer = browser_as("viewer@example.com")
    page = viewer.get(f"/milestones/{unfed['id']}")
    forecast = re.search(r'data-testid="forecast">(.*?)</dd>', page, re.S)
    assert forecast is not None
    assert "none yet" in forecast.group(1) and "2027" not in forecast.group(1)
    listed = viewer.get(f"/programs/{cast.program.id}/milestones")
    rows = dict(
        re.findall(r'data-milestone-key="(\w+)".*?data-testid="forecast">(.*?)</td>', listed, re.S)
    )
    assert "none yet" in rows["M9"] and "2027" not in rows["M9"]
    # a milestone its work feeds keeps its forecast date
    assert "2027" in rows["M1"]


def test_a_week_a_person_cannot_work_is_labelled_on_the_programs_heatmap(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    ana = post_created(
        cast.admin,
        "/api/v1/resources",
        {
            "key": "ana",
            "name": "Ana Lopez",
            "time_off": [{"start": "2027-01-11", "finish": "2027-01-15", "note": "Leave"}],
        },
    )
    post_created(
        cast.manager, "/api/v1/assignments", {"task_id": net.plat["id"], "resource_id": ana["id"]}
    )
    page = browser_as("viewer@example.com").get(f"/programs/{cast.program.id}/resources")
    off = re.findall(r'<td class="rs-cell rs-l-off"([^>]*)>(.*?)</td>', page, re.S)
    assert off, "the week of leave is not on the heatmap"
    title, text = off[0]
    assert "Ana Lopez, week of 11 Jan 2027: no working days" in title
    assert "no capacity" in text
    assert "no capacity (time off)</li>" in page  # and the legend says what it means


@pytest.mark.parametrize(
    ("email", "said"),
    [
        ("admin@example.com", '<a href="/users">add it under Users</a>'),
        ("owner@example.com", "ask an administrator to add one"),
    ],
)
def test_the_members_form_says_where_a_new_persons_account_comes_from(
    cast: Cast, browser_as: Callable[[str], Browser], email: str, said: str
) -> None:
    person = browser_as(email)
    url = f"/programs/{cast.program.id}/members"
    assert said in person.get(url)
    refused = person.post(url, {"email": "newcomer@example.com", "role": "member"})
    assert refused.status_code == 422
    assert "No user with email newcomer@example.com." in refused.text and said in refused.text


def test_a_scenario_lists_the_live_plans_changes_in_words(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    scenario = post_created(
        cast.manager, f"/api/v1/programs/{cast.program.id}/scenarios", {"name": "Try it"}
    )
    copied = cast.manager.get(
        "/api/v1/tasks", params={"program_id": scenario["copy_program_id"]}
    ).json()["items"]
    (copy_task,) = [t for t in copied if t["key"] == net.plat["key"]]
    mine = cast.manager.patch(  # the scenario says otherwise: a clash on both fields
        f"/api/v1/tasks/{copy_task['id']}",
        json={"actual_start": "2027-01-05", "percent_complete": 50},
    )
    assert mine.status_code == 200, mine.text
    changed = cast.manager.patch(
        f"/api/v1/tasks/{net.plat['id']}",
        json={"actual_start": "2027-01-04", "percent_complete": 20},
    )
    assert changed.status_code == 200, changed.text
    page = browser_as("viewer@example.com").get(f"/scenarios/{scenario['id']}")
    stale = re.search(r'data-testid="stale">(.*?)</div>', page, re.S)
    assert stale is not None
    assert "was changed in the live plan (actual start, % complete)" in stale.group(1)
    assert "actual_start" not in stale.group(1) and "percent_complete" not in stale.group(1)


def test_the_retrospective_page_writes_its_dates_as_the_other_pages_do(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    page = browser_as("viewer@example.com").get(f"/programs/{cast.program.id}/retrospective")
    milestones = re.search(r'data-testid="milestones">(.*?)</section>', page, re.S)
    assert milestones is not None
    row = re.search(r'data-milestone="M1">(.*?)</tr>', milestones.group(1), re.S)
    assert row is not None and "22 Jan 2027" in row.group(1)
    schedule = re.search(r'data-testid="performance">(.*?)</dl>', page, re.S)
    assert schedule is not None and re.search(r"\d+ \w{3} 2027", schedule.group(1))
    for section in (milestones.group(1), schedule.group(1)):
        assert not re.search(r"\d{4}-\d{2}-\d{2}", section), section


def test_the_agenda_writes_its_dates_as_the_other_pages_do(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    # the pilot takes 15 days instead of 10: M1 (target 22 Jan 2027) is forecast 29 Jan
    slipped = cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 15})
    assert slipped.status_code == 200, slipped.text
    post_created(
        cast.manager,
        f"/api/v1/programs/{cast.program.id}/reviews",
        {"name": "Dependency check", "frequency": "weekly", "first_date": "2027-01-04"},
    )
    page = browser_as("viewer@example.com").get(f"/programs/{cast.program.id}/governance")
    section = re.search(r'data-section="milestones">(.*?)</li>\s*</ul>', page, re.S)
    assert section is not None, "no slipped milestone on the agenda"
    assert "forecast 29 Jan 2027" in section.group(1) and "target 22 Jan 2027" in section.group(1)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", section.group(1)), section.group(1)


def test_a_scenarios_copy_is_not_a_program_the_viewer_cannot_see_on_a_calendar(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    calendar = post_created(cast.admin, "/api/v1/calendars", {"name": "Clinic office"})
    cast.program.calendar_id = calendar["id"]
    cast.db.commit()
    scenario = post_created(
        cast.manager, f"/api/v1/programs/{cast.program.id}/scenarios", {"name": "Try it"}
    )
    viewer = browser_as("viewer@example.com")
    assert viewer.client.get(f"/programs/{scenario['copy_program_id']}").status_code == 200
    page = viewer.get(f"/calendars/{calendar['id']}")
    assert "cannot see" not in page  # the viewer sees the copy, through the live program
    assert "CLOUD~S1" in page and "CLOUD</a>" in page
    assert "cannot see" not in viewer.get("/calendars")


def test_the_overview_gives_a_milestone_nothing_feeds_no_date_and_writes_alert_dates(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    # PLAT-1 two days longer puts M1 past its target (22 Jan 2027): an alert whose title
    # and message the service writes with ISO days
    url = f"/api/v1/tasks/{net.plat['id']}"
    version = cast.manager.get(url).headers["ETag"]
    longer = cast.manager.patch(url, json={"duration": 12}, headers={"If-Match": version})
    assert longer.status_code == 200, longer.text
    post_created(
        cast.manager,
        "/api/v1/milestones",
        {
            "program_id": cast.program.id,
            "key": "M0",
            "name": "Kick-off",
            "target_date": "2027-01-05",
        },
    )
    viewer = browser_as("viewer@example.com")
    page = viewer.get(f"/programs/{cast.program.id}")
    # M0's target comes first, but it has no forecast to watch: M1's late one is next
    tile = re.search(r'data-testid="next-milestone">(.*?)</div>', page, re.S)
    assert tile is not None
    assert "M1" in tile.group(1) and "M0" not in tile.group(1)
    table = re.search(r'data-testid="milestones">(.*?)</table>', page, re.S)
    assert table is not None
    rows = dict(
        re.findall(
            r'data-milestone-key="(\w+)".*?data-testid="forecast">(.*?)</td>', table.group(1), re.S
        )
    )
    assert "none yet" in rows["M0"] and "2027" not in rows["M0"]  # not the program's start
    assert "26 Jan 2027" in rows["M1"]
    alerts = re.search(r'data-testid="alerts">(.*?)</section>', page, re.S)
    assert alerts is not None and "M1" in alerts.group(1) and "M0" not in alerts.group(1)
    shown = re.sub(r"<[^>]+>", " ", alerts.group(1))  # the text, not a time's datetime
    assert "2027" in shown and not re.search(r"\d{4}-\d\d-\d\d", shown), shown

    # with M1 gone, the milestone nothing feeds is the next one: without a date
    gone = cast.manager.delete(f"/api/v1/milestones/{net.m1['id']}", params={"cascade": "true"})
    assert gone.status_code == 204, gone.text
    tile = re.search(
        r'data-testid="next-milestone">(.*?)</div>',
        viewer.get(f"/programs/{cast.program.id}"),
        re.S,
    )
    assert tile is not None
    assert "M0" in tile.group(1) and "no forecast yet" in tile.group(1)
    assert "4 Jan 2027" not in tile.group(1)
    listed = re.search(r'data-testid="next-milestone">(.*?)</td>', viewer.get("/"), re.S)
    assert listed is not None
    assert "M0" in listed.group(1) and "none yet" in listed.group(1)
    assert "4 Jan 2027" not in listed.group(1)
