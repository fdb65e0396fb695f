"""The resource pages on the web: a drill-down says how much of a period's work is in
programs the reader cannot see; a resource's own page drills down per week or month and
lists its over-allocations; deleting a resource and clearing the leveling ask first; two
resources of one name are told apart by key; the form words its bounds for people."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.orm import Session

from podium.models import Assignment
from tests.api.conftest import Browser, Cast
from tests.api.test_resource_load_shared import far as far  # a fixture
from tests.api.test_resources import Contest, contest, create
from tests.factories import make_program, make_project, make_task

pytestmark = pytest.mark.db

SignIn = Callable[[str], Browser]


def _hidden_booking(db: Session, setup: Contest) -> None:
    """Ana also works all week of 4 Jan 2027 (five days) on OPS-1 of SECRET, a program
    the cast's viewer cannot see."""
    other = make_program(db, key="SECRET")
    project = make_project(db, other, "OPS")
    hidden = make_task(
        db, project, "OPS-1", early_start=date(2027, 1, 4), early_finish=date(2027, 1, 8)
    )
    db.add(Assignment(program_id=other.id, task_id=hidden.id, resource_id=setup.ana["id"]))
    db.commit()


def _text(html: str) -> str:
    """The page's words: tags taken out, runs of spaces made one."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


# --- the drill-down counts the work it cannot name, for its period --------------------


def test_the_drill_down_says_how_much_of_the_week_is_in_programs_one_cannot_see(
    cast: Cast, db: Session, browser_as: SignIn
) -> None:
    setup = contest(cast)
    _hidden_booking(db, setup)
    viewer = browser_as("viewer@example.com")
    ana = setup.ana["id"]
    for url in (
        f"/programs/{cast.program.id}/resources/cell?resource={ana}&start=2027-01-04",
        f"/resources/{ana}/cell?start=2027-01-04",
        # a day inside the week: the whole week, its hidden work counted within it
        f"/programs/{cast.program.id}/resources/cell?resource={ana}&start=2027-01-06",
        f"/resources/{ana}/cell?start=2027-01-10",
    ):
        page = viewer.get(url)
        words = _text(page)
        assert "13.0 of 5.0 days asked" in words, url
        assert 'data-testid="cell-hidden"' in page, url
        assert (
            "1 task in programs you cannot see asks 5.0 of these days: it counts in the load"
        ) in words, url
        assert "PLAT-1" in page and "SEC-1" in page and "OPS-1" not in page, url
        assert "week of 4 Jan 2027" in words, url

    # the next week has none of that work: nothing to say about it
    later = viewer.get(f"/resources/{ana}/cell?start=2027-01-11")
    assert 'data-testid="cell-hidden"' not in later
    # an admin sees every program: the task is named, nothing is hidden
    admin = browser_as("admin@example.com").get(f"/resources/{ana}/cell?start=2027-01-04")
    assert "OPS-1" in admin and 'data-testid="cell-hidden"' not in admin


def test_a_month_drill_down_counts_the_hidden_work_of_the_month(
    cast: Cast, db: Session, browser_as: SignIn
) -> None:
    setup = contest(cast)
    _hidden_booking(db, setup)
    page = browser_as("viewer@example.com").get(
        f"/resources/{setup.ana['id']}/cell?start=2027-01-01&period=month"
    )
    words = _text(page)
    assert "Ana Lima, January 2027" in words
    assert "asks 5.0 of these days" in words
    # the program's page from a day inside January shows all of January, as its cell does
    program = browser_as("viewer@example.com").get(
        f"/programs/{cast.program.id}/resources?period=month&start=2027-01-06"
    )
    assert "Ana Lima, January 2027: 13.0 of 21.0 days (62 %)" in program
    assert f"cell?resource={setup.ana['id']}&amp;start=2027-01-01&amp;period=month" in program


# --- a resource's own page drills down ---------------------------------------------------


def test_a_resources_page_links_each_week_to_its_tasks_and_lists_its_over_allocations(
    cast: Cast, browser_as: SignIn
) -> None:
    setup = contest(cast)
    ana = setup.ana["id"]
    viewer = browser_as("viewer@example.com")
    page = viewer.get(f"/resources/{ana}")
    assert f'href="/resources/{ana}/cell?start=2027-01-04&amp;period=week"' in page
    assert 'data-testid="overloads"' in page
    overload = page[page.index('data-testid="overloads"') :]
    assert 'data-start="2027-01-04"' in overload
    words = _text(overload)
    assert "4 Jan 2027 – 6 Jan 2027" in words
    assert "PLAT-1 Pilot PLAT · CLOUD" in words and "SEC-1 Threat model SEC · CLOUD" in words

    month = viewer.get(f"/resources/{ana}?period=month")
    assert f'href="/resources/{ana}/cell?start=2027-01-01&amp;period=month"' in month
    assert 'data-period="month"' in month

    # the drill-down as a page of its own (no JavaScript) and as the part htmx swaps in
    whole = viewer.get(f"/resources/{ana}/cell?start=2027-01-04")
    assert '<nav class="breadcrumbs"' in whole and "week of 4 Jan 2027" in whole
    part = viewer.client.get(
        f"/resources/{ana}/cell?start=2027-01-04", headers={"HX-Request": "true"}
    )
    assert part.status_code == 200 and "<nav" not in part.text
    assert 'data-testid="cell-tasks"' in part.text


@pytest.mark.parametrize(
    "query", ["start=2027-02-30", "start=2027-01-04&period=year", "period=week"]
)
def test_a_bad_drill_down_query_is_refused(cast: Cast, browser_as: SignIn, query: str) -> None:
    ana = create(cast.admin)
    response = browser_as("viewer@example.com").client.get(f"/resources/{ana['id']}/cell?{query}")
    assert response.status_code == 400  # as every page answers a query it cannot read


def test_an_unknown_resources_drill_down_is_404(cast: Cast, browser_as: SignIn) -> None:
    response = browser_as("viewer@example.com").client.get(
        "/resources/999999/cell?start=2027-01-04"
    )
    assert response.status_code == 404


# --- deleting and clearing ask first -----------------------------------------------------


def test_deleting_a_resource_asks_first(cast: Cast, browser_as: SignIn) -> None:
    bo = create(cast.admin, key="bo", name="Bo Chen")
    admin = browser_as("admin@example.com")
    page = admin.get(f"/resources/{bo['id']}")
    assert 'data-testid="delete-open"' in page
    assert f'action="/resources/{bo["id"]}/delete"' not in page  # no one-click delete
    asked = admin.get(f"/resources/{bo['id']}?confirm=delete")
    assert 'data-testid="delete-confirm"' in asked
    assert "Delete Bo Chen" in _text(asked) and "cannot be undone" in asked
    # someone who may not delete it is not asked
    member = browser_as("member@example.com").get(f"/resources/{bo['id']}?confirm=delete")
    assert 'data-testid="delete-confirm"' not in member and "delete-open" not in member
    deleted = admin.post(f"/resources/{bo['id']}/delete", {"version": bo["version"]})
    assert (
        deleted.status_code == 303
        and deleted.headers["location"] == "/resources?deleted=Bo%20Chen%20%28bo%29"
    )


def test_clear_leveling_shows_only_with_holds_and_asks_first(
    cast: Cast, browser_as: SignIn
) -> None:
    setup = contest(cast)
    manager = browser_as("manager@example.com")
    page_url = f"/programs/{cast.program.id}/resources"
    plain = manager.get(page_url)
    assert "clear-leveling" not in plain  # nothing to clear
    assert "clear-confirm" not in manager.get(f"{page_url}?confirm=clear")

    held = cast.manager.patch(
        f"/api/v1/tasks/{setup.plat['id']}", json={"leveled_start": "2027-01-07"}
    )
    assert held.status_code == 200, held.text
    page = manager.get(page_url)
    assert 'data-testid="clear-leveling-open"' in page and "clear-confirm" not in page
    assert "1 task holds its leveled start" in _text(page)
    asked = manager.get(f"{page_url}?confirm=clear")
    assert 'data-testid="clear-confirm"' in asked
    assert "Clear the leveling holds of 1 task?" in _text(asked)
    cleared = manager.post(f"{page_url}/level/clear")
    assert cleared.status_code == 303
    assert cast.viewer.get(f"/api/v1/tasks/{setup.plat['id']}").json()["leveled_start"] is None
    assert "clear-leveling" not in manager.get(page_url)


# --- two resources of one name ---------------------------------------------------------


def test_a_second_resource_of_the_same_name_is_saved_with_a_warning_and_told_apart_by_key(
    cast: Cast, browser_as: SignIn
) -> None:
    setup = contest(cast)  # Ana Lima, key ana, works in CLOUD
    admin = browser_as("admin@example.com")
    form = {
        "key": "ana2",
        "name": "ana lima",
        "kind": "person",
        "capacity": "1",
        "hours_per_day": "8",
        "cost_rate": "0",
        "active": "1",
    }
    saved = admin.post("/resources", form)
    assert saved.status_code == 303, saved.text
    page = admin.get(saved.headers["location"])
    assert 'data-testid="namesakes"' in page and "alert--warning" in page
    words = _text(page)
    assert "Another resource is also called ana lima: ana." in words
    assert "Tell them apart by key (this one is ana2)" in words
    # the first one says it too, and the program's heatmap puts the key beside the name
    first = admin.get(f"/resources/{setup.ana['id']}")
    assert "Another resource is also called Ana Lima: ana2." in _text(first)
    heatmap = admin.get(f"/programs/{cast.program.id}/resources")
    assert '<span class="key" data-testid="name-key">ana</span>' in heatmap
    assert admin.get("/resources?q=lima").count('data-testid="same-name"') == 2
    # a resource of a name of its own says nothing of the kind
    alone = create(cast.admin, key="bo", name="Bo Chen")
    assert 'data-testid="namesakes"' not in admin.get(f"/resources/{alone['id']}")
    assert 'data-testid="same-name"' not in admin.get("/resources?q=bo")


# --- the form's words ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("capacity", "0", "More than 0: 1 is one full-time person"),
        ("capacity", "-2", "More than 0: 1 is one full-time person"),
        ("hours_per_day", "0", "More than 0 hours, and at most 24."),
    ],
)
def test_the_form_words_a_bound_for_people(
    cast: Cast, browser_as: SignIn, field: str, value: str, words: str
) -> None:
    form = {
        "key": "cy",
        "name": "Cy Ode",
        "kind": "person",
        "capacity": "1",
        "hours_per_day": "8",
        "cost_rate": "0",
        field: value,
    }
    refused = browser_as("admin@example.com").post("/resources", form)
    assert refused.status_code == 422
    assert words in refused.text and "Input should be" not in refused.text


def test_the_form_offers_to_add_a_time_off_row_and_reads_every_row_sent(
    cast: Cast, browser_as: SignIn
) -> None:
    admin = browser_as("admin@example.com")
    assert 'data-add-row="time-off-rows"' in admin.get("/resources/new")
    rows = {
        f"time_off_{k}_{part}": value
        for k, (start, finish) in enumerate(
            [("2027-04-01", "2027-04-02"), ("", ""), ("2027-05-03", "")]  # one day: no finish
        )
        for part, value in (("start", start), ("finish", finish), ("note", ""))
    }
    form = {"key": "di", "name": "Di Fox", "kind": "person", "capacity": "1"}
    form |= {"hours_per_day": "8", "cost_rate": "0", **rows}
    saved = admin.post("/resources", form)
    assert saved.status_code == 303, saved.text
    page = admin.get(saved.headers["location"])
    assert 'Time off <span class="count">2</span>' in page
    made = re.search(r"/resources/(\d+)", saved.headers["location"])
    assert made is not None
    stored = cast.admin.get(f"/api/v1/resources/{made.group(1)}")
    assert [(p["start"], p["finish"]) for p in stored.json()["time_off"]] == [
        ("2027-04-01", "2027-04-02"),
        ("2027-05-03", "2027-05-03"),
    ]


def test_a_resources_page_shows_ten_years_at_a_time_with_a_link_to_the_rest(
    cast: Cast, far: int, browser_as: SignIn
) -> None:
    viewer = browser_as("admin@example.com")  # FAR's work is named to those who see it
    first = viewer.get(f"/resources/{far}")
    assert len(first) < 1_000_000  # 523 weeks, not the 8,000 years up to year 9990
    assert first.count('class="rs-cell ') == 523
    later = re.search(r'href="([^"]+)" data-testid="load-later">Later, from (.+?) →', first)
    assert (
        later is not None and _text(later.group(2)) == "4 Jan 9990"
    )  # the years between are empty
    rest = viewer.get(later.group(1).replace("&amp;", "&"))
    assert 'data-testid="load-later"' not in rest
    assert "From the first booking" in rest
    assert "4 Jan 9990" in _text(rest)
