"""The one import path: real Microsoft Project files into the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.errors import PayloadTooLarge
from podium.interop.imported import MAX_IMPORT_BYTES
from podium.interop.mspdi import write_mspdi
from podium.interop.mspdi.reading import read_mspdi
from podium.models import Baseline, BaselineItem, Calendar, Dependency, Program, Task
from podium.services.actor import SYSTEM
from podium.services.import_readers import ImportRefused, detect_format
from podium.services.imports import import_file
from podium.services.plans import export_plan
from podium.services.uow import complete

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "projects"
MSPDI_FILES = sorted(p.name for p in DATA.glob("*.xml")) if DATA.exists() else []

pytestmark = [
    pytest.mark.db,
    pytest.mark.skipif(not MSPDI_FILES, reason="the shared project files are not here"),
]


@pytest.mark.parametrize("name", MSPDI_FILES)
def test_every_microsoft_project_file_imports_and_reschedules(db: Session, name: str) -> None:
    data = (DATA / name).read_bytes()
    report = import_file(db, SYSTEM, data, filename=name)
    complete(db)
    program = db.get(Program, report.program_id)
    assert program is not None and report.format == "mspdi"
    tasks = db.scalar(select(func.count()).select_from(Task).where(Task.program_id == program.id))
    assert tasks == report.counts["tasks"]
    links = db.scalar(
        select(func.count()).select_from(Dependency).where(Dependency.program_id == program.id)
    )
    assert links == report.counts["dependencies"]
    assert report.compared == len([d for d in report.dates if d.file_start or d.file_finish])
    assert 0 <= report.matching_percent <= 100
    for row in report.differences:
        assert row.reason, row


def test_links_file_keeps_all_four_types_and_lags(db: Session) -> None:
    report = import_file(db, SYSTEM, (DATA / "mpxj_task-links-project2003-mspdi.xml").read_bytes())
    complete(db)
    links = db.scalars(select(Dependency).where(Dependency.program_id == report.program_id)).all()
    assert len(links) == 8
    assert {str(d.type.value) for d in links} == {"FS", "SS", "FF", "SF"}
    assert sum(1 for d in links if d.lag) == 7


def test_legacy_sample_comparison_reports_every_task(db: Session) -> None:
    report = import_file(db, SYSTEM, (DATA / "mpxj_legacy_sample.xml").read_bytes())
    complete(db)
    assert report.counts["tasks"] == 19
    assert report.counts["calendars"] == 4
    assert len(report.dates) == 19
    as_json = report.as_dict()
    assert as_json["compared"] == 19 and as_json["dates"][0]["task"].startswith("SAMPLE-")
    # a day's work from 7 January 08:00 "finishes" 8 January 08:00: the end of 7 January
    (related,) = [d for d in report.dates if d.name == "Related Task 6b"]
    assert (related.file_finish, related.finish, related.matches) == (
        date(2003, 1, 7),
        date(2003, 1, 7),
        True,
    )
    assert related.reason == ""


def test_importing_the_same_file_twice_needs_a_new_key_and_keeps_calendars_apart(
    db: Session,
) -> None:
    data = (DATA / "ganttproject_holidays.xml").read_bytes()
    import_file(db, SYSTEM, data)
    complete(db)
    with pytest.raises(Exception, match="already exists"):
        import_file(db, SYSTEM, data)
    db.rollback()
    second = import_file(db, SYSTEM, data, key="HOL2", name="Holidays again")
    complete(db)
    assert second.program_key == "HOL2"
    assert db.scalar(select(func.count()).select_from(Calendar)) == 3


def test_holidays_keep_their_exception_names_through_import_and_export(db: Session) -> None:
    name = "mpxj_calendar-recurring-exceptions-project2016-mspdi.xml"
    report = import_file(db, SYSTEM, (DATA / name).read_bytes(), key="NAMED")
    complete(db)
    program = db.get(Program, report.program_id)
    assert program is not None and program.calendar_id is not None
    stored = db.get(Calendar, program.calendar_id)
    assert stored is not None and len(stored.holidays) == 89
    named = {h["date"]: h["name"] for h in stored.holidays}
    assert named["2000-01-03"] == "Daily 1" and named["2009-04-03"] == "Yearly Absolute 3"
    exported = export_plan(db, SYSTEM, program.id)
    (calendar,) = exported["calendars"]
    assert {"date": "2000-01-03", "name": "Daily 1"} in calendar["holidays"]
    # the same file again: the same days, so the stored calendar is reused, names and all
    import_file(db, SYSTEM, (DATA / name).read_bytes(), key="NAMED2")
    complete(db)
    assert db.scalar(select(func.count()).select_from(Calendar)) == 1


def test_a_file_baseline_becomes_the_current_podium_baseline(db: Session) -> None:
    source = read_mspdi((DATA / "mpxj_task-links-project2003-mspdi.xml").read_bytes())
    from podium.interop.imported import FileBaseline

    first = source.document["tasks"][0]["id"]
    baseline = {first: FileBaseline(start=None, finish=None, duration=3, cost=120.0)}
    from datetime import date

    baseline[first] = FileBaseline(date(2003, 1, 1), date(2003, 1, 3), 3, 120.0)
    data = write_mspdi(source.document, baseline=baseline)
    report = import_file(db, SYSTEM, data, key="BASE")
    complete(db)
    stored = db.get(Baseline, report.baseline_id)
    assert stored is not None and stored.is_current
    item = db.scalar(
        select(BaselineItem).where(BaselineItem.baseline_id == stored.id, BaselineItem.key == first)
    )
    assert item is not None
    assert (item.start, item.finish, item.cost) == (date(2003, 1, 1), date(2003, 1, 3), 120.0)


def test_a_bad_file_writes_nothing(db: Session) -> None:
    data = (DATA / "mpxj_legacy_sample.xml").read_bytes()[:5000]
    with pytest.raises(ImportRefused) as refused:
        import_file(db, SYSTEM, data)
    assert refused.value.problems[0]["location"].startswith("line ")
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Program)) == 0


def test_a_file_above_the_limit_is_refused_before_reading(db: Session) -> None:
    with pytest.raises(PayloadTooLarge):
        import_file(db, SYSTEM, b" " * (MAX_IMPORT_BYTES + 1))


def test_formats_are_detected_from_content() -> None:
    assert detect_format(b'<?xml version="1.0"?><Project/>') == "mspdi"
    assert detect_format(b'\xef\xbb\xbf {"format": "podium-plan"}') == "podium-plan"
    assert detect_format(b"ERMHDR\t8.2") == "xer"
    assert detect_format(b"id,name\n1,a\n", "plan.csv") == "csv"


def test_imported_program_exports_back_to_microsoft_project(db: Session) -> None:
    report = import_file(db, SYSTEM, (DATA / "mpxj_mspdirelations.xml").read_bytes())
    complete(db)
    document = export_plan(db, SYSTEM, report.program_id)
    again = read_mspdi(write_mspdi(document))
    assert again.ok
    assert len(again.document["tasks"]) == report.counts["tasks"]
    assert len(again.document["dependencies"]) == report.counts["dependencies"]


def test_a_microsoft_project_file_whose_links_go_round_names_the_task_that_closes_it(
    db: Session,
) -> None:
    day = date(2027, 1, 4)
    document = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "RING", "name": "Ring", "start": day.isoformat()},
        "projects": [{"key": "RING", "name": "Ring"}],
        "tasks": [
            {"id": t, "project": "RING", "name": name, "duration": 1}
            for t, name in (("A", "Dig"), ("B", "Pour"), ("C", "Cure"))
        ],
        "dependencies": [
            {"from": "A", "to": "B"},
            {"from": "B", "to": "C"},
            {"from": "C", "to": "A"},
        ],
    }
    data = write_mspdi(document, scheduled={t: (day, day) for t in "ABC"})
    with pytest.raises(ImportRefused) as refused:
        import_file(db, SYSTEM, data)
    db.rollback()
    (cycle,) = refused.value.problems
    assert cycle["path"] == "dependencies[2]"
    assert cycle["message"] == "dependency cycle: RING-2 → RING-3 → RING-1 → RING-2"
    # C's link from B, read third (each task's predecessors, in the file's order of tasks)
    assert re.fullmatch(r"line \d+, Task UID 3 \(Cure\)", cycle["location"])
    assert db.scalar(select(func.count()).select_from(Program)) == 0
