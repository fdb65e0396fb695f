"""The one import path for plan files of every format (API, CLI and web use it alike).

``import_file`` detects the format (Microsoft Project XML, Primavera P6 XER,
CSV, the ``podium-plan`` JSON), refuses a file above ``MAX_IMPORT_BYTES``, reads
it with the format's reader, checks the resulting plan (every problem with its
location: a bad file writes nothing), imports it as a new program, takes the
baseline the file stored as a Podium baseline, reschedules, and reports per task
where Podium's dates differ from the dates the file stored, and why.

The file is read by :mod:`import_readers`, every problem of it listed at once by
:mod:`import_checks`; the report is :mod:`import_report`.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from podium.errors import Conflict, field_error
from podium.interop.imported import MAX_IMPORT_BYTES, ImportedPlan
from podium.interop.plan_format import KEY_PATTERN, PlanError, control_problems, read_plan
from podium.models import BaselineItem, Calendar, Program, Resource
from podium.services.actor import Actor
from podium.services.baselines import take_baseline
from podium.services.import_checks import (
    document_window_problems,
    located,
    merged,
    plan_problems,
    refused_file_problems,
)
from podium.services.import_checks import (
    window_problems as window_problems,  # where `podium schedule` finds it
)
from podium.services.import_readers import FORMAT_NAMES, ImportRefused, printable, read_file
from podium.services.import_report import ImportReport, compare_dates
from podium.services.plans import import_plan
from podium.services.scheduling.pending import reschedule_pending

BASELINE_NAME = "Baseline from the imported file"
MAX_PROGRAM_NAME = 200  # characters, as the plan format and the database hold them


def _free_names(session: Session, document: dict[str, Any], key: str) -> list[str]:
    """Rename the file's calendars that clash with different stored ones, and give its
    resources ids: a stored resource's key when exactly one stored resource has the same
    name (the person the organisation already has: their load across programs stays one
    picture), else a new id of this program (a file's resource ids mean nothing across
    files). Returns notes naming the resources reused."""
    calendars = document.get("calendars", [])
    names = [c["name"] for c in calendars]
    stored = {c.name: c for c in session.scalars(select(Calendar).where(Calendar.name.in_(names)))}
    renamed: dict[str, str] = {}
    for calendar in calendars:
        existing = stored.get(calendar["name"])
        if existing is None:
            continue
        same = (
            existing.weekmask
            == "".join(
                "1" if d in calendar["workdays"] else "0"
                for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
            )
            and _stored_dates(existing.holidays) == _file_dates(calendar.get("holidays"))
            and _stored_dates(existing.extra_workdays)
            == _file_dates(calendar.get("extra_workdays"))
        )
        if not same:
            new = f"{calendar['name']} ({key})"[:100]
            taken = session.scalar(select(Calendar.id).where(Calendar.name == new))
            number = 2
            while taken is not None or new in names:
                new = f"{calendar['name']} ({key} {number})"[:100]
                taken = session.scalar(select(Calendar.id).where(Calendar.name == new))
                number += 1
            renamed[calendar["name"]] = new
            calendar["name"] = new
    program = document["program"]
    if program.get("calendar") in renamed:
        program["calendar"] = renamed[program["calendar"]]
    for item in [*document.get("tasks", []), *document.get("resources", [])]:
        if item.get("calendar") in renamed:
            item["calendar"] = renamed[item["calendar"]]
    resources = document.get("resources", [])
    same_name = _stored_by_name(session, [r.get("name") or "" for r in resources])
    ids: dict[str, str] = {}
    reused: set[str] = set()
    notes: list[str] = []
    for r in resources:
        match = same_name.get((r.get("name") or "").strip().lower())
        if match is not None and match.key not in reused:
            ids[r["id"]] = match.key
            reused.add(match.key)
            notes.append(f"resource {r.get('name')!r} is the stored resource {match.key!r}: reused")
        else:
            ids[r["id"]] = f"{key}-{r['id']}"[:40]
    new_ids = [i for i in ids.values() if i not in reused]
    stored_keys = set(session.scalars(select(Resource.key).where(Resource.key.in_(new_ids))))
    for resource in resources:
        resource["id"] = ids[resource["id"]]
        if resource["id"] in stored_keys:
            raise ImportRefused(
                [{"location": "", "message": f"a resource {resource['id']!r} already exists"}]
            )
    for assignment in document.get("assignments", []):
        assignment["resource"] = ids.get(assignment["resource"], assignment["resource"])
    return notes


def _stored_dates(entries: list[dict[str, Any]] | None) -> set[str]:
    """The dates of a stored calendar's holidays or extra working days."""
    return {str(e["date"]) for e in entries or []}


def _file_dates(entries: list[Any] | None) -> set[str]:
    """The dates of a plan document's holidays or extra working days (each a date, or
    ``{"date", "name"}``)."""
    return {str(e["date"]) if isinstance(e, dict) else str(e) for e in entries or []}


