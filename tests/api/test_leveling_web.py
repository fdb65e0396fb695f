"""The Resources tab's leveling routes: clearing without holds says so, a closed program
offers no leveling, and applying a kept preview sends it alone."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy.orm import Session

from podium.models import Assignment, Resource
from tests.api.conftest import Browser, Cast, link, post_created
from tests.api.test_leveling_api import ops_takes_ana_thursday_and_friday
from tests.api.test_resources import contest
from tests.factories import make_project, make_task


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


def test_a_milestone_after_a_moved_task_gets_no_hold_so_the_clear_line_counts_the_moves(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    contested = contest(cast)
    for work in (contested.plat, contested.sec):  # a milestone after each: one of them moves
        done = post_created(
            cast.manager,
            "/api/v1/tasks",
            {"project_id": work["project_id"], "name": "Done", "duration": 0, "is_milestone": True},
        )
        link(cast.manager, ("task", work["id"]), ("task", done["id"]))
    manager = browser_as("manager@example.com")
    shown = manager.post(f"{page(cast)}/level", {"method": "heuristic", "time_limit": ""})
    assert shown.status_code == 200, shown.text
    moves = re.search(r'data-testid="moves-count">(\d+)', shown.text)
    assert moves is not None and moves.group(1) == "1"
    assert 'data-testid="level-milestones"' in shown.text  # the milestone moves with it
    kept = re.search(r'name="preview_id" value="(\d+)"', shown.text)
    assert kept is not None
    applied = manager.post(f"{page(cast)}/level/apply", {"preview_id": kept.group(1)})
    assert applied.status_code == 303, applied.text
    after = manager.get(page(cast))
    assert "1 task holds its leveled start" in after
    listed = cast.manager.get("/api/v1/tasks", params={"program_id": cast.program.id}).json()
    held = [t for t in listed["items"] if t["leveled_start"]]
    assert [t["is_milestone"] for t in held] == [False]
    # the API says the same: the holds it clears, and those a fresh apply keeps
    level = f"/api/v1/programs/{cast.program.id}/level"
    cleared = cast.manager.post(f"{level}/clear")
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["cleared"] == 1
    again = cast.manager.post(level, json={"apply": True})
    assert again.status_code == 200, again.text
    assert (len(again.json()["moves"]), len(again.json()["milestones"])) == (1, 1)
    assert (
        cast.manager.post(f"{level}/clear").json()["message"].startswith("removed 1 leveling hold:")
    )


def moved(html: str) -> list[str]:
    """The keys of the tasks a preview lists as moving."""
    table = html.partition('data-testid="level-moves"')[2]
    return re.findall(r'<tr data-key="([^"]+)"', table)


def test_the_optimal_method_weighs_the_projects_and_milestones_given_on_the_form(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    contest(cast)
    manager = browser_as("manager@example.com")
    shown = manager.get(page(cast))
    # one field per project and milestone, hidden until the optimal method is chosen
    assert re.search(r'data-testid="level-weights" hidden disabled', shown)
    for key in ("PLAT", "SEC", "M1"):
        assert f'name="weights_{key}"' in shown
    form = {"method": "optimal", "time_limit": "5", "weights_SEC": ""}
    plat_first = manager.post(f"{page(cast)}/level", {**form, "weights_PLAT": "10"})
    assert plat_first.status_code == 200, plat_first.text
    assert moved(plat_first.text) == ["SEC-1"]
    assert "Weights: a day of delay counts 10 on PLAT." in plat_first.text
    assert 'name="weights_PLAT" type="number" value="10"' in plat_first.text  # kept
    sec_first = manager.post(f"{page(cast)}/level", {**form, "weights_M1": "4", "weights_SEC": "2"})
    assert sec_first.status_code == 200, sec_first.text
    assert moved(sec_first.text) == ["PLAT-1"]
    assert "Weights: a day of delay counts 2 on SEC and 4 on M1." in sec_first.text
    assert 'data-testid="level-weights" hidden' not in sec_first.text


def test_a_refused_weight_is_told_on_its_field_and_kept(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    contest(cast)
    manager = browser_as("manager@example.com")
    negative = manager.post(
        f"{page(cast)}/level", {"method": "optimal", "weights_M1": "-2", "weights_PLAT": "1001"}
    )
    assert negative.status_code == 422
    for key, message in (("M1", "Must be 0 or more."), ("PLAT", "Must be at most 1,000.")):
        said = re.search(
            rf'id="lv-weights_{key}-error"[^>]*>.*?<span>([^<]*)</span>', negative.text
        )
        assert said is not None and said.group(1) == message
    assert 'name="weights_M1" type="number" value="-2"' in negative.text  # kept
    assert 'data-testid="level-preview"' not in negative.text
    heuristic = manager.post(f"{page(cast)}/level", {"method": "heuristic", "weights_PLAT": "3"})
    assert heuristic.status_code == 422
    assert "Weights count with the optimal method only" in heuristic.text
    gone = manager.post(f"{page(cast)}/level", {"method": "optimal", "weights_GONE": "3"})
    assert gone.status_code == 422
    assert "No task, milestone or project &#39;GONE&#39; in this program." in gone.text
    stray = manager.post(f"{page(cast)}/level", {"method": "optimal", "weights_GONE": "x"})
    assert stray.status_code == 422
    assert "Weight of GONE: Enter a whole number." in stray.text
    blank = manager.post(f"{page(cast)}/level", {"method": "heuristic", "weights_PLAT": "0"})
    assert blank.status_code == 200  # 0 is no weight: the heuristic takes it


def test_a_time_limit_out_of_range_is_said_in_words_that_fit_it(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    contest(cast)
    manager = browser_as("manager@example.com")
    for limit in ("0", "-1", "121", "nan"):
        shown = manager.post(f"{page(cast)}/level", {"method": "optimal", "time_limit": limit})
        assert shown.status_code == 422, (limit, shown.text)
        assert "More than 0 and at most 120 seconds." in shown.text, limit
        assert 'name="preview_id"' not in shown.text  # nothing previewed


def test_a_program_load_cut_at_ten_years_says_where_the_rest_starts(
    cast: Cast, db: Session, browser_as: Callable[[str], Browser]
) -> None:
    project = make_project(db, cast.program, "FAR")
    fay = Resource(key="fay", name="Fay")
    db.add(fay)
    db.flush()
    for key, first in (("FAR-1", date(2027, 1, 4)), ("FAR-2", date(9990, 1, 4))):
        task = make_task(db, project, key, early_start=first, early_finish=first + timedelta(4))
        db.add(Assignment(program_id=cast.program.id, task_id=task.id, resource_id=fay.id))
    db.commit()
    api = f"/api/v1/programs/{cast.program.id}/resource-load"
    body = cast.viewer.get(api).json()
    assert (body["finish"], body["next_start"]) == ("2037-01-11", "9990-01-04")
    assert cast.viewer.get(api, params={"start": "9990-01-01"}).json()["next_start"] is None
    viewer = browser_as("viewer@example.com")
    first = viewer.get(page(cast))
    assert re.search(r'data-testid="load-later">Later, from <time datetime="9990-01-04">', first)
    later = viewer.get(f"{page(cast)}?period=week&start=9990-01-04")
    assert "← From the first booking" in later and "Later, from" not in later
    assert viewer.client.get(f"{page(cast)}?start=9990-02-30").status_code == 400


def over_allocations(html: str) -> str:
    """The words of the Over-allocations table of a page, or of the part sent in its place."""
    table = html.partition('data-testid="overloads"')[2].partition("</section>")[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table)).strip()


def test_a_refused_apply_shows_the_load_again_as_it_is_now(
    cast: Cast, db: Session, browser_as: Callable[[str], Browser]
) -> None:
    setup = contest(cast)
    manager = browser_as("manager@example.com")
    week = {"load_period": "week", "load_start": "2027-01-04"}
    before = manager.get(f"{page(cast)}?period=week&start=2027-01-04")
    assert "4 Jan 2027 – 6 Jan 2027 3" in over_allocations(before)
    shown = manager.post(f"{page(cast)}/level", {"method": "heuristic", **week})
    kept = re.search(r'name="preview_id" value="(\d+)"', shown.text)
    assert kept is not None
    assert 'name="load_start" value="2027-01-04"' in shown.text  # the apply sends it back
    ops_takes_ana_thursday_and_friday(db, setup)  # Ana over capacity Mon 4 to Fri 8 now
    htmx = {"HX-Request": "true"}
    form = {"preview_id": kept.group(1), **week, "csrf_token": manager.csrf}
    refused = manager.client.post(f"{page(cast)}/level/apply", data=form, headers=htmx)
    assert refused.status_code == 409
    assert "Nothing was applied: the plan of a program you cannot see" in refused.text
    assert "The over-allocations and the load above are shown as they are now." in refused.text
    # the load and the over-allocations are sent again, in place of the page's
    assert '<div id="rs-load" class="rs-load" hx-swap-oob="true">' in refused.text
    assert "4 Jan 2027 – 8 Jan 2027 5" in over_allocations(refused.text)
    assert 'datetime="2027-01-04">4 Jan</time>' in refused.text  # the week the page showed
    # without JavaScript, the whole page, as it is now, says why
    page_again = manager.post(f"{page(cast)}/level/apply", {"preview_id": kept.group(1), **week})
    assert page_again.status_code == 409
    assert '<nav class="breadcrumbs"' in page_again.text
    assert "4 Jan 2027 – 8 Jan 2027 5" in over_allocations(page_again.text)
    assert "Nothing was applied" in page_again.text
