"""MSPDI resources and assignments as plan-format resources and assignments.

Work resources become people, or teams and equipment when their ``Group`` is
``Team`` or ``Equipment`` (MSPDI's resource ``Type`` knows only work, material and
cost, so the writer marks Podium's kinds there); material resources become
equipment (their units are not time: noted); cost resources are left out. ``MaxUnits`` is the
capacity (raised to the largest units the file assigns, since Podium refuses an
assignment above capacity and Microsoft Project only flags it), ``StandardRate``
(money per hour) the cost rate. Assignments to the placeholder resource
(``ResourceUID`` -65535 or -1), to summary tasks or to milestones carry no work
in Podium and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from podium.interop.imported import Problem
from podium.interop.mspdi._xml import Q, duration_minutes, flag, number, text

# the Group that marks a work resource as one of Podium's kinds other than a person
KIND_GROUPS = {"team": "Team", "equipment": "Equipment"}
GROUP_KINDS = {group.casefold(): kind for kind, group in KIND_GROUPS.items()}


@dataclass
class ResourceRead:
    resources: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    by_uid: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    split_uids: set[str] = field(default_factory=set)
    origins: dict[str, str] = field(default_factory=dict)  # "resources[0]" → "line 9, …"


def split_task_uids(root: Element) -> set[str]:
    """UIDs of tasks whose assignments pause on a working day (a split in the file)."""
    split: set[str] = set()
    for assignment in root.findall(f"{Q}Assignments/{Q}Assignment"):
        values = [
            text(data, "Value")
            for data in assignment.findall(Q + "TimephasedData")
            if text(data, "Type") == "1"
        ]
        worked = [v not in (None, "PT0H0M0S") for v in values if v is not None]
        if True in worked:
            first = worked.index(True)
            last = len(worked) - 1 - worked[::-1].index(True)
            if False in worked[first:last]:
                split.add(text(assignment, "TaskUID") or "")
    return split


def read_resources(
    root: Element, *, calendar_names: dict[str, str], lines: dict[int, int]
) -> ResourceRead:
    """The file's resources (the placeholder, UID 0, left out whatever its name)."""
    read = ResourceRead()
    for element in root.findall(f"{Q}Resources/{Q}Resource"):
        uid = text(element, "UID")
        name = text(element, "Name")
        where = f"line {lines.get(id(element), '?')}, Resource UID {uid}"
        if uid is None:
            read.problems.append(Problem(where, "a resource without a UID"))
            continue
        if flag(element, "IsNull") or uid == "0":  # UID 0 is the "Unassigned" placeholder
            continue
        kind = text(element, "Type") or "1"
        if kind == "2":
            read.notes.append(f"{where} ({name}): a cost resource is left out")
            continue
        try:
            capacity = number(element, "MaxUnits", 1.0)
            rate = number(element, "StandardRate", 0.0)
        except ValueError as exc:
            read.problems.append(Problem(where, str(exc)))
            continue
        resource: dict[str, Any] = {
            "id": f"R{uid}",
            "name": name or f"Resource {uid}",  # too long: a problem of the plan checks
            "kind": (
                GROUP_KINDS.get((text(element, "Group") or "").casefold(), "person")
                if kind == "1"
                else "equipment"
            ),
            "capacity": capacity if capacity > 0 else 1.0,
            "cost_rate": max(0.0, rate),
        }
        if kind == "0":
            read.notes.append(f"{where} ({name}): a material resource, imported as equipment")
        calendar_uid = text(element, "CalendarUID")
        if calendar_uid in calendar_names:
            resource["calendar"] = calendar_names[calendar_uid]
        elif calendar_uid not in (None, "-1"):
            read.notes.append(
                f"{where} ({name}): calendar UID {calendar_uid} is not in the file: "
                "the program's calendar is used"
            )
        read.origins[f"resources[{len(read.resources)}]"] = where
        read.resources.append(resource)
        read.by_uid[uid] = resource["id"]
    return read


def read_assignments(
    root: Element,
    read: ResourceRead,
    *,
    tasks_by_uid: dict[str, str],
    summaries: set[str],
    milestones: set[str],
    minutes_per_day: float,
    lines: dict[int, int],
) -> None:
    """The file's assignments of resources to tasks (added to ``read``)."""
    capacity = {r["id"]: r for r in read.resources}
    seen: set[tuple[str, str]] = set()
    skipped = 0
    for element in root.findall(f"{Q}Assignments/{Q}Assignment"):
        where = f"line {lines.get(id(element), '?')}, Assignment UID {text(element, 'UID')}"
        task = tasks_by_uid.get(text(element, "TaskUID") or "")
        resource_uid = text(element, "ResourceUID") or "-1"
        if resource_uid.startswith("-"):  # the "unassigned" placeholder
            continue
        resource = read.by_uid.get(resource_uid)
        if task is None or resource is None or task in summaries or task in milestones:
            skipped += 1
            continue
        if (task, resource) in seen:
            read.notes.append(f"{where}: a second assignment of the same resource is left out")
            continue
        try:
            units = number(element, "Units", 1.0)
            work = text(element, "Work")
            hours = duration_minutes(work, minutes_per_day) / 60 if work else None
        except ValueError as exc:
            read.problems.append(Problem(where, str(exc)))
            continue
        if units <= 0:
            read.notes.append(f"{where}: an assignment at 0 units is left out")
            continue
        seen.add((task, resource))
        holder = capacity[resource]
        if units > holder["capacity"]:
            read.notes.append(
                f"{where}: {units:g} units above the maximum of {holder['name']!r} "
                f"({holder['capacity']:g}): its capacity is raised to {units:g}"
            )
            holder["capacity"] = units
        assignment: dict[str, Any] = {"task": task, "resource": resource, "units": units}
        if hours is not None:
            assignment["work_hours"] = round(max(0.0, hours), 4)
        read.origins[f"assignments[{len(read.assignments)}]"] = where
        read.assignments.append(assignment)
    if skipped:
        read.notes.append(
            f"{skipped} assignment(s) without a resource, or on a summary task or "
            "milestone, are left out"
        )
