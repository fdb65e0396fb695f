"""An independent check of Podium's Microsoft Project and Primavera files: MPXJ reads them too.

MPXJ (a Java library that reads and writes most project file formats) reads every
real file Podium claims to support and every Microsoft Project XML file Podium
writes; tasks, links with their types and lags, calendars, resources and
assignments must agree with Podium's reading, and the dates MPXJ reads from
Podium's export must be the dates Podium scheduled.
"""

from __future__ import annotations

import importlib
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.interop.mspdi import read_mspdi, write_mspdi
from podium.interop.xer import read_xer
from podium.models import Assignment, BaselineItem, Dependency, Milestone, Program, Task
from podium.services import demo
from podium.services.actor import SYSTEM
from podium.services.baselines import current_baseline
from podium.services.exports import export_program

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "projects"
MSPDI_FILES = sorted(p.name for p in DATA.glob("*.xml")) if DATA.exists() else []
XER_FILES = sorted(p.name for p in DATA.glob("*.xer")) if DATA.exists() else []

pytestmark = pytest.mark.skipif(
    shutil.which("java") is None,
    reason="MPXJ needs a Java runtime: `make test` installs Debian's default-jre-headless",
)

Reader = Callable[[Path], Any]


@pytest.fixture(scope="session")
def mpxj() -> Iterator[Reader]:
    """MPXJ's universal reader in a Java virtual machine started once per test process."""
    import jpype
    import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)

    importlib.import_module("jpype.imports")  # makes Java packages importable
    if not jpype.isJVMStarted():
        jpype.startJVM()
    from org.mpxj.reader import UniversalProjectReader

    yield lambda path: UniversalProjectReader().read(str(path))


@dataclass(frozen=True)
class View:
    """What both readers must agree on, in file order."""

    tasks: list[str]  # names
    links: Counter[
        tuple[int, int, str, float]
    ]  # predecessor, successor (task positions), type, lag in days
    calendars: set[str]
    resources: Counter[str]
    assignments: Counter[tuple[int, str, float]]  # task position, resource name, units


def _java_date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value.toLocalDate()))


def _mpxj_tasks(project: Any, *, project_nodes: bool = False) -> list[Any]:
    """Real tasks: not the blank rows, not the project summary (UID 0 or outline level 0),
    and with ``project_nodes`` not a Primavera project's root WBS node."""
    tasks = []
    for task in project.getTasks():
        if task.getNull() or int(task.getUniqueID()) == 0:
            continue
        level = task.getOutlineLevel()
        if level is not None and int(level) == 0:
            continue
        if (
            project_nodes
            and task.getActivityType() is None
            and level is not None
            and int(level) == 1
        ):
            continue  # a Primavera project's own WBS node: the project itself in Podium
        tasks.append(task)
    return tasks


def mpxj_view(project: Any, *, project_nodes: bool = False) -> View:
    from org.mpxj import TimeUnit

    properties = project.getProjectProperties()
    tasks = _mpxj_tasks(project, project_nodes=project_nodes)
    position = {int(t.getUniqueID()): n for n, t in enumerate(tasks)}
    links: Counter[tuple[int, int, str, float]] = Counter()
    for task in tasks:
        for relation in task.getPredecessors():
            lag = relation.getLag().convertUnits(TimeUnit.DAYS, properties).getDuration()
            links[
                (
                    position[int(relation.getPredecessorTask().getUniqueID())],
                    position[int(task.getUniqueID())],
                    str(relation.getType()),
                    round(float(lag), 2),
                )
            ] += 1
    resources = [
        r
        for r in project.getResources()
        if int(r.getUniqueID()) != 0 and r.getName() is not None and not r.getRole()
    ]
    assignments: Counter[tuple[int, str, float]] = Counter()
    for assignment in project.getResourceAssignments():
        resource = assignment.getResource()
        uid = int(assignment.getTask().getUniqueID())
        if resource is None or int(resource.getUniqueID()) == 0 or uid not in position:
            continue
        units = float(assignment.getUnits().doubleValue()) / 100
        assignments[(position[uid], str(resource.getName()), round(units, 2))] += 1
    return View(
        tasks=[str(t.getName() or "") for t in tasks],
        links=links,
        calendars={str(c.getName()) for c in project.getCalendars()},
        resources=Counter(str(r.getName()) for r in resources),
        assignments=assignments,
    )


def podium_view(document: dict[str, Any]) -> View:
    tasks = [*document["tasks"], *document.get("milestones", [])]
    position = {t["id"]: n for n, t in enumerate(tasks)}
    names = {r["id"]: r["name"] for r in document.get("resources", [])}
    return View(
        tasks=[t["name"] for t in tasks],
        links=Counter(
            (position[d["from"]], position[d["to"]], d["type"], round(float(d["lag"]), 2))
            for d in document["dependencies"]
        ),
        calendars={c["name"] for c in document["calendars"]},
        resources=Counter(names.values()),
        assignments=Counter(
            (position[a["task"]], names[a["resource"]], round(float(a["units"]), 2))
            for a in document.get("assignments", [])
        ),
    )


