"""`podium resource list|load` and `podium level` on the demo program."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.models import Alert, AlertKind, Assignment, Program, Resource, Task
from tests.factories import make_program, make_project, make_task

runner = CliRunner()


def podium(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _open_over_allocations(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(Alert.title).where(
                    Alert.kind == AlertKind.OVER_ALLOCATION, Alert.resolved_at.is_(None)
                )
            )
        )


def test_level_previews_then_applies_and_the_alerts_resolve(demo: None, engine: Engine) -> None:
    assert sorted(t.split(" over-allocated")[0] for t in _open_over_allocations(engine)) == [
        "DevOps team",
        "Nadia Haddad (cloud architect)",
    ]
    code, out = podium("resource", "load", "CLOUD", "--columns", "5")
    assert code == 0, out
    assert "133%" in out and "150%" in out and "over-allocated Nadia Haddad" in out
    code, out = podium("level", "CLOUD")
    assert code == 0, out
    assert "resource-days over capacity 20 → 0" in out and "PLAT-6" in out and "Preview only" in out
    with Session(engine) as session:
        assert session.scalar(select(Task.leveled_start).where(Task.key == "PLAT-6")) is None
    code, out = podium("level", "CLOUD", "--apply")
    assert code == 0 and "Applied" in out, out
    with Session(engine) as session:
        assert session.scalar(select(Task.leveled_start).where(Task.key == "PLAT-6")) is not None
    assert _open_over_allocations(engine) == []
    code, out = podium("resource", "list", "--program", "CLOUD")
    assert code == 0 and "8 resource(s)" in out and "nadia" in out, out


def test_level_refuses_bad_options(demo: None) -> None:
    code, out = podium("level", "CLOUD", "--weight", "PLAT")
    assert code == 1 and "KEY=N" in out
    code, out = podium("level", "CLOUD", "--weight", "PLAT=3")
    assert code == 1 and "--weight goes with --optimize" in out
    for weight in ("PLAT=-1", "PLAT=1001", "PLAT=99999999999999999999", "=3"):
        code, out = podium("level", "CLOUD", "--optimize", "--weight", weight)
        said = " ".join(out.split())
        assert code == 1 and ("0 to 1000" in said or "KEY=N" in said), (weight, out)
    code, out = podium("level", "NOPE")
    assert code == 1 and "no program" in out
    code, out = podium("resource", "load", "CLOUD", "--period", "year")
    assert code == 1 and "day, week or month" in out
    for columns in ("0", "-5"):
        code, out = podium("resource", "load", "CLOUD", "--columns", columns)
        assert code == 2 and "--columns" in out, out


def test_level_says_whose_work_on_a_shared_person_it_kept_free(demo: None, engine: Engine) -> None:
    with Session(engine) as session:
        nadia = session.scalar(select(Resource).where(Resource.key == "nadia"))
        assert nadia is not None
        first = session.scalar(select(Program.status_date).where(Program.key == "CLOUD"))
        assert first is not None
        ops = make_program(session, key="OPS")
        run = make_task(
            session,
            make_project(session, ops, "RUN"),
            "RUN-1",
            early_start=first,
            early_finish=first + timedelta(days=60),
        )
        session.add(Assignment(program_id=ops.id, task_id=run.id, resource_id=nadia.id, units=0.5))
        session.commit()
    code, out = podium("level", "CLOUD")
    assert code == 0, out
    assert "Shared people's work in OPS is kept free (not moved)." in out


def test_level_applies_exactly_a_kept_preview(demo: None, engine: Engine) -> None:
    code, out = podium("level", "CLOUD")
    assert code == 0, out
    kept = re.search(r"kept as preview (\d+)", out)
    assert kept is not None, out
    code, out = podium("level", "CLOUD", "--preview", kept.group(1))
    assert code == 1 and "--preview goes with --apply" in out
    code, out = podium("level", "CLOUD", "--apply", "--preview", kept.group(1))
    assert code == 0 and "Applied" in out, out
    assert _open_over_allocations(engine) == []
    code, out = podium("level", "CLOUD", "--apply", "--preview", kept.group(1))
    assert code == 1 and "was already applied (by system, " in " ".join(out.split()), out
