"""`podium import FILE.csv --map FIELD=COLUMN` and `--columns`, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from podium.models import Dependency, Program, Task
from tests.integration.test_cli import podium

UNUSUAL = (
    "ID,Activity Title,Length,Needs,Start Date\n"
    "1,Survey the site,3,,2026-03-02\n"
    "2,Pour the slab,2,1FS+1,\n"
    "3,Cure,5,2,\n"
)
MAP = ["--map", "name=Activity Title", "--map", "duration=Length", "--map", "predecessors=Needs"]


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _csv(tmp_path: Path, text: str = UNUSUAL) -> str:
    path = tmp_path / "slab.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_map_reads_the_chosen_columns(cli_env: None, engine: Engine, tmp_path: Path) -> None:
    code, out = podium("import", _csv(tmp_path), "--key", "SLAB", *MAP, "--map", "id=ID")
    assert code == 0, out
    assert "3 tasks" in out and "2 dependencies" in out
    assert "columns not imported: Start Date" in out
    with Session(engine) as session:
        durations = {n: d for n, d in session.execute(select(Task.name, Task.duration))}
    assert durations == {"Survey the site": 3, "Pour the slab": 2, "Cure": 5}


def test_without_map_the_common_names_are_used(
    cli_env: None, engine: Engine, tmp_path: Path
) -> None:
    code, out = podium("import", _csv(tmp_path))
    assert code == 1 and "no column for the task name" in out
    assert _count(engine, Program) == 0
    usual = UNUSUAL.replace("Activity Title,Length", "Name,Duration")
    code, out = podium("import", _csv(tmp_path, usual), "--key", "AUTO")
    assert code == 0, out
    assert _count(engine, Task) == 3 and _count(engine, Dependency) == 0  # Needs is unusual


def test_an_unknown_field_or_a_missing_column_is_refused_and_writes_nothing(
    cli_env: None, engine: Engine, tmp_path: Path
) -> None:
    path = _csv(tmp_path)
    code, out = podium("import", path, "--map", "title=Activity Title")
    assert code == 1 and "unknown field 'title'" in out
    code, out = podium("import", path, "--map", "name")
    assert code == 1 and "not FIELD=COLUMN" in out
    code, out = podium("import", path, "--map", "name=Title")
    assert code == 1 and "no column 'Title' in the file" in out
    bad = UNUSUAL.replace("Cure,5,2", "Cure,five,2")
    code, out = podium("import", _csv(tmp_path, bad), *MAP)
    assert code == 1 and "line 4, column Length" in out
    assert _count(engine, Program) == 0 and _count(engine, Task) == 0


def test_columns_lists_the_columns_and_the_suggestion_without_importing(
    cli_env: None, engine: Engine, tmp_path: Path
) -> None:
    path = _csv(tmp_path)
    code, out = podium("import", path, "--columns")
    assert code == 0, out
    assert "Activity Title" in out and "Survey the site" in out
    assert "name (required)" in out
    assert f"podium import {path} --map id=ID --map 'start=Start Date'" in out
    code, out = podium("import", path, "--columns", *MAP)
    assert code == 0 and "--map 'name=Activity Title' --map duration=Length" in out
    assert _count(engine, Program) == 0
    json_plan = tmp_path / "plan.json"
    json_plan.write_text('{"format": "podium-plan"}', encoding="utf-8")
    code, out = podium("import", str(json_plan), "--columns")
    assert code == 1 and "no columns to map" in out
