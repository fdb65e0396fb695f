"""`podium resource load --period`: whole calendar months and weeks, headed with the year.

MONTHS has its status date on Mon 30 Nov 2026. Ana (full time, Mon–Fri) works T-1 from
Mon 2 to Fri 27 Nov (20 of November's 21 working days) and T-2 at 50 % through December
(11.5 unit-days of its 23 working days).
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.models import Assignment, Resource
from tests.factories import make_program, make_project, make_task

runner = CliRunner()


def _months_plan(engine: Engine) -> None:
    with Session(engine) as session:
        program = make_program(
            session, key="MONTHS", start_date=date(2026, 11, 2), status_date=date(2026, 11, 30)
        )
        project = make_project(session, program, "T")
        ana = Resource(key="ana", name="Ana")
        session.add(ana)
        session.flush()
        for key, first, last, units in (
            ("T-1", date(2026, 11, 2), date(2026, 11, 27), 1.0),
            ("T-2", date(2026, 12, 1), date(2026, 12, 31), 0.5),
        ):
            task = make_task(session, project, key, early_start=first, early_finish=last)
            session.add(
                Assignment(program_id=program.id, task_id=task.id, resource_id=ana.id, units=units)
            )
        session.commit()


def _table(output: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("│┃").split("│" if "│" in line else "┃")]
        for line in output.splitlines()
        if re.match(r"^[│┃]", line)
    ]


def test_months_are_whole_calendar_months_with_their_year(cli_env: None, engine: Engine) -> None:
    _months_plan(engine)
    result = runner.invoke(
        app, ["resource", "load", "MONTHS", "--period", "month", "--columns", "3"]
    )
    assert result.exit_code == 0, result.output
    header, row = _table(result.output)
    assert header == ["resource", "Nov 2026", "Dec 2026", "Jan 2027"]
    # 20 / 21 = 95 % (not Mon 30 Nov alone, 0 %); 11.5 / 23 = 50 %; nothing in January
    assert row == ["ana", "95%", "50%", "0%"]


def test_weeks_carry_the_year_on_the_first_column_and_where_it_changes(
    cli_env: None, engine: Engine
) -> None:
    _months_plan(engine)
    result = runner.invoke(
        app, ["resource", "load", "MONTHS", "--period", "week", "--columns", "6"]
    )
    assert result.exit_code == 0, result.output
    header, row = _table(result.output)
    assert header == [
        "resource",
        "30 Nov 2026",
        "7 Dec",
        "14 Dec",
        "21 Dec",
        "28 Dec",
        "4 Jan 2027",
    ]
    # Tue 1–Fri 4 Dec at 50 %: 2 of 5; then 2.5 of 5 a week; Mon 28–Thu 31 Dec: 2 of 5
    assert row == ["ana", "40%", "50%", "50%", "50%", "40%", "0%"]
