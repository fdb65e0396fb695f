"""`podium audit` names what a change's fields point at — a risk's owner and linked
projects and tasks, an action's owner, an assignment's task and resource, a resource's
account — instead of their ids; a record deleted since is named as it was, marked
deleted (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.models import Program, Role
from podium.services import risks, tasks
from podium.services.actor import Actor
from podium.services.resources.assignments import create_assignment
from podium.services.resources.catalog import create_resource
from tests.factories import add_member, make_program, make_project, make_task, make_user

pytestmark = pytest.mark.db

runner = CliRunner()


@dataclass(frozen=True)
class Named:
    """What :func:`record_named_changes` made: the program, and the id of the task that
    went without an audit entry of its going."""

    program: Program
    unrecorded_task_id: int


def record_named_changes(db: Session) -> Named:
    """CLOUD (owner Maria Lopez, member Sam Okoro; projects DATA, PLAT, SEC): R1 raised
    by Maria, owned by her and linked to DATA and PLAT-1, then given to Sam and linked to
    PLAT and SEC and to PLAT-1, PLAT-2 and SEC-1; an action of R1 for Sam; the resource
    "Sam" (his account) put on PLAT-1. PLAT-2 is then deleted (the log keeps its going),
    and SEC-1 is removed behind the log's back."""
    maria = make_user(db, email="maria@example.com", name="Maria Lopez")
    sam = make_user(db, email="sam@example.com", name="Sam Okoro")
    cloud = make_program(db, owner=maria, key="CLOUD")
    add_member(db, cloud, sam, Role.MEMBER)
    data, plat, sec = (make_project(db, cloud, key) for key in ("DATA", "PLAT", "SEC"))
    first, second = make_task(db, plat, "PLAT-1"), make_task(db, plat, "PLAT-2", wbs="2")
    third = make_task(db, sec, "SEC-1")
    actor = Actor.of(maria)
    risk = risks.create_risk(
        db, actor, program_id=cloud.id, title="Engineer leaves", probability=2, impact=3,
        owner_id=maria.id, project_ids=[data.id], task_ids=[first.id],
    )  # fmt: skip
    risks.update_risk(
        db, actor, risk.id,
        {"owner_id": sam.id, "project_ids": [plat.id, sec.id],
         "task_ids": [first.id, second.id, third.id]},
    )  # fmt: skip
    risks.add_action(db, actor, risk.id, title="Pair up", owner_id=sam.id)
    admin = Actor.of(make_user(db, email="admin@example.com", is_admin=True))
    resource = create_resource(db, admin, key="sam", name="Sam", user_id=sam.id)
    create_assignment(db, actor, task_id=first.id, resource_id=resource.id, units=0.5)
    db.commit()
    tasks.delete_task(db, actor, second.id)
    db.delete(third)
    db.commit()
    return Named(cloud, third.id)


def test_audit_names_owners_links_and_records_deleted_since(cli_env: None, db: Session) -> None:
    named = record_named_changes(db)
    result = runner.invoke(app, ["audit", "--program", "CLOUD", "--limit", "100"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "owner: Maria Lopez → Sam Okoro" in out
    assert "projects: DATA → PLAT, SEC" in out
    gone = f"#{named.unrecorded_task_id} (deleted)"
    assert f"tasks: PLAT-1 → PLAT-1, PLAT-2 (deleted), {gone}" in out, out
    assert "owner: Sam Okoro" in out  # the action, created
    assert "task: PLAT-1" in out and "resource: Sam" in out  # the assignment
    assert "owner id" not in out and "project ids" not in out and "task ids" not in out
    resources = runner.invoke(app, ["audit", "--entity-type", "resource"])
    assert resources.exit_code == 0, resources.output
    assert "account: Sam Okoro" in resources.output
