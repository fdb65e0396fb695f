"""Two resources may carry one name (real plans have homonyms): the task page's resource
picker and its assignment rows tell them apart by key, and say nothing more of a name
of its own."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import User
from podium.services.actor import Actor
from podium.services.resources import catalog
from podium.services.uow import complete
from tests.browser.conftest import screenshot
from tests.browser.test_phone_layout_lists import PHONE, _fits, _on_screen
from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]


def _people(engine: Engine, people: WorkPeople, resources: list[tuple[str, str]]) -> None:
    """Resources (key, name) added by Rosa."""
    db = session_factory(engine)()
    try:
        rosa = db.scalar(select(User).where(User.email == people.emails["rosa"]))
        assert rosa is not None
        for key, name in resources:
            catalog.create_resource(db, Actor.of(rosa), key=key, name=name)
        complete(db)
    finally:
        db.close()


def test_the_picker_tells_namesakes_apart_by_key(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    tag = work_program.key.lower()
    twin, alone = f"Ana Lima {work_program.key}", f"Bo Chen {work_program.key}"
    _people(
        web_engine, work_people, [(f"ana-{tag}", twin), (f"ana2-{tag}", twin), (f"bo-{tag}", alone)]
    )
    page = page_as(work_people.emails["rosa"])
    errors = console_errors(page)
    page.goto(f"/tasks/{work_program.task_ids['APP-2']}")

    picker = page.get_by_test_id("assignment-form").get_by_label("Resource")
    offered = picker.locator("option", has_text=work_program.key)
    expect(offered).to_have_text(
        [
            f"{twin} · ana-{tag} (person, capacity 100 %)",
            f"{twin} · ana2-{tag} (person, capacity 100 %)",
            f"{alone} (person, capacity 100 %)",
        ]
    )
    picker.select_option(label=f"{twin} · ana2-{tag} (person, capacity 100 %)")
    page.get_by_test_id("assignment-form").get_by_role("button", name="Assign").click()

    # the row names the one assigned by its key; the picker still tells the other apart
    row = page.get_by_test_id("assignment-list").locator(f"tr[data-resource='ana2-{tag}']")
    expect(row.get_by_test_id("name-key")).to_have_text(f"ana2-{tag}")
    picker = page.get_by_test_id("assignment-form").get_by_label("Resource")
    expect(picker.locator("option", has_text=work_program.key)).to_have_text(
        [f"{twin} · ana-{tag} (person, capacity 100 %)", f"{alone} (person, capacity 100 %)"]
    )
    screenshot(page.get_by_test_id("assignments"), "task-assignments-namesakes.png")
    assert errors == []


def test_namesakes_in_the_picker_fit_a_phone(
    page_as: OpenPage, web_engine: Engine, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    tag = work_program.key.lower()
    twin = f"Kai Moreno-Villanueva {work_program.key}"
    _people(web_engine, work_people, [(f"kai-{tag}", twin), (f"kai-contractor-{tag}", twin)])
    page = page_as(work_people.emails["rosa"])
    page.set_viewport_size(PHONE)
    page.goto(f"/tasks/{work_program.task_ids['APP-1']}")
    _fits(page)
    picker = page.get_by_test_id("assignment-form").get_by_label("Resource")
    _on_screen(picker)
    picker.select_option(label=f"{twin} · kai-contractor-{tag} (person, capacity 100 %)")
    page.get_by_test_id("assignment-form").get_by_role("button", name="Assign").click()
    key = page.get_by_test_id("assignment-list").get_by_test_id("name-key")
    expect(key).to_have_text(f"kai-contractor-{tag}")
    _on_screen(key)
    _fits(page)
    screenshot(page.get_by_test_id("assignments"), "task-assignments-namesakes-phone.png")
