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


# --- scenarios, assignments and change requests ------------------------------------------


def _shop_in(db: Session, currency: str | None) -> None:
    """SHOP, a second program (in ``currency``) where Ana works on WEB-1 for a week."""
    shop = make_program(db, key="SHOP", currency=currency)
    task = make_task(db, make_project(db, shop, "WEB"), "WEB-1", name="Open the shop")
    ana = catalog.find_resource(db, "ana")
    assert ana is not None
    assignments.create_assignment(db, SYSTEM, task_id=task.id, resource_id=ana.id)
    reschedule_program(db, shop.id)
    db.commit()


def test_scenario_compare_names_the_currency_on_its_cost_row(cli_env: None, db: Session) -> None:
    _costed_task(db, currency="EUR")
    code, out = podium("scenario", "create", "CLOUD", "Cheaper")
    assert code == 0, out
    code, out = podium("scenario", "compare", "CLOUD~S1")
    assert code == 0, out
    assert table_rows(out)["cost (EUR)"] == ["32,000", "32,000", ""]


def test_assignment_list_names_the_currency_once_and_each_line_carries_it(
    cli_env: None, db: Session
) -> None:
    _costed_task(db, currency="EUR")
    code, out = podium("assignment", "list", "CLOUD")
    assert code == 0, out
    assert "cost (EUR)" in out
    assert table_rows(out)["ana"][4] == "3,800.00"  # the heading names it, not each cell
    assert "in all: 40 h of work, cost 3,800.00\u00a0EUR" in out
    code, out = podium("assignment", "set", "CLOUD", "DATA-1", "ana", "--units", "50%")
    assert code == 0, out
    assert "Now 50%, 20 h of work, cost 1,900.00\u00a0EUR." in out
    code, out = podium("assign", "CLOUD", "DATA-1", "ana")
    assert code == 1 and "already on DATA-1 at 50%, 20 h of work, cost 1,900.00\u00a0EUR" in out
    code, out = podium("unassign", "CLOUD", "DATA-1", "ana")
    assert code == 0, out
    assert "(was 50%, 20 h of work, cost 1,900.00\u00a0EUR)" in out
    code, out = podium("assign", "CLOUD", "DATA-1", "ana")
    assert code == 0, out
    assert "at 100%, 40 h of work, cost 3,800.00\u00a0EUR." in out


def test_a_resources_costs_in_programs_of_two_currencies_are_never_added_together(
    cli_env: None, db: Session
) -> None:
    _costed_task(db, currency="EUR")
    _shop_in(db, "USD")
    code, out = podium("resource", "show", "ana")
    assert code == 0, out
    rows = table_rows(out)
    assert rows["CLOUD"][4] == "3,800.00\u00a0EUR" and rows["SHOP"][4] == "3,800.00\u00a0USD"
    assert "cost 3,800.00\u00a0EUR + 3,800.00\u00a0USD" in out
    assert "cost (" not in out


def test_a_resources_costs_in_programs_of_one_currency_name_it_once(
    cli_env: None, db: Session
) -> None:
    _costed_task(db, currency="EUR")
    _shop_in(db, "EUR")
    code, out = podium("resource", "show", "ana")
    assert code == 0, out
    assert "cost (EUR)" in out
    assert table_rows(out)["SHOP"][4] == "3,800.00"
    assert "in all: 80 h of work, cost 7,600.00\u00a0EUR" in out


def test_a_change_requests_cost_impact_carries_the_code(cli_env: None, db: Session) -> None:
    _costed_task(db, currency="EUR")
    code, out = podium("change", "raise", "CLOUD", "--title", "More", "--budget", "DATA-1=40000")
    assert code == 0, out
    assert "Impact: cost +8,000\u00a0EUR." in out
    code, out = podium("change", "set", "CLOUD", "CR-1", "--budget", "DATA-1=30000")
    assert code == 0, out
    assert "Impact: cost -2,000\u00a0EUR." in out
    code, out = podium("change", "list", "CLOUD")
    assert code == 0, out
    assert "cost (EUR)" in out
    assert table_rows(out)["CR-1"][-1] == "-2,000"


def test_without_a_currency_scenarios_assignments_and_change_requests_print_bare_amounts(
    cli_env: None, db: Session
) -> None:
    _costed_task(db, currency=None)
    _shop_in(db, None)
    said = []
    for args in (
        ("scenario", "create", "CLOUD", "Cheaper"),
        ("scenario", "compare", "CLOUD~S1"),
        ("assignment", "list", "CLOUD"),
        ("resource", "show", "ana"),
        ("assignment", "set", "CLOUD", "DATA-1", "ana", "--units", "50%"),
        ("change", "raise", "CLOUD", "--title", "More", "--budget", "DATA-1=40000"),
        ("change", "list", "CLOUD"),
    ):
        code, out = podium(*args)
        assert code == 0, (args, out)
        said.append(out)
    out = "\n".join(said)
    assert table_rows(said[1])["cost"] == ["32,000", "32,000", ""]
    totals = [line.strip() for line in out.splitlines() if line.startswith("in all:")]
    assert totals == ["in all: 40 h of work, cost 3,800.00", "in all: 80 h of work, cost 7,600.00"]
    assert "Now 50%, 20 h of work, cost 1,900.00." in out
    assert "Impact: cost +8,000." in out
    assert table_rows(said[-1])["CR-1"][-1] == "+8,000"
    assert "(" not in "".join(line for line in out.splitlines() if "cost" in line)
    assert "\u00a0" not in out
