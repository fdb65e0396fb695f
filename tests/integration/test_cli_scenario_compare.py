"""`podium scenario compare` shows every kind of change the API's comparison lists, the
milestones' targets and P80s (saying when a forecast predates the plan's latest changes),
the clashes with the live plan, and its JSON is the API's."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.models import Scenario, User
from tests.factories import api_as

runner = CliRunner()


def podium(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (args, result.output)
    return result.exit_code, result.stdout


def test_compare_lists_links_milestones_and_assignments_and_warns_of_clashes(
    demo: None,
) -> None:
    podium("scenario", "create", "CLOUD", "Security waits on tooling")
    _, out = podium("scenario", "compare", "CLOUD~S1")
    assert "No changes" in out and "live P80s" not in out
    podium("task", "link", "CLOUD~S1", "SEC-4", "--after", "DATA-2")
    _, out = podium("scenario", "compare", "CLOUD~S1")
    assert "links added: DATA-2 → SEC-4" in out and "No changes" not in out, out

    podium("milestone", "set", "CLOUD~S1", "M1", "--target", "2027-01-20")
    podium("assignment", "set", "CLOUD~S1", "PLAT-3", "nadia", "--units", "50%")
    podium("milestone", "set", "CLOUD", "M1", "--target", "2027-01-22")  # live, meanwhile
    _, out = podium("scenario", "compare", "CLOUD~S1")
    lines = out.splitlines()
    m1 = next(line for line in lines if "M1 Pilot complete" in line)
    assert "target 2027-01-22 → 2027-01-20" in m1, m1
    # the demo's live forecast ran before the live change: its P80s are said to be older
    assert any(line.startswith("│ M1 P80 ") for line in lines), out
    assert "live P80s: forecast of" in out and "before the plan's latest changes" in out
    assert "assignments changed: nadia on PLAT-3 (units 1.0 → 0.5)" in out
    assert "milestones changed: M1 Pilot complete and trainers ready (target date" in out
    assert "warning:" in out and "milestone M1 was changed in the live plan" in out


def test_compare_as_json_is_the_apis_comparison(
    demo: None, db: Session, app_client: TestClient
) -> None:
    podium("scenario", "create", "CLOUD", "Security waits on tooling")
    podium("task", "link", "CLOUD~S1", "SEC-4", "--after", "DATA-2")
    _, out = podium("scenario", "compare", "CLOUD~S1", "--format", "json")
    scenario_id = db.scalars(select(Scenario.id)).one()
    li = db.scalars(select(User).where(User.email == "li@podium.local")).one()
    compared = api_as(app_client, db, li).get(f"/api/v1/scenarios/{scenario_id}/compare")
    assert compared.status_code == 200, compared.text
    assert json.loads(out) == compared.json()
    assert json.loads(out)["milestones"][0]["baseline"] is None  # kept, as the API keeps it
