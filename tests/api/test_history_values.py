"""The history page words the values it shows (a list, a record) and lists a change's fields
in the same order on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast, Net

pytestmark = pytest.mark.db


def _changes(page: str) -> list[str]:
    found = re.findall(r'<ul class="changes">(.*?)</ul>', page, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block)).strip() for block in found]


def test_lists_and_records_are_worded_and_fields_come_in_one_order(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    hook = cast.manager.post(
        f"/api/v1/programs/{cast.program.id}/webhooks",
        json={"url": "https://93.184.215.14/hook", "events": ["report.issued", "alert.raised"]},
    )
    assert hook.status_code == 201, hook.text
    raised = cast.member.post(
        f"/api/v1/programs/{cast.program.id}/change-requests",
        json={
            "title": "Pilot slips",
            "changes": [
                {"type": "slip", "task_id": net.plat["id"], "days": 5},
                {
                    "type": "add_dependency",
                    "predecessor": {"type": "task", "id": net.sec["id"]},
                    "successor": {"type": "task", "id": net.train["id"]},
                },
            ],
        },
    )
    assert raised.status_code == 201, raised.text
    page = browser_as("viewer@example.com").get(f"/programs/{cast.program.id}/history")
    shown = " | ".join(_changes(page))
    assert "Events alert.raised; report.issued" in shown, shown
    assert "Changes type: slip, days: 5, " in shown and f"task_id: {net.plat['id']}" in shown
    # a long value is cut on the page and read whole in its title
    assert f"predecessor: (type: task, id: {net.sec['id']})" in page
    assert "{" not in shown and "[" not in shown and "'" not in shown, shown
    webhook = next(c for c in _changes(page) if "alert.raised" in c)
    assert webhook.index("Active") < webhook.index("Events") < webhook.index("Format"), webhook
    assert "/hook" not in page  # the receiver's path is not for every member to read