@pytest.mark.parametrize("name", MSPDI_FILES)
def test_podium_reads_each_microsoft_project_file_as_mpxj_does(mpxj: Reader, name: str) -> None:
    imported = read_mspdi((DATA / name).read_bytes())
    assert imported.ok, imported.problems
    assert podium_view(imported.document) == mpxj_view(mpxj(DATA / name))


@pytest.mark.parametrize("name", MSPDI_FILES)
def test_mpxj_reads_podiums_export_of_each_file_back_with_the_same_plan_and_dates(
    mpxj: Reader, name: str, tmp_path: Path
) -> None:
    imported = read_mspdi((DATA / name).read_bytes())
    written = tmp_path / "export.xml"
    written.write_bytes(write_mspdi(imported.document))
    project = mpxj(written)
    assert mpxj_view(project) == podium_view(imported.document)
    dates = read_mspdi(written.read_bytes()).file_dates
    read_back = [
        (_java_date(t.getStart()), _java_date(t.getFinish())) for t in _mpxj_tasks(project)
    ]
    expected = [
        (dates[t["id"]].start, dates[t["id"]].finish) if t["id"] in dates else (None, None)
        for t in [*imported.document["tasks"], *imported.document.get("milestones", [])]
    ]
    assert read_back == expected


def _mpxj_named_holidays(calendar: Any, workdays: list[str]) -> dict[str, set[str]]:
    """The days MPXJ's expanded exceptions of ``calendar`` make non-working, on
    ``workdays``, each with the names of the exceptions covering it."""
    off: dict[str, set[str]] = {}
    for exception in calendar.getCalendarExceptions():
        name = str(exception.getName() or "")  # the expanded occurrences have none
        for occurrence in exception.getExpandedExceptions():
            day = occurrence.getFromDate()
            while not occurrence.getWorking() and not day.isAfter(occurrence.getToDate()):
                off.setdefault(str(day), set()).update({name} if name else set())
                day = day.plusDays(1)
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return {d: n for d, n in off.items() if names[date.fromisoformat(d).weekday()] in workdays}


def _mpxj_holidays(calendar: Any, workdays: list[str]) -> set[str]:
    """The days MPXJ's expanded exceptions of ``calendar`` make non-working, on ``workdays``."""
    return set(_mpxj_named_holidays(calendar, workdays))


def _named(holidays: list[Any]) -> dict[str, str]:
    """Plan-format holidays (dates, or ``{"date", "name"}``) as day → name."""
    return {
        h["date"] if isinstance(h, dict) else h: h["name"] if isinstance(h, dict) else ""
        for h in holidays
    }


@pytest.mark.parametrize("name", MSPDI_FILES)
def test_podium_imports_as_holidays_the_non_working_days_mpxj_expands(
    mpxj: Reader, name: str
) -> None:
    """Every exception, single day, range or recurring, wherever it falls; a derived
    calendar's own exceptions (MPXJ's expansion leaves its base calendar's out)."""
    imported = read_mspdi((DATA / name).read_bytes())
    ours = {c["name"]: c for c in imported.document["calendars"]}
    for calendar in mpxj(DATA / name).getCalendars():
        if calendar.getParent() is not None:
            continue
        podium = ours[str(calendar.getName())]
        theirs = _mpxj_named_holidays(calendar, podium["workdays"])
        named = _named(podium["holidays"])
        assert set(named) == set(theirs)
        # each holiday keeps the name of an exception covering it (unnamed: none has one)
        assert all(named[d] in theirs[d] if theirs[d] else not named[d] for d in named)


def test_mpxj_reads_the_names_podium_gives_its_holidays(mpxj: Reader, tmp_path: Path) -> None:
    document = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "HN", "name": "HN", "start": "2027-12-20", "calendar": "office"},
        "calendars": [
            {
                "name": "office",
                "holidays": [
                    {"date": "2027-12-24", "name": "Christmas Eve"},
                    {"date": "2027-12-27", "name": "Christmas break"},
                    {"date": "2027-12-28", "name": "Christmas break"},
                    "2027-12-30",
                ],
            }
        ],
        "projects": [{"key": "HN", "name": "Holiday names"}],
        "tasks": [{"id": "HN-1", "project": "HN", "name": "Close", "duration": 3}],
    }
    written = tmp_path / "named.xml"
    written.write_bytes(write_mspdi(document))
    (calendar,) = mpxj(written).getCalendars()
    assert _mpxj_named_holidays(calendar, ["Mon", "Tue", "Wed", "Thu", "Fri"]) == {
        "2027-12-24": {"Christmas Eve"},
        "2027-12-27": {"Christmas break"},
        "2027-12-28": {"Christmas break"},
        "2027-12-30": set(),
    }


