"""The overview lists the most severe open alerts and, on asking, every one of them; a
form says a refused value in its own unit; addresses lead to their pages."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Alert, AlertKind, Severity
from tests.api.conftest import Browser, Cast
from tests.api.test_benefits import create as create_benefit

pytestmark = pytest.mark.db


def _raise_alerts(db: Session, program_id: int, count: int) -> None:
    for n in range(count):
        severity = Severity.LOW if n == 0 else Severity.HIGH  # the low one is the least severe
        db.add(
            Alert(
                program_id=program_id,
                kind=AlertKind.DEADLINE_MISSED,
                severity=severity,
                fingerprint=f"test-{n}",
                subject_type="task",
                subject_id=n + 1,
                title=f"Alert number {n}",
            )
        )
    db.commit()


def test_the_most_severe_alerts_are_shown_and_all_of_them_on_asking(
    cast: Cast, db: Session, browser_as: Callable[[str], Browser]
) -> None:
    _raise_alerts(db, cast.program.id, 12)
    viewer = browser_as("viewer@example.com")
    page = viewer.get(f"/programs/{cast.program.id}")
    assert len(re.findall(r'class="alert-item ', page)) == 8
    assert "The 8 most severe of 12 open alerts." in page
    assert "Alert number 0<" not in page  # the low one is left out
    assert f'href="/programs/{cast.program.id}?alerts=all#alerts-heading"' in page
    every = viewer.get(f"/programs/{cast.program.id}?alerts=all")
    assert len(re.findall(r'class="alert-item ', every)) == 12
    assert "Alert number 0<" in every and "All 12 open alerts." in every
    refused = viewer.client.get(f"/programs/{cast.program.id}?alerts=some")
    assert refused.status_code == 400


def _tile(page: str) -> str:
    """The text under the open-alerts count on the overview, tags and spaces dropped."""
    found = re.search(r'data-testid="alerts-crossing">(.*?)</p>', page, re.S)
    assert found is not None
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_the_alerts_tile_never_counts_only_the_alerts_shown_as_all_that_cross_projects(
    cast: Cast, db: Session, browser_as: Callable[[str], Browser]
) -> None:
    _raise_alerts(db, cast.program.id, 12)
    for alert in db.scalars(select(Alert).where(Alert.program_id == cast.program.id)):
        alert.cross_project = alert.fingerprint != "test-1"  # 11 of the 12 cross projects
    db.commit()
    viewer = browser_as("viewer@example.com")

    shown = _tile(viewer.get(f"/programs/{cast.program.id}"))
    every = _tile(viewer.get(f"/programs/{cast.program.id}?alerts=all"))

    # the 8 shown are not all of them: the tile counts every open alert
    assert shown == "11 cross projects", shown
    assert every == "11 cross projects"


def test_a_forecast_uncertainty_out_of_range_is_refused_in_the_forms_own_unit(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    manager = browser_as("manager@example.com")
    response = manager.post(
        f"/programs/{cast.program.id}/forecast",
        {"iterations": "200", "distribution": "pert", "default_uncertainty": "95"},
    )
    assert response.status_code == 422
    assert "Must be between 0 and 90 (± % of the duration)." in response.text
    assert "0.9" not in response.text


def test_the_browsers_favicon_request_finds_the_icon(cast: Cast) -> None:
    answer = cast.viewer.client.get("/favicon.ico", follow_redirects=False)
    assert answer.status_code == 301 and answer.headers["location"] == "/static/favicon.svg"
    assert cast.viewer.client.get("/static/favicon.svg").status_code == 200


def test_a_benefits_address_opens_it_on_its_programs_tab(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    benefit = create_benefit(cast.manager, cast)
    viewer = browser_as("viewer@example.com")
    answer = viewer.client.get(f"/benefits/{benefit['id']}", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == benefit["url"]
    outsider = browser_as("outsider@example.com")
    assert outsider.client.get(f"/benefits/{benefit['id']}").status_code == 404
