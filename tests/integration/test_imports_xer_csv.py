"""P6 XER files and CSV task lists through the one import path, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.interop.csv_plan import read_csv_plan, write_csv_plan
from podium.models import Assignment, Dependency, Program, Resource, Task
from podium.services.actor import SYSTEM
from podium.services.import_readers import ImportRefused, detect_format
from podium.services.imports import import_file
from podium.services.plans import export_plan
from podium.services.uow import complete

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "projects"
XER_FILES = sorted(p.name for p in DATA.glob("*.xer")) if DATA.exists() else []

pytestmark = pytest.mark.db

TASKS_CSV = (
    b"ID;Task Name;Duration;Predecessors;Start;Resources\n"
    b"1;Dig;3d;;2025-03-03;Ana\n"
    b"2;Pour;2;1FS+1;;Ana[50%]\n"
    b"3;Cure;1w;2SS+1;;\n"
    b"4;Done;0;3;;\n"
)


def _count(db: Session, model: type, program_id: int) -> int:
    column = model.program_id  # type: ignore[attr-defined]
    return db.scalar(select(func.count()).select_from(model).where(column == program_id)) or 0


@pytest.mark.skipif(not XER_FILES, reason="the shared project files are not here")
@pytest.mark.parametrize("name", XER_FILES)
def test_every_xer_file_imports_and_reschedules(db: Session, name: str) -> None:
    data = (DATA / name).read_bytes()
    assert detect_format(data, name) == "xer"
    report = import_file(db, SYSTEM, data, filename=name)
    complete(db)
    assert report.format == "xer"
    assert _count(db, Task, report.program_id) == report.counts["tasks"]
    assert _count(db, Dependency, report.program_id) == report.counts["dependencies"]
    assert report.compared == report.counts["tasks"]
    for row in report.differences:
        assert row.reason, row


@pytest.mark.skipif(not XER_FILES, reason="the shared project files are not here")
def test_xer_resources_and_progress_reach_the_database(db: Session) -> None:
    report = import_file(db, SYSTEM, (DATA / "mpxj_resource-rates-test.xer").read_bytes())
    complete(db)
    assert report.counts["resources"] == 1 and report.counts["assignments"] == 1
    task = db.scalars(select(Task).where(Task.program_id == report.program_id)).one()
    assert task.duration == 30
    assert db.scalar(select(func.count()).select_from(Assignment)) == 1
    progress = import_file(db, SYSTEM, (DATA / "mpxj_percent-complete-8.4.xer").read_bytes())
    complete(db)
    percents = db.scalars(
        select(Task.percent_complete).where(Task.program_id == progress.program_id)
    ).all()
    assert sorted(percents) == sorted([0, 25, 75, 100] * 3)
    assert progress.baseline_id is not None  # P6's planned dates, kept as a baseline


def test_a_csv_imports_with_its_links_and_exports_back(db: Session) -> None:
    report = import_file(db, SYSTEM, TASKS_CSV, filename="tasks.csv", key="DIG")
    complete(db)
    assert report.format == "csv" and report.program_key == "DIG"
    assert report.counts == {
        "projects": 1,
        "tasks": 4,
        "milestones": 0,
        "dependencies": 3,
        "calendars": 0,
        "resources": 1,
        "assignments": 2,
    }
    program = db.get(Program, report.program_id)
    assert program is not None
    exported = write_csv_plan(export_plan(db, SYSTEM, program.id))
    again = read_csv_plan(exported)
    assert again.ok, again.problems
    assert [t["name"] for t in again.document["tasks"]] == ["Dig", "Pour", "Cure", "Done"]
    assert [(d["type"], d.get("lag", 0)) for d in again.document["dependencies"]] == [
        ("FS", 1),
        ("SS", 1),
        ("FS", 0),
    ]


def test_people_the_organisation_has_are_reused_by_name_in_a_second_plan(db: Session) -> None:
    first = import_file(db, SYSTEM, TASKS_CSV, filename="tasks.csv", key="DIG")
    complete(db)
    (ana,) = db.scalars(
        select(Resource).join(Assignment).where(Assignment.program_id == first.program_id)
    ).unique()
    assert ana.key == "DIG-Ana" and first.notes == []
    second = import_file(db, SYSTEM, TASKS_CSV.replace(b"Ana[50%]", b"Bo"), key="POUR")
    complete(db)
    used = {
        r.key
        for r in db.scalars(
            select(Resource).join(Assignment).where(Assignment.program_id == second.program_id)
        )
    }
    assert used == {"DIG-Ana", "POUR-Bo"}  # the same Ana: one load across both programs
    assert "resource 'Ana' is the stored resource 'DIG-Ana': reused" in second.notes
    assert db.scalar(select(func.count()).select_from(Resource).where(Resource.name == "Ana")) == 1


def test_a_csv_with_chosen_columns_imports(db: Session) -> None:
    data = b"Ref,What,Days,After\nX1,Dig,4,\nX2,Pour,2,X1\n"
    mapping = {"id": "Ref", "name": "What", "duration": "Days", "predecessors": "After"}
    report = import_file(db, SYSTEM, data, filename="plan.csv", key="MAP", mapping=mapping)
    complete(db)
    assert report.counts["tasks"] == 2 and report.counts["dependencies"] == 1


def test_a_bad_csv_writes_nothing_and_lists_located_problems(db: Session) -> None:
    bad = TASKS_CSV.replace(b"2;Pour;2;", b"2;Pour;two;").replace(b";3;;\n", b";9;;\n")
    with pytest.raises(ImportRefused) as refused:
        import_file(db, SYSTEM, bad, filename="tasks.csv")
    db.rollback()
    assert [p["location"] for p in refused.value.problems] == [
        "line 3, column Duration",
        "line 5, column Predecessors",
    ]
    assert db.scalar(select(func.count()).select_from(Program)) == 0
    assert db.scalar(select(func.count()).select_from(Task)) == 0


def test_a_csv_whose_links_go_round_writes_nothing_and_names_the_circle(db: Session) -> None:
    circle = b"ID;Task Name;Duration;Predecessors\n1;A;1;3\n2;B;1;1\n3;C;2;2\n"
    with pytest.raises(ImportRefused) as refused:  # 422 invalid_file through the API
        import_file(db, SYSTEM, circle, filename="tasks.csv")
    db.rollback()
    (problem,) = refused.value.problems
    assert problem["message"] == "dependency cycle: 2 → 3 → 1 → 2"
    # located in the file: the line whose Predecessors column closes the circle
    assert (problem["location"], problem["path"]) == (
        "line 4, column Predecessors",
        "dependencies[2]",
    )
    assert db.scalar(select(func.count()).select_from(Program)) == 0


def _with_links(xer: bytes, pairs: list[tuple[int, int]]) -> bytes:
    """``xer`` (without links) with a TASKPRED table linking its TASK rows (``(0, 1)``:
    the first row's activity before the second's), finish to start."""
    lines = xer.decode("latin-1").split("\r\n" if b"\r\n" in xer else "\n")
    at = lines.index("%T\tTASK")
    fields = lines[at + 1].split("\t")[1:]
    rows = []
    for line in lines[at + 2 :]:
        if not line.startswith("%R"):
            break
        values = dict(zip(fields, line.split("\t")[1:], strict=False))
        rows.append((values["task_id"], values["proj_id"]))
    header = "%F\ttask_pred_id\ttask_id\tpred_task_id\tproj_id\tpred_proj_id\tpred_type\tlag_hr_cnt"
    added = ["%T\tTASKPRED", header] + [
        f"%R\t{900 + n}\t{rows[b][0]}\t{rows[a][0]}\t{rows[b][1]}\t{rows[a][1]}\tPR_FS\t0"
        for n, (a, b) in enumerate(pairs)
    ]
    end = lines.index("%E")
    lines[end:end] = added
    return "\r\n".join(lines).encode("latin-1")


def test_an_xer_whose_links_go_round_names_the_taskpred_row_that_closes_it(
    db: Session,
) -> None:
    source = (DATA / "mpxj_percent-complete-8.4.xer").read_bytes()
    assert (
        import_file(db, SYSTEM, _with_links(source, [(1, 2)]), key="ONE").counts["dependencies"]
        == 1
    )
    db.rollback()
    with pytest.raises(ImportRefused) as refused:
        import_file(db, SYSTEM, _with_links(source, [(1, 2), (2, 3), (3, 1)]))
    db.rollback()
    (problem,) = refused.value.problems
    assert problem["message"].startswith("dependency cycle: ")
    # the row that was read into the link the check names
    row = re.fullmatch(r"TASKPRED row (\d) \(line \d+\)", problem["location"])
    assert row is not None and problem["path"] == f"dependencies[{int(row[1]) - 1}]"
    assert db.scalar(select(func.count()).select_from(Program)) == 0
