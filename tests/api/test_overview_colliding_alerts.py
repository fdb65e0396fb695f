"""The overview draws an over-allocation alert's tasks as a list of tasks that collide
(they overlap in time; none drives another), never as a chain with arrows; every other
alert keeps its chain, upstream → downstream."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from podium.models import Alert, AlertKind, Role
from tests.api.conftest import Browser, Cast
from tests.factories import add_member, make_milestone, make_project, make_task, make_user
from tests.integration.test_cli_alert_show import raise_every_kind
from tests.integration.test_over_allocation_shared import _plan, _priya_on_bx1

pytestmark = pytest.mark.db


def _every_kind(db: Session, cast: Cast) -> tuple[dict[AlertKind, int], dict[str, int]]:
    """One alert of each kind, about the tasks and milestone they name: alert ids by kind,
    record ids by key."""
    plat, train = (make_project(db, cast.program, key) for key in ("PLAT", "TRAIN"))
    records = {
        "PLAT-1": make_task(db, plat, "PLAT-1").id,
        "TRAIN-1": make_task(db, train, "TRAIN-1").id,
        "M1": make_milestone(db, cast.program, "M1").id,
    }
    return raise_every_kind(db, cast.program, records), records


def _items(page: str) -> dict[int, str]:
    """Each alert's item on the overview, by alert id."""
    return {
        int(alert_id): body
        for alert_id, body in re.findall(
            r'<li class="alert-item [^"]*" data-alert-id="(\d+)">(.*?)</li>'
            r'\s*(?=<li class="alert-item|</ul>)',
            page,
            re.S,
        )
    }


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace(" ,", ",").split())


def _colliding(item: str) -> str:
    found = re.search(r'data-testid="colliding">(.*?)</p>', item, re.S)
    assert found is not None, item
    return _text(found.group(1))


def test_an_over_allocation_lists_the_colliding_tasks_and_the_others_keep_their_chain(
    cast: Cast, db: Session, browser_as: Callable[[str], Browser]
) -> None:
    ids, records = _every_kind(db, cast)
    items = _items(browser_as("viewer@example.com").get(f"/programs/{cast.program.id}?alerts=all"))
    assert set(items) == set(ids.values())

    over = items[ids[AlertKind.OVER_ALLOCATION]]
    assert _colliding(over) == "PLAT PLAT-1, TRAIN TRAIN-1 collide"
    assert 'data-testid="chain"' not in over and "→" not in over and "icon-arrow" not in over
    link = f"/tasks/{records['PLAT-1']}"
    assert f'href="{link}"' in over and 'data-chain-key="TRAIN-1"' in over

    target = items[ids[AlertKind.MILESTONE_TARGET_MISSED]]
    assert 'data-testid="chain"' in target and 'data-testid="colliding"' not in target
    assert [*re.findall(r'data-chain-key="([^"]+)"', target)] == ["PLAT-1", "TRAIN-1", "M1"]
    for kind in (AlertKind.DEADLINE_MISSED, AlertKind.PAST_BASELINE):
        assert 'data-testid="chain"' in items[ids[kind]]
        assert 'data-testid="colliding"' not in items[ids[kind]]


def test_an_over_allocation_with_work_in_other_programs_says_so_without_naming_them(
    cast: Cast, db: Session, browser_as: Callable[[str], Browser]
) -> None:
    ids, _records = _every_kind(db, cast)
    alert = db.get(Alert, ids[AlertKind.OVER_ALLOCATION])
    assert alert is not None
    alert.details = {**alert.details, "other_programs": 2}
    db.commit()
    items = _items(browser_as("viewer@example.com").get(f"/programs/{cast.program.id}?alerts=all"))
    assert _colliding(items[alert.id]) == (
        "PLAT PLAT-1, TRAIN TRAIN-1 and work in 2 other programs collide"
    )


def test_a_detected_over_allocation_shared_with_another_program_reads_as_a_collision(
    app_client: object, db: Session, browser_as: Callable[[str], Browser]
) -> None:
    s = _plan(db)
    _priya_on_bx1(db, s)
    add_member(db, s.alpha, make_user(db, email="reader@example.com"), Role.VIEWER)
    page = browser_as("reader@example.com").get(f"/programs/{s.alpha.id}")
    texts = sorted(_colliding(item) for item in _items(page).values())
    assert texts == [
        "DATA DATA-1 collides with work in 1 other program",
        "PLAT PLAT-1, PLAT-2 collide",
    ]
    assert "BX-1" not in page
