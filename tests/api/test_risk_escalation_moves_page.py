"""The Escalations box of a risk's page: each move's reason with only its first letter
raised (project keys stay as they are), and a move back named after the level the risk
was raised at then, not the one it has now."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast
from tests.api.test_risks import URL, create
from tests.api.test_risks import projects as projects  # the fixture

pytestmark = pytest.mark.db


def _moves(page: str) -> list[str]:
    box = page[page.index('data-testid="escalations"') :]
    box = box[: box.index("</section>")]
    items = re.findall(r"<li>(.*?)</li>", box, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip() for item in items]


def test_reasons_keep_their_keys_and_a_move_back_names_the_level_of_its_time(
    cast: Cast, projects: dict[str, int], browser_as: Callable[[str], Browser]
) -> None:
    risk = create(cast.member, cast, projects, project_ids=list(projects.values()), probability=1)
    url = f"{URL}/{risk['id']}"
    back = cast.member.patch(url, json={"project_ids": [projects["PLAT"]]})
    assert back.status_code == 200 and back.json()["escalation"] == "none", back.text
    raised = cast.member.patch(url, json={"level": "program", "project_ids": []})
    assert raised.status_code == 200 and raised.json()["level"] == "program", raised.text
    newest, oldest = _moves(browser_as("viewer@example.com").get(f"/risks/{risk['id']}"))
    assert oldest.startswith("To program level") and "Linked to 2 projects (DATA, PLAT)" in oldest
    assert newest.startswith("Back to project level"), newest
    assert "No rule holds it up any more (score 3)" in newest
