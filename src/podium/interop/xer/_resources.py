"""XER resources (``RSRC``, ``RSRCRATE``) and their assignments (``TASKRSRC``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from podium.interop.xer._context import Calendar, Context, resource_key, where
from podium.interop.xer._tables import Row

KINDS = {"RT_Labor": "person", "RT_Equip": "equipment"}


def _rate(context: Context, rates: list[Row], start: date) -> Row | None:
    """The rate in force on ``start`` (else the first one)."""
    dated = sorted(rates, key=lambda r: r.get("start_date"))
    current = [r for r in dated if (context.day(r, "start_date") or date.min) <= start]
    return current[-1] if current else (dated[0] if dated else None)


def read_resources(
    context: Context,
    *,
    tasks: dict[str, dict[str, Any]],
    start: date,
    calendar: Callable[[str], Calendar | None],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The plan's resources and assignments. ``tasks`` maps ``task_id`` to the plan's
    task; ``calendar`` gives a used calendar by ``clndr_id``. Only resources with an
    assignment in the file are kept; the same resource on one task several times
    (P6 allows it, with different roles or rates) becomes one assignment."""
    rates: dict[str, list[Row]] = {}
    for row in context.tables["RSRCRATE"]:
        rates.setdefault(row.get("rsrc_id"), []).append(row)
    assigned: dict[str, list[Row]] = {}
    skipped_roles = 0
    for row in context.tables["TASKRSRC"]:
        if not row.get("rsrc_id"):
            skipped_roles += 1
            continue
        assigned.setdefault(row.get("rsrc_id"), []).append(row)
    if skipped_roles:
        context.notes.append(
            f"{skipped_roles} assignments of a role without a resource were not carried over"
        )
    used: set[str] = set()
    resources: list[dict[str, Any]] = []
    by_rsrc_id: dict[str, dict[str, Any]] = {}
    unassigned = 0
    for row in context.tables["RSRC"]:
        rid = row.get("rsrc_id")
        if rid not in assigned:
            unassigned += 1
            continue
        kind = KINDS.get(row.get("rsrc_type") or "RT_Labor")
        if kind is None:
            context.notes.append(
                f"resource {row.get('rsrc_short_name') or rid} is a material: "
                "materials and their assignments were not carried over"
            )
            continue
        rate = _rate(context, rates.get(rid, []), start)
        capacity = context.number(rate, "max_qty_per_hr", 1.0) if rate else 1.0
        cost = context.number(rate, "cost_per_qty", 0.0) if rate else 0.0
        if len(rates.get(rid, [])) > 1:
            context.notes.append(
                f"resource {row.get('rsrc_short_name') or rid} has {len(rates[rid])} rates over "
                f"time: the one in force on {start.isoformat()} was kept"
            )
        own = calendar(row.get("clndr_id")) if row.get("clndr_id") else None
        resource: dict[str, Any] = {
            "id": resource_key(row.get("rsrc_short_name") or row.get("rsrc_name") or rid, used),
            "name": row.get("rsrc_name") or row.get("rsrc_short_name") or rid,
            "kind": kind,
            "capacity": capacity if capacity and capacity > 0 else 1.0,
            "hours_per_day": min(own.hours_per_day, 24.0) if own else 8.0,
            "cost_rate": max(cost or 0.0, 0.0),
        }
        if own is not None:
            resource["calendar"] = own.name
        context.origins[f"resources[{len(resources)}]"] = where(row)
        resources.append(resource)
        by_rsrc_id[rid] = resource
    if unassigned:
        context.notes.append(f"{unassigned} resources without an assignment were left out")
    return resources, _assignments(context, assigned, by_rsrc_id, tasks)


def _assignments(
    context: Context,
    assigned: dict[str, list[Row]],
    resources: dict[str, dict[str, Any]],
    tasks: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    count: dict[tuple[str, str], int] = {}
    first: dict[tuple[str, str], Row] = {}  # the first row of each (merged) assignment
    for rid, rows in assigned.items():
        resource = resources.get(rid)
        if resource is None:
            if not any(r.get("rsrc_id") == rid for r in context.tables["RSRC"]):
                context.problem(where(rows[0]), f"rsrc_id {rid} is not in the RSRC table")
            continue
        for row in rows:
            task = tasks.get(row.get("task_id"))
            if task is None:
                context.problem(
                    where(row), f"task_id {row.get('task_id')} is not in the TASK table"
                )
                continue
            if task["duration"] == 0:
                context.notes.append(
                    f"{resource['id']} on milestone {task['id']}: a milestone has no work, "
                    "the assignment was left out"
                )
                continue
            units = context.number(row, "target_qty_per_hr", 0.0) or context.number(
                row, "remain_qty_per_hr", 0.0
            )
            work = context.number(row, "target_qty", None)
            pair = (task["id"], resource["id"])
            if pair in merged:
                merged[pair]["units"] += units or 0.0
                if work is not None:
                    merged[pair]["work_hours"] = merged[pair].get("work_hours", 0.0) + work
                count[pair] += 1
                continue
            assignment: dict[str, Any] = {"task": task["id"], "resource": resource["id"]}
            assignment["units"] = units or 0.0
            if work is not None:
                assignment["work_hours"] = max(work, 0.0)
            merged[pair] = assignment
            count[pair] = 1
            first[pair] = row
    result: list[dict[str, Any]] = []
    capacity = {r["id"]: r["capacity"] for r in resources.values()}
    for pair, assignment in merged.items():
        task_id, resource_id = pair
        if count[pair] > 1:
            context.notes.append(
                f"{resource_id} is assigned to {task_id} {count[pair]} times: "
                "merged into one assignment (work added up)"
            )
        units = assignment["units"]
        if units <= 0:
            assignment["units"] = 1.0
            context.notes.append(f"{resource_id} on {task_id}: no units per hour, 1.0 assumed")
        elif units > capacity[resource_id] + 1e-9:
            assignment["units"] = capacity[resource_id]
            context.notes.append(
                f"{resource_id} on {task_id}: {units:g} units capped at its capacity "
                f"{capacity[resource_id]:g}"
            )
        else:
            assignment["units"] = round(units, 3)
        context.origins[f"assignments[{len(result)}]"] = where(first[pair])
        result.append(assignment)
    return result
