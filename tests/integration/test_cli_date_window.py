"""Commands refuse a date outside 1900-01-01 to 2200-12-31 as the API does (the services
check it), and `podium program close` refuses a closing day that has not come."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from podium.cli import program_close  # noqa: F401  (registers `program close`)
from podium.models import Program, ProgramStatus, Task
from podium.services.governance import retrospective
from podium.services.scheduling import mark_program
from podium.services.uow import complete
from tests.factories import make_program, make_project, make_task
from tests.integration.test_cli_programs import flat, podium

pytestmark = pytest.mark.db

WINDOW = "1900-01-01 to 2200-12-31"


@pytest.fixture
def cloud(db: Session, monkeypatch: pytest.MonkeyPatch) -> Program:
    monkeypatch.setattr(retrospective, "today", lambda: date(2030, 1, 7))
    program = make_program(db, key="CLOUD", start_date=date(2027, 1, 4))
    make_task(db, make_project(db, program, "DATA"), "DATA-1", duration=5)
    mark_program(db, program.id)
    complete(db)
    return program


def _stored(engine: Engine) -> tuple[date, date | None, ProgramStatus]:
    with Session(engine) as session:
        program = session.scalar(select(Program).where(Program.key == "CLOUD"))
        task = session.scalar(select(Task).where(Task.key == "DATA-1"))
        assert program is not None and task is not None
        return program.start_date, task.deadline, program.status


@pytest.mark.parametrize(
    "args",
    [
        ("program", "set", "CLOUD", "--start", "0001-01-04"),
        ("program", "set", "CLOUD", "--status-date", "9999-12-31"),
        ("task", "set", "CLOUD", "DATA-1", "--deadline", "0999-06-30"),
        ("program", "close", "CLOUD", "--closed-on", "2999-01-01", "--yes"),
    ],
)
def test_a_command_refuses_a_date_outside_the_window_and_changes_nothing(
    cli_env: None, engine: Engine, cloud: Program, args: tuple[str, ...]
) -> None:
    code, out = podium(*args)
    assert code == 1, out
    assert WINDOW in flat(out) and args[-1 if args[-1] != "--yes" else -2] in flat(out)
    assert _stored(engine) == (date(2027, 1, 4), None, ProgramStatus.ACTIVE)


def test_a_program_is_not_closed_on_a_day_that_has_not_come(
    cli_env: None, engine: Engine, cloud: Program
) -> None:
    code, out = podium("program", "close", "CLOUD", "--closed-on", "2030-01-08", "--yes")
    assert code == 1, out
    assert "2030-01-08 is in the future" in flat(out) and "today (2030-01-07)" in flat(out)
    assert _stored(engine)[2] == ProgramStatus.ACTIVE
    code, out = podium("program", "close", "CLOUD", "--closed-on", "2030-01-07", "--yes")
    assert code == 0, out
    assert _stored(engine)[2] == ProgramStatus.CLOSED
