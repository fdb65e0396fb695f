"""The WBS: the one-pass layout against a plain recursive reference, and renumbering at scale."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import Session

from podium.db import session_factory
from podium.errors import Conflict, StaleVersion
from podium.models import Project, Task
from podium.services import projects, tasks
from podium.services.actor import SYSTEM
from podium.services.tasks import NEW, Row, layout
from tests.factories import make_program


def reference_layout(rows: list[Row]) -> dict[int, tuple[int, str]]:
    """The textbook definition: siblings by (position, id), codes by recursion."""

    def walk(parent: int | None, prefix: str) -> dict[int, tuple[int, str]]:
        kids = sorted((r for r in rows if r[1] == parent), key=lambda r: (r[2], r[0]))
        out: dict[int, tuple[int, str]] = {}
        for index, row in enumerate(kids):
            code = f"{prefix}{index + 1}"
            out[row[0]] = (index, code)
            out.update(walk(row[0], code + "."))
        return out

    return walk(None, "")


def random_tree(rng: random.Random, size: int) -> list[Row]:
    rows: list[Row] = []
    for task_id in range(1, size + 1):
        parent = rng.choice([None, *[r[0] for r in rows]]) if rows else None
        rows.append((task_id, parent, rng.randint(0, 5), ""))  # ties and gaps on purpose
    return rows


@pytest.mark.parametrize("seed", range(20))
def test_layout_agrees_with_the_recursive_definition(seed: int) -> None:
    rows = random_tree(random.Random(seed), 60)
    assert layout(rows) == reference_layout(rows)


def test_placing_a_new_task_shifts_only_what_follows_it() -> None:
    rows: list[Row] = [(1, None, 0, "1"), (2, 1, 0, "1.1"), (3, None, 1, "2"), (4, 3, 0, "2.1")]
    codes = layout(rows, (NEW, None, 1))
    assert codes[NEW] == (1, "2")
    assert codes[1] == (0, "1") and codes[2] == (0, "1.1")
    assert codes[3] == (2, "3") and codes[4] == (0, "3.1")


def test_a_placement_past_the_end_goes_last() -> None:
    rows: list[Row] = [(1, None, 0, "1"), (2, None, 1, "2")]
    assert layout(rows, (NEW, None, 99))[NEW] == (2, "3")
    assert layout(rows, (1, None, None))[1] == (1, "2")


def test_a_tree_too_deep_for_its_codes_is_a_conflict() -> None:
    rows: list[Row] = [(i, i - 1 if i > 1 else None, 0, "") for i in range(1, 60)]
    with pytest.raises(Conflict):
        layout(rows)


@contextmanager
def counting_queries(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _project_with(db: Session, size: int, key: str) -> Project:
    """A project of ``size`` tasks in ten top-level groups, numbered in one pass."""
    program = make_program(db, key=f"W{key}")
    project = projects.create_project(db, SYSTEM, program_id=program.id, key=key, name=key)
    groups = [
        Task(program_id=program.id, project_id=project.id, key=f"{key}-G{g}", name=f"group {g}")
        for g in range(10)
    ]
    db.add_all(groups)
    db.flush()
    db.add_all(
        Task(
            program_id=program.id,
            project_id=project.id,
            parent_id=groups[i % 10].id,
            key=f"{key}-{i}",
            name=f"task {i}",
            position=i,
        )
        for i in range(size - 10)
    )
    db.flush()
    tasks.renumber_project(db, project.id)
    db.commit()
    return project


def test_moving_a_task_costs_as_many_queries_in_a_big_project_as_in_a_small_one(
    db: Session, engine: Engine
) -> None:
    counts = []
    for size, key in ((20, "SMALL"), (2000, "BIG")):
        project = _project_with(db, size, key)
        first_group = db.scalar(select(Task).where(Task.key == f"{key}-G0"))
        assert first_group is not None and first_group.wbs == "1"
        with counting_queries(engine) as statements:
            tasks.move_task(db, SYSTEM, first_group.id, parent_id=None, position=None)
            db.commit()
        counts.append(len(statements))
        codes = dict(
            db.execute(select(Task.key, Task.wbs).where(Task.project_id == project.id)).all()
        )
        assert codes[f"{key}-G0"] == "10" and codes[f"{key}-G1"] == "1"
        assert codes[f"{key}-0"] == "10.1" and codes[f"{key}-1"] == "1.1"
        assert len(set(codes.values())) == size
    assert counts[0] == counts[1]


def test_renumbering_repairs_positions_and_codes_in_one_pass(db: Session) -> None:
    project = _project_with(db, 50, "FIX")
    db.execute(update(Task).values(position=0, wbs=""))
    db.commit()
    tasks.renumber_project(db, project.id)
    db.commit()
    rows = db.execute(
        select(Task.id, Task.parent_id, Task.position, Task.wbs).where(
            Task.project_id == project.id
        )
    ).all()
    assert {r.wbs for r in rows if r.parent_id is None} == {str(i) for i in range(1, 11)}
    assert all(r.wbs for r in rows)
    assert len({r.wbs for r in rows}) == 50


def test_restructuring_a_task_someone_else_just_moved_is_refused_as_stale(
    db: Session, engine: Engine
) -> None:
    program = make_program(db, key="RACE")
    project = projects.create_project(db, SYSTEM, program_id=program.id, key="R", name="R")
    tasks.create_task(db, SYSTEM, project_id=project.id, name="A")
    b = tasks.create_task(db, SYSTEM, project_id=project.id, name="B")
    db.commit()
    other = session_factory(engine)()
    try:
        seen = other.get(Task, b.id)  # read while B is still at the top level
        assert seen is not None and seen.parent_id is None
        tasks.indent_task(db, SYSTEM, b.id)
        db.commit()
        with pytest.raises(StaleVersion):
            tasks.move_task(other, SYSTEM, b.id, parent_id=None, position=0)
    finally:
        other.rollback()
        other.close()
    assert db.scalar(select(Task.wbs).where(Task.id == b.id)) == "1.1"