def _stored_by_name(session: Session, names: list[str]) -> dict[str, Resource]:
    """Stored resources by lower-case name, for names exactly one stored resource has."""
    wanted = {n.strip().lower() for n in names if n.strip()}
    if not wanted:
        return {}
    found: dict[str, list[Resource]] = {}
    for resource in session.scalars(select(Resource).where(func.lower(Resource.name).in_(wanted))):
        found.setdefault(resource.name.strip().lower(), []).append(resource)
    return {name: hits[0] for name, hits in found.items() if len(hits) == 1}


def _take_file_baseline(
    session: Session, actor: Actor, program: Program, imported: ImportedPlan
) -> int | None:
    if not imported.baseline:
        return None
    baseline = take_baseline(
        session,
        actor,
        program.id,
        name=BASELINE_NAME,
        description=f"The baseline stored in the {FORMAT_NAMES.get(imported.format, 'file')}.",
    )
    rows = [
        {
            "_baseline": baseline.id,
            "_key": key,
            "start": kept.start,
            "finish": kept.finish,
            "cost": kept.cost,
        }
        for key, kept in imported.baseline.items()
    ]
    table = BaselineItem.__table__
    session.execute(
        update(table)  # type: ignore[arg-type]
        .where(table.c.baseline_id == bindparam("_baseline"), table.c.key == bindparam("_key"))
        .values(start=bindparam("start"), finish=bindparam("finish"), cost=bindparam("cost")),
        rows,
    )
    starts = [k.start for k in imported.baseline.values() if k.start]
    finishes = [k.finish for k in imported.baseline.values() if k.finish]
    if starts and finishes:
        baseline.start, baseline.finish = min(starts), max(finishes)
    return baseline.id


def _clash(problems: list[dict[str, str]], *, key_given: bool) -> Conflict:
    """A plan that clashes with stored data (a program key or a calendar name taken): a
    conflict, as any change that contradicts stored data is; a key given beside the file
    is named as the field ``key``."""
    if key_given:  # the plan's path, wherever in the file its reader found the key
        problems = [
            {"field": "key", "message": p["message"]}
            if p.get("path", p.get("location")) == "program.key"
            else p
            for p in problems
        ]
    first = problems[0]
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    if "field" in first:
        return Conflict(f"{first['message']}{more}", details=problems)
    where = f"{first['location']}: " if first.get("location") else ""
    return Conflict(f"cannot import this file: {where}{first['message']}{more}", details=problems)


def import_file(
    session: Session,
    actor: Actor,
    data: bytes,
    *,
    filename: str = "",
    format: str | None = None,
    key: str | None = None,
    name: str | None = None,
    mapping: dict[str, str] | None = None,
    limit: int = MAX_IMPORT_BYTES,
) -> ImportReport:
    """Import a plan file as a new program (checked first: a bad file writes nothing),
    then report how Podium's schedule compares with the dates the file stored."""
    imported = read_file(data, filename=filename, format=format, mapping=mapping, limit=limit)
    if imported.problems:  # listed with those of the plan the reader could read
        raise ImportRefused(refused_file_problems(imported), format=imported.format)
    document = imported.document
    if control := control_problems(document):  # before any text is looked up in the database
        # listed with every other problem of the plan, all at once
        problems = merged(control, plan_problems(document))
        raise ImportRefused(located(imported, problems), format=imported.format)
    if key:  # given beside the file, not in it: a field's error, as any field's
        if not re.fullmatch(KEY_PATTERN, key):
            raise field_error("key", "a letter, then up to 19 letters, digits, - or _")
        document["program"]["key"] = key
    if name:
        if len(name) > MAX_PROGRAM_NAME:
            raise field_error("name", f"at most {MAX_PROGRAM_NAME} characters, not {len(name)}")
        if control := control_problems(name):
            raise field_error("name", control[0]["message"])
        document["program"]["name"] = name
    program_key = document["program"]["key"]
    notes = [printable(note) for note in imported.notes]  # they may quote the file
    if imported.format != "podium-plan":
        notes += _free_names(session, document, program_key)
    try:
        plan = read_plan(document)  # what the readers hand over, checked as any plan file
    except PlanError as exc:
        problems = merged(exc.problems, document_window_problems(document))
        raise ImportRefused(located(imported, problems), format=imported.format) from None
    if outside := window_problems(plan):
        raise ImportRefused(located(imported, outside), format=imported.format)
    try:
        program = import_plan(session, actor, plan)
    except PlanError as exc:  # it reads, but clashes with what is stored
        raise _clash(imported.locate(exc.problems), key_given=bool(key)) from None
    reschedule_pending(session)
    session.refresh(program)
    baseline_id = _take_file_baseline(session, actor, program, imported)
    counts = {
        "projects": len(plan.projects),
        "tasks": len(plan.tasks),
        "milestones": len(plan.milestones),
        "dependencies": len(plan.dependencies),
        "calendars": len(plan.calendars),
        "resources": len(plan.resources),
        "assignments": len(plan.assignments),
    }
    return ImportReport(
        program_id=program.id,
        program_key=program.key,
        program_name=program.name,
        format=imported.format,
        counts=counts,
        dates=compare_dates(session, program, imported),
        notes=notes,
        baseline_id=baseline_id,
    )
