"""`podium search TEXT` on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.factories import make_program, make_project, make_task
from tests.integration.test_cli_programs import flat, podium


def _rows(out: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("│")[1:-1]] for line in out.splitlines() if "│" in line]


def test_search_lists_every_kind_with_the_exact_key_first(
    cli_env: None, engine: Engine, db: Session
) -> None:
    cloud = make_program(db, key="CLOUD", name="Cloud migration")
    data = make_project(db, cloud, "DATA", name="Data transfer")
    make_task(db, data, "DATA-14", name="Wave 2")
    wave_1 = make_task(db, data, "DATA-4", wbs="2", name="Wave 1").id
    code, out = podium("search", "data-4")
    assert code == 0, out
    assert [row[1] for row in _rows(out)] == ["DATA-4"]  # DATA-14 holds "data-1", not "data-4"
    code, out = podium("search", "data")
    # the program ("Cloud migration") does not hold "data"; its project and tasks do,
    # the shorter key first (DATA-4 before DATA-14, not as text sorts them)
    assert [row[:2] for row in _rows(out)] == [
        ["project", "DATA"],
        ["task", "DATA-4"],
        ["task", "DATA-14"],
    ]
    code, out = podium("search", "wave 1")
    assert _rows(out) == [
        ["task", "DATA-4", "Wave 1", "CLOUD", "Data transfer", f"/tasks/{wave_1}"]
    ]
    code, out = podium("search", "data", "--limit", "1")
    assert code == 0
    assert "More tasks match than --limit 1 shows." in flat(out)


def test_search_for_nothing_or_too_much(cli_env: None, engine: Engine, db: Session) -> None:
    make_program(db, key="CLOUD")
    code, out = podium("search", "zzz")
    assert code == 0 and "Nothing matches 'zzz'." in out
    code, out = podium("search", "  ")
    assert code == 1 and "give 1 to 200 characters" in flat(out)
