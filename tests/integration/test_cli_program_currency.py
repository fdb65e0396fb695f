"""A program's currency on the command line: set at creation or later, cleared, checked,
and printed with a task's budget, actual cost and assignment costs (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from podium.models import Program
from podium.services.actor import SYSTEM
from podium.services.resources import assignments, catalog
from podium.services.scheduling import reschedule_program
from tests.factories import make_program, make_project, make_task
from tests.integration.test_cli_programs import facts, flat, podium, stored, table_rows
from tests.integration.test_cli_tasks import changes


def _costed_task(db: Session, *, currency: str | None) -> Program:
    """CLOUD with DATA-1, budget 32,000 and 1,250.50 spent, Ana (95 an hour) on it."""
    program = make_program(db, key="CLOUD", currency=currency)
    project = make_project(db, program, "DATA")
    task = make_task(db, project, "DATA-1", name="Copy the data", budget=32_000.0)
    task.actual_cost = 1250.5
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana", cost_rate=95.0)
    assignments.create_assignment(db, SYSTEM, task_id=task.id, resource_id=ana.id)
    reschedule_program(db, program.id)
    db.commit()
    return program


def test_create_takes_a_currency_in_any_case_and_show_prints_it(
    cli_env: None, engine: Engine
) -> None:
    code, out = podium(
        "program", "create", "DATA", "--name", "Data", "--start", "2027-01-04", "--currency", "eur"
    )
    assert code == 0, out
    made = stored(engine, "DATA")
    assert made is not None and made.currency == "EUR"
    code, out = podium("program", "show", "DATA")
    assert code == 0, out
    assert facts(out)["currency"] == "EUR"


def test_set_changes_and_clears_the_currency_saying_what_changed(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_program(db, key="CLOUD")
    code, out = podium("program", "set", "CLOUD", "--currency", "usd")
    assert code == 0, out
    assert "currency  — → USD" in out
    assert stored(engine, "CLOUD").currency == "USD"  # type: ignore[union-attr]
    code, out = podium("program", "set", "CLOUD", "--clear", "currency")
    assert code == 0, out
    assert "currency  USD → —" in out
    assert stored(engine, "CLOUD").currency is None  # type: ignore[union-attr]
    podium("program", "set", "CLOUD", "--currency", "GBP")
    code, out = podium("program", "set", "CLOUD", "--currency", "")
    assert code == 0, out
    assert stored(engine, "CLOUD").currency is None  # type: ignore[union-attr]
    code, out = podium("program", "show", "CLOUD")
    assert facts(out)["currency"] == "none (amounts without a sign)"


def test_a_code_that_is_not_iso_4217_is_refused_naming_the_option(
    cli_env: None, engine: Engine, db: Session
) -> None:
    make_program(db, key="CLOUD")
    code, out = podium("program", "set", "CLOUD", "--currency", "EURO")
    assert code == 1
    assert "--currency must be an ISO 4217 code: three letters" in flat(out)
    code, out = podium("program", "set", "CLOUD", "--currency", "ABC")
    assert code == 1 and "ABC is not an ISO 4217 currency code" in flat(out)
    code, out = podium(
        "program", "create", "DATA", "--name", "Data", "--start", "2027-01-04", "--currency", "E"
    )
    assert code == 1 and "--currency must be" in flat(out)
    assert stored(engine, "DATA") is None
    assert stored(engine, "CLOUD").currency is None  # type: ignore[union-attr]
    code, out = podium("program", "set", "CLOUD", "--currency", "EUR", "--clear", "currency")
    assert code == 1 and "give --currency or --clear currency, not both" in flat(out)


def test_a_tasks_budget_costs_and_assignment_costs_carry_the_code(
    cli_env: None, db: Session
) -> None:
    _costed_task(db, currency="EUR")
    code, out = podium("task", "show", "CLOUD", "DATA-1")
    assert code == 0, out
    shown = facts(out)
    assert shown["budget"] == "32,000.00\u00a0EUR"
    assert shown["actual cost"] == "1,250.50\u00a0EUR"
    assert "cost (EUR)" in out
    assert table_rows(out)["Ana"][-1] == "3,800.00"  # 5 days × 8 h × 95
    code, out = podium("task", "set", "CLOUD", "DATA-1", "--budget", "40000")
    assert code == 0, out
    assert changes(out)["budget"] == "32,000.00\u00a0EUR → 40,000.00\u00a0EUR"


def test_without_a_currency_amounts_are_bare(cli_env: None, db: Session) -> None:
    _costed_task(db, currency=None)
    code, out = podium("task", "show", "CLOUD", "DATA-1")
    assert code == 0, out
    assert facts(out)["budget"] == "32,000.00"
    assert table_rows(out)["Ana"][-1] == "3,800.00"
    assert "EUR" not in out and "cost (" not in out
