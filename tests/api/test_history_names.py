"""The history pages and the audit log name what a change's fields point at (owners,
linked projects and tasks, an assignment's task and resource) instead of their ids, a
record deleted since as it was, marked deleted; with the same few queries however many
entries a page holds."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from podium.models import Role, User
from podium.services import pages_history, risks
from podium.services.actor import Actor
from tests.api.conftest import Browser
from tests.factories import add_member, make_project, make_user
from tests.integration.test_cli_audit_names import record_named_changes

pytestmark = pytest.mark.db


def _changes(page: str) -> list[str]:
    found = re.findall(r'<ul class="changes">(.*?)</ul>', page, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block)).strip() for block in found]


def test_the_history_and_the_audit_log_name_owners_links_and_deleted_records(
    db: Session, browser_as: Callable[[str], Browser]
) -> None:
    named = record_named_changes(db)
    gone = f"#{named.unrecorded_task_id} (deleted)"
    for who, url in (
        ("maria@example.com", f"/programs/{named.program.id}/history"),
        ("admin@example.com", f"/audit?program={named.program.id}"),
    ):
        shown = " | ".join(_changes(browser_as(who).get(url)))
        assert "Owner Maria Lopez → Sam Okoro" in shown, shown
        assert "Projects DATA → PLAT, SEC" in shown
        assert f"Tasks PLAT-1 → PLAT-1, PLAT-2 (deleted), {gone}" in shown
        assert "Task PLAT-1" in shown and "Resource Sam" in shown and "Owner Sam Okoro" in shown
        assert "Owner id" not in shown and "Project ids" not in shown and "Task ids" not in shown
    shown = " | ".join(_changes(browser_as("admin@example.com").get("/audit?entity_type=resource")))
    assert "Account Sam Okoro" in shown, shown


@contextmanager
def _counted(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_a_page_of_many_named_changes_takes_as_many_queries_as_a_page_of_a_few(
    db: Session, engine: Engine
) -> None:
    named = record_named_changes(db)
    program = named.program
    maria = db.scalars(select(User).where(User.email == "maria@example.com")).one()
    actor = Actor.of(maria)

    def history_queries() -> int:
        db.expire_all()
        with _counted(engine) as statements:
            pages_history.program_history(db, actor, program.id, limit=50, offset=0)
        return len(statements)

    few = history_queries()
    more = [make_project(db, program, f"X{n}") for n in range(6)]
    people = [make_user(db, email=f"p{n}@example.com", name=f"Person {n}") for n in range(6)]
    for person in people:
        add_member(db, program, person, Role.MEMBER)
    for n, (project, person) in enumerate(zip(more, people, strict=True)):
        risk = risks.create_risk(
            db, actor, program_id=program.id, title=f"Risk {n}", probability=1, impact=1,
            owner_id=person.id, project_ids=[project.id],
        )  # fmt: skip
        risks.update_risk(db, actor, risk.id, {"owner_id": maria.id})
    db.commit()
    assert history_queries() == few
