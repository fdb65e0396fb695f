"""`podium task add --parent`, `task move --parent` and `task indent` refuse to put a
first sub-task under a task with a budget or an actual cost: as a summary its own costs
would silently stop counting (its budget and actual cost are its sub-tasks' sums)."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from podium.models import Task
from podium.services import tasks
from podium.services.actor import SYSTEM
from tests.factories import make_program, make_project
from tests.integration.test_cli_programs import flat, podium

REFUSAL = (
    "task DATA-1 has a budget of 12,000 and cannot take sub-tasks: a summary's budget and "
    "actual cost are the sums of its sub-tasks' (what earned value counts), so its own "
    "would no longer count; clear it first, and give it to the sub-tasks"
)


def _parents(engine: Engine) -> dict[str, int | None]:
    with Session(engine) as session:
        return {key: parent for key, parent in session.execute(select(Task.key, Task.parent_id))}


def test_a_task_with_a_budget_takes_no_sub_task_from_the_command_line(
    cli_env: None, engine: Engine, db: Session
) -> None:
    cloud = make_program(db, key="CLOUD")
    data = make_project(db, cloud, "DATA", name="Data migration")
    for name, budget in (("Migrate data", 12000.0), ("Copy the data", 0.0)):
        tasks.create_task(db, SYSTEM, project_id=data.id, name=name, budget=budget)
    db.commit()

    for args in (
        ("add", "CLOUD", "--project", "DATA", "--name", "Part", "--parent", "DATA-1"),
        ("move", "CLOUD", "DATA-2", "--parent", "DATA-1"),
        ("indent", "CLOUD", "DATA-2"),
    ):
        code, out = podium("task", *args)
        assert code == 1, args
        assert REFUSAL in flat(out), args
    assert _parents(engine) == {"DATA-1": None, "DATA-2": None}

    code, out = podium("task", "set", "CLOUD", "DATA-1", "--budget", "0")
    assert code == 0, out
    code, out = podium("task", "indent", "CLOUD", "DATA-2")
    assert code == 0, out
    assert _parents(engine)["DATA-2"] is not None