def test_mpxj_reads_27_exceptions_that_podium_makes_89_holidays(mpxj: Reader) -> None:
    name = "mpxj_calendar-recurring-exceptions-project2016-mspdi.xml"
    (calendar,) = mpxj(DATA / name).getCalendars()
    assert len(calendar.getCalendarExceptions()) == 27
    (standard,) = read_mspdi((DATA / name).read_bytes()).document["calendars"]
    assert len(_mpxj_holidays(calendar, standard["workdays"])) == len(standard["holidays"]) == 89


def test_mpxj_reads_podiums_equipment_as_a_work_resource_of_the_equipment_group(
    mpxj: Reader, tmp_path: Path
) -> None:
    from org.mpxj import ResourceType

    imported = read_mspdi((DATA / "mpxj_mspdiresource.xml").read_bytes())
    written = tmp_path / "export.xml"
    written.write_bytes(write_mspdi(imported.document))
    kinds = {r["name"]: r["kind"] for r in imported.document["resources"]}
    for resource in mpxj(written).getResources():
        if int(resource.getUniqueID()) == 0:
            continue
        assert resource.getType() == ResourceType.WORK
        group = None if resource.getGroup() is None else str(resource.getGroup())
        expected = "Equipment" if kinds[str(resource.getName())] == "equipment" else None
        assert group == expected


@pytest.mark.parametrize("name", XER_FILES)
def test_podium_reads_each_primavera_file_as_mpxj_does(mpxj: Reader, name: str) -> None:
    """Activities, relationships and calendars agree; several assignments of one resource to
    one activity are one Podium assignment, so only their pairs are compared."""
    imported = read_xer((DATA / name).read_bytes())
    assert imported.ok, imported.problems
    ours, theirs = podium_view(imported.document), mpxj_view(mpxj(DATA / name), project_nodes=True)
    assert (ours.tasks, ours.links, ours.calendars, ours.resources) == (
        theirs.tasks,
        theirs.links,
        theirs.calendars,
        theirs.resources,
    )
    assert {(t, r) for t, r, _ in ours.assignments} == {(t, r) for t, r, _ in theirs.assignments}


@pytest.mark.db
def test_mpxj_reads_the_demo_program_export_with_its_schedule_and_baseline(
    mpxj: Reader, db: Session, tmp_path: Path
) -> None:
    loaded = demo.load_demo(db, today=date(2026, 11, 23))
    db.commit()
    program = db.scalars(select(Program).where(Program.key == loaded.program_key)).one()
    exported = export_program(db, SYSTEM, program.id, format="mspdi")
    written = tmp_path / "demo.xml"
    written.write_bytes(exported.content)
    project = mpxj(written)

    def count(model: Any) -> int:
        return db.scalar(
            select(func.count()).select_from(model).where(model.program_id == program.id)
        )

    tasks = _mpxj_tasks(project)
    view = mpxj_view(project)
    by_name: dict[str, Any] = {}
    for read in tasks:  # tasks first; a program milestone may share a task's name
        by_name.setdefault(str(read.getName()), read)
    stored = db.scalars(select(Task).where(Task.program_id == program.id)).all()
    assert len({t.name for t in stored}) == len(stored)  # the names identify the tasks below
    assert {t.name for t in stored} <= set(by_name)
    assert sum(view.links.values()) == count(Dependency)
    assert sum(view.assignments.values()) == db.scalar(
        select(func.count()).select_from(Assignment).join(Task).where(Task.program_id == program.id)
    )
    milestones = db.scalars(select(Milestone).where(Milestone.program_id == program.id)).all()
    assert {m.name for m in milestones} <= {str(t.getName()) for t in tasks if t.getMilestone()}
    for task in stored:
        read = by_name[task.name]
        assert (_java_date(read.getStart()), _java_date(read.getFinish())) == (
            task.early_start,
            task.early_finish,
        ), task.key
    baseline = current_baseline(db, program.id)
    assert baseline is not None
    items = {
        i.key: (i.start, i.finish)
        for i in db.scalars(
            select(BaselineItem).where(
                BaselineItem.baseline_id == baseline.id, BaselineItem.kind == "task"
            )
        )
    }
    assert items
    for task in stored:
        if task.key in items:
            read = by_name[task.name]
            baseline_dates = (
                _java_date(read.getBaselineStart()),
                _java_date(read.getBaselineFinish()),
            )
            assert baseline_dates == items[task.key], task.key
