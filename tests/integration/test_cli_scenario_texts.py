"""A scenario's name and description are checked by the service, whoever gives them: the
CLI names the option it refuses, as the API and the web form name the field."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.errors import ValidationFailed
from podium.models import Program, Scenario
from podium.services import scenarios
from podium.services.actor import SYSTEM
from tests.factories import make_program

runner = CliRunner()


def podium(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_a_name_or_description_the_api_refuses_is_refused_naming_the_option(
    cli_env: None, db: Session
) -> None:
    make_program(db, key="CLOUD")
    for args, said in (
        (["x" * 250], "NAME: at most 200 characters, not 250"),
        (["Pilot\x00late"], "NAME: contains a NUL character"),
        (["Pilot", "-d", "d" * 30_000], "--description: at most 20,000 characters, not 30,000"),
    ):
        code, out = podium("scenario", "create", "CLOUD", *args)
        assert code == 1 and said in out, out
    assert db.scalar(select(func.count()).select_from(Scenario)) == 0

    code, out = podium("scenario", "create", "CLOUD", "  Pilot late  ")
    assert code == 0, out
    (scenario,) = db.scalars(select(Scenario))
    with pytest.raises(ValidationFailed) as refused:
        scenarios.update_scenario(
            db, SYSTEM, scenario.id, {"name": "y" * 201, "description": "a\x1bb"}
        )
    assert [p["field"] for p in refused.value.details] == ["name", "description"]
    db.rollback()
    # the copy is named after the scenario: any name a scenario takes fits a program
    assert Program.__table__.c.name.type.length >= scenarios.NAME_LENGTH
    copy = db.get(Program, scenario.copy_program_id)
    assert copy is not None and copy.name == scenario.name == "Pilot late"
