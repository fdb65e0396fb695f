"""The WBS's row forms, refused, are drawn again at the version they were read at.

A row edit refused for what was typed, after someone else saved the task, came back at
the task's new version: saving it again wrote the typed name and duration over the other
change, with no 412. A refused move or delete drew its row's form at the version of the
table as redrawn, not the one the person had read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import update

from podium.models import Task
from podium.web import projects
from tests.api.conftest import Browser, Cast, Net
from tests.api.test_stale_forms_stay_stale import form_of
from tests.api.test_task_page_stale_forms import as_sent

TASKS = "/api/v1/tasks"


def test_a_row_edit_refused_after_someone_else_saved_keeps_the_version_read(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    web = browser_as("manager@example.com")
    base, task_id = f"/projects/{net.plat['project_id']}", net.plat["id"]
    read = form_of(web.get(f"{base}?edit={task_id}"), "row-form")
    renamed = cast.owner.patch(f"{TASKS}/{task_id}", json={"name": "Pilot (RENAMED BY B)"})
    assert renamed.status_code == 200, renamed.text

    refused = web.post(f"{base}/tasks/{task_id}", as_sent(read, duration="200000"))
    assert refused.status_code == 422, refused.text
    again = dict(form_of(refused.text, "row-form"))
    assert (again["version"], again["name"]) == (dict(read)["version"], "Pilot")  # as sent
    assert "changed by someone else since you opened it" in refused.text

    stale = web.post(f"{base}/tasks/{task_id}", as_sent(list(again.items()), duration="16"))
    assert stale.status_code == 412, stale.text
    assert dict(form_of(stale.text, "row-form"))["version"] == dict(read)["version"]
    task = cast.viewer.get(f"{TASKS}/{task_id}").json()
    assert (task["name"], task["duration"]) == ("Pilot (RENAMED BY B)", 10)


@pytest.mark.parametrize("action", ["delete", "move"])
def test_a_refused_delete_or_move_draws_its_row_at_the_version_read(
    cast: Cast,
    net: Net,
    browser_as: Callable[[str], Browser],
    monkeypatch: pytest.MonkeyPatch,
    action: str,
) -> None:
    web = browser_as("manager@example.com")
    base, task_id = f"/projects/{net.plat['project_id']}", net.plat["id"]
    url = f"{base}/tasks/{task_id}/{action}"
    # refused: PLAT-1 has a successor (delete), and is the first of its level (move up)
    opened = web.get(f"{base}?delete={task_id}" if action == "delete" else base)
    read = form_of(opened, f"action={url}") + ([("move", "up")] if action == "move" else [])
    drawn = projects.project_wbs

    def someone_saves_before_the_redraw(db: Any, actor: Any, project_id: int) -> Any:
        if next(redraws, False):  # the table read again after the refusal, to draw it
            cast.db.execute(
                update(Task)
                .where(Task.id == task_id)
                .values(name="Theirs", version=Task.version + 1)
            )
            cast.db.commit()
        return drawn(db, actor, project_id)

    redraws = iter([False, True])
    monkeypatch.setattr(projects, "project_wbs", someone_saves_before_the_redraw)
    refused = web.post(url, dict(read))
    assert refused.status_code == 409, refused.text
    assert dict(form_of(refused.text, f"action={url}"))["version"] == dict(read)["version"]
    if action == "delete":  # confirming the cascade is refused: Theirs stays
        assert web.post(url, dict(form_of(refused.text, f"action={url}"))).status_code == 412
        assert cast.viewer.get(f"{TASKS}/{task_id}").json()["name"] == "Theirs"
