"""`podium risk action done|set` on a closed risk need a manager, as adding an action does;
and a done date (`--on`) is neither after today nor before the risk was raised."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Program, RiskAction, Role
from podium.services import risks
from podium.services.actor import SYSTEM
from podium.services.common import today
from tests.factories import add_member, make_program, make_project, make_user
from tests.integration.test_cli_programs import flat, podium

pytestmark = pytest.mark.db


@pytest.fixture
def closed(cli_env: None, db: Session) -> Program:
    """CLOUD: R1 (open) with an open action, R2 (closed) with a done one; lea is a
    manager, mia a member."""
    cloud = make_program(db, key="CLOUD")
    data = make_project(db, cloud, "DATA")
    for name, role in (("lea", Role.MANAGER), ("mia", Role.MEMBER)):
        add_member(db, cloud, make_user(db, email=f"{name}@example.com"), role)
    made = []
    for title in ("Engineer leaves", "Design not approved"):
        risk = risks.create_risk(
            db, SYSTEM, program_id=cloud.id, title=title, probability=2, impact=3,
            project_ids=[data.id],
        )  # fmt: skip
        action = risks.add_action(db, SYSTEM, risk.id, title=f"Act on {title.lower()}")
        made.append((risk.id, action.id))
    second, action = made[1]
    risks.update_action(db, SYSTEM, second, action, {"done": True})
    risks.update_risk(db, SYSTEM, second, {"status": "closed"})
    db.commit()
    return cloud


def _action(db: Session, title: str) -> RiskAction:
    db.expire_all()
    return db.scalars(select(RiskAction).where(RiskAction.title == title)).one()


def test_a_member_cannot_reopen_or_change_an_action_of_a_closed_risk(
    closed: Program, db: Session
) -> None:
    action = _action(db, "Act on design not approved")
    ident = str(action.id)
    as_mia = ("--as", "mia@example.com")
    for args in (
        ("done", "CLOUD", "R2", ident, "--undo"),
        ("set", "CLOUD", "R2", ident, "--title", "x"),
    ):
        code, out = podium("risk", "action", *args, *as_mia)
        assert code == 1, out
        assert "manager or above is needed to change a closed risk" in flat(out)
    kept = _action(db, "Act on design not approved")
    assert kept.done and kept.version == action.version
    code, out = podium(
        "risk", "action", "done", "CLOUD", "R2", ident, "--undo", "--as", "lea@example.com"
    )
    assert code == 0, out
    assert not _action(db, "Act on design not approved").done


@pytest.mark.parametrize(
    ("day", "words"),
    [
        ((today() + timedelta(days=1)).isoformat(), "is in the future"),
        ("1900-01-01", "is before R1 was raised"),
    ],
)
def test_a_done_date_in_the_future_or_before_the_risk_is_refused(
    closed: Program, db: Session, day: str, words: str
) -> None:
    ident = str(_action(db, "Act on engineer leaves").id)
    code, out = podium(
        "risk", "action", "done", "CLOUD", "R1", ident, "--on", day, "--as", "mia@example.com"
    )
    assert code == 1, out
    assert f"--on: {day} {words}" in flat(out)
    assert not _action(db, "Act on engineer leaves").done
    code, out = podium("risk", "action", "done", "CLOUD", "R1", ident, "--as", "mia@example.com")
    assert code == 0 and f"done on {today().isoformat()}" in flat(out), out
