"""`podium scenario create/list/compare/apply/discard` on the demo program."""

from __future__ import annotations

from sqlalchemy import Engine, exists, select
from sqlalchemy.orm import Session, aliased
from typer.testing import CliRunner

from podium.cli import app
from podium.models import Program, Scenario, ScenarioStatus, Task
from podium.services import tasks as task_service
from podium.services.actor import SYSTEM
from podium.services.uow import complete

runner = CliRunner()


def podium(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _lengthen_a_task(engine: Engine, program_key: str, *, key: str | None = None) -> str:
    """Add five days to a leaf task not started yet (the given one, or the first)."""
    with Session(engine) as session:
        child = aliased(Task)
        query = (
            select(Task)
            .join(Program, Program.id == Task.program_id)
            .where(
                Program.key == program_key,
                Task.actual_start.is_(None),
                Task.duration > 0,
                ~exists().where(child.parent_id == Task.id),
            )
            .order_by(Task.early_start, Task.id)
        )
        if key is not None:
            query = query.where(Task.key == key)
        task = session.scalars(query).first()
        assert task is not None
        task_service.update_task(session, SYSTEM, task.id, {"duration": task.duration + 5})
        complete(session)
        return task.key


def test_a_scenario_is_created_compared_and_applied_and_a_conflict_refuses_apply(
    demo: None, engine: Engine
) -> None:
    code, out = podium("scenario", "create", "CLOUD", "Longer pilot", "-d", "what if")
    assert code == 0, out
    assert "S1 'Longer pilot'" in out and "CLOUD~S1" in out
    key = _lengthen_a_task(engine, "CLOUD~S1")
    code, out = podium("scenario", "list", "CLOUD")
    assert code == 0 and "S1 Longer pilot" in out and "active" in out, out
    code, out = podium("scenario", "compare", "CLOUD~S1")
    assert code == 0, out
    assert "program finish" in out and f"tasks changed: {key}" in out
    code, out = podium("scenario", "compare", "CLOUD/S1", "--format", "json")
    assert code == 0 and '"tasks_changed"' in out, out

    code, out = podium("scenario", "apply", "CLOUD/S1")
    assert code == 0, out
    assert "applied S1 Longer pilot: updated 1 task" in out and "1 tasks" not in out
    with Session(engine) as session:
        (scenario,) = session.scalars(select(Scenario))
        assert scenario.status == ScenarioStatus.APPLIED
        assert session.scalar(select(Program.id).where(Program.key == "CLOUD~S1")) is None

    code, out = podium("scenario", "create", "CLOUD", "Another")
    assert code == 0 and "CLOUD~S2" in out, out
    for _ in range(2):  # ten days longer in the scenario
        _lengthen_a_task(engine, "CLOUD~S2", key=key)
    _lengthen_a_task(engine, "CLOUD", key=key)  # and five in the live plan meanwhile
    code, out = podium("scenario", "apply", "CLOUD~S2")
    assert code == 1
    assert "conflict" in out and f"task {key}" in out and "changed" in out
    code, out = podium("scenario", "discard", "CLOUD~S2")
    assert code == 0 and "discarded S2 Another" in out, out
    code, out = podium("scenario", "list", "CLOUD", "--all")
    assert "applied" in out and "discarded" in out, out
    code, out = podium("scenario", "compare", "CLOUD~S9")
    assert code == 1 and "no scenario" in out
    code, out = podium("scenario", "compare", "CLOUD~S1", "--format", "xml")
    assert code == 1 and "--format must be table or json" in out


def test_a_scenario_is_also_named_by_its_program_then_its_key_or_name(
    demo: None, engine: Engine
) -> None:
    for name in ("Longer pilot", "Second lab"):
        code, out = podium("scenario", "create", "CLOUD", name)
        assert code == 0, out
    code, out = podium("scenario", "compare", "CLOUD", "s1")
    assert code == 0 and "program finish" in out, out
    code, out = podium("scenario", "discard", "CLOUD", "second LAB")
    assert code == 0 and "discarded S2 Second lab" in out, out
    code, out = podium("scenario", "apply", "CLOUD", "S9")
    assert code == 1 and "no scenario 'S9' in CLOUD" in out and "S1 'Longer pilot'" in out
    code, out = podium("scenario", "apply", "CLOUD", "Longer pilot")
    assert code == 0 and "applied S1 Longer pilot" in out, out
    with Session(engine) as session:
        states = {s.number: s.status for s in session.scalars(select(Scenario))}
    assert states == {1: ScenarioStatus.APPLIED, 2: ScenarioStatus.DISCARDED}


def test_scenarios_are_made_applied_and_discarded_as_a_person_with_their_role(
    demo: None, engine: Engine
) -> None:
    viewer, manager = "erin@podium.local", "li@podium.local"
    code, out = podium("scenario", "create", "CLOUD", "By a viewer", "--as", viewer)
    assert code == 1 and "viewer" in out, out
    code, out = podium("scenario", "create", "CLOUD", "By Li", "--as", manager)
    assert code == 0, out
    for verb in ("apply", "discard"):
        code, out = podium("scenario", verb, "CLOUD~S1", "--as", viewer)
        assert code == 1 and "viewer" in out, (verb, out)
    code, out = podium("scenario", "apply", "CLOUD~S1", "--as", manager)
    assert code == 0 and "applied S1 By Li" in out, out
