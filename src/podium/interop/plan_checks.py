"""Checks between the parts of a plan, read tolerantly from its raw JSON.

They run beside the schema's own checks so that every problem is listed at once,
each with its location: duplicate ids, unknown projects, calendars, parents,
tasks and milestones, parent cycles, task numbers too large to store, amounts
(budgets, actual costs, cost rates) above what the API takes, inconsistent
progress, and (through :func:`~podium.interop.plan_resources.resource_problems`)
resources and assignments.
"""

from __future__ import annotations

import math
import re
from typing import Any

from podium.currency import MAX_AMOUNT, MAX_COST_RATE
from podium.engine import cycle_among
from podium.interop.plan_resources import resource_problems

# a task id KEY-N numbers the project's next task N + 1, kept as a 32-bit integer
MAX_TASK_NUMBER = 2**31 - 2
AMOUNTS = ("budget", "actual_cost")  # a task's money, bounded by MAX_AMOUNT as in the API


def above(bound: float) -> str:
    """A value above ``bound``, in the words the API refuses it with."""
    return f"Input should be less than or equal to {bound:.0f}"


def _finite(value: Any) -> float | None:
    """``value`` when it is a finite number, else ``None`` (the schema refuses it)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _items(raw: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
    value = raw.get(key)
    if not isinstance(value, list):
        return []
    return [(f"{key}[{i}]", x) for i, x in enumerate(value) if isinstance(x, dict)]


def _text(item: dict[str, Any], field: str) -> str | None:
    value = item.get(field)
    return value if isinstance(value, str) else None


def _spelled(value: Any) -> str | None:
    """A number written where a text belongs, as the text it would be (``7`` → ``"7"``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return str(value) if isinstance(value, int) or not math.isfinite(value) else f"{value:g}"


def cross_reference_problems(raw: dict[str, Any]) -> list[dict[str, str]]:
    """Problems between parts of the plan (``{"location", "message"}`` each), read
    tolerantly from the raw JSON so that they are listed together with the schema's."""
    problems: list[dict[str, str]] = []

    def add(location: str, message: str) -> None:
        problems.append({"location": location, "message": message})

    def names(keys: tuple[str, ...], field: str, label: str) -> dict[str, str]:
        """Where each value is, a value repeated ignoring case (a key typed ``data-3``
        finds ``DATA-3``) named as a duplicate. An item refused for its value's type (an
        id written as the number 7) is known by that value as text, so that a reference
        to it (``"7"``) is not also called unknown: its own problem is listed already."""
        seen: dict[str, str] = {}
        lowered: dict[str, tuple[str, str]] = {}
        refused: dict[str, str] = {}
        for key in keys:
            for where, item in _items(raw, key):
                value = _text(item, field)
                if value is None:
                    if (spelled := _spelled(item.get(field))) is not None:
                        refused.setdefault(spelled, where)
                    continue
                if value.lower() in lowered:
                    first, at = lowered[value.lower()]
                    also = at if first == value else f"{at}, {first!r}"
                    add(f"{where}.{field}", f"duplicate {label} {value!r} (also {also})")
                else:
                    seen[value] = where
                    lowered[value.lower()] = (value, where)
            listed = raw.get(key)
            for i, item in enumerate(listed if isinstance(listed, list) else []):
                if isinstance(item, str):  # an item written as its id alone: refused
                    refused.setdefault(item, f"{key}[{i}]")
        return {**refused, **seen}

    projects = names(("projects",), "key", "project key")
    calendars = names(("calendars",), "name", "calendar name")
    resources = names(("resources",), "id", "resource id")
    work = names(("tasks", "milestones"), "id", "id")
    tasks = {k: v for k, v in work.items() if v.startswith("tasks")}

    def known_calendar(where: str, item: dict[str, Any]) -> None:
        name = _text(item, "calendar")
        if name is not None and name not in calendars:
            add(f"{where}.calendar", f"unknown calendar {name!r}")

    program = raw.get("program")
    if isinstance(program, dict):
        known_calendar("program", program)
    parents: dict[str, str] = {}
    for where, task in _items(raw, "tasks"):
        _task_problems(where, task, projects, tasks, work, add)
        known_calendar(where, task)
        tid, parent = _text(task, "id"), _text(task, "parent")
        if tid is not None and parent in tasks and parent != tid:
            parents[tid] = parent
    _parent_cycles(parents, tasks, add)
    pairs: dict[tuple[str | None, str | None], str] = {}
    for where, dep in _items(raw, "dependencies"):
        ends = [_text(dep, "from"), _text(dep, "to")]
        pair = (ends[0], ends[1])
        if None not in pair and pair in pairs:
            add(where, f"duplicate dependency {pair[0]!r} → {pair[1]!r} (also {pairs[pair]})")
        pairs.setdefault(pair, where)
        for field, value in zip(("from", "to"), ends, strict=True):
            if value is not None and value not in work:
                add(f"{where}.{field}", f"unknown task or milestone {value!r}")
        if ends[0] is not None and ends[0] == ends[1]:
            add(where, f"{ends[0]!r} cannot depend on itself")
    _link_cycle(pairs, work, add)
    for where, item in _items(raw, "resources"):
        known_calendar(where, item)
        rate = _finite(item.get("cost_rate"))
        if rate is not None and rate > MAX_COST_RATE:
            add(f"{where}.cost_rate", above(MAX_COST_RATE))
    summaries = set(parents.values())
    resource_problems(raw, resources=resources, tasks=tasks, summaries=summaries, add=add)
    return problems


def _task_problems(
    where: str,
    task: dict[str, Any],
    projects: dict[str, str],
    tasks: dict[str, str],
    work: dict[str, str],
    add: Any,
) -> None:
    project, parent = _text(task, "project"), _text(task, "parent")
    if project is not None and project not in projects:
        add(f"{where}.project", f"unknown project {project!r}")
    tid = _text(task, "id")
    number = re.fullmatch(rf"{re.escape(project)}-(\d+)", tid) if project and tid else None
    if number is not None and _too_large(number[1]):
        message = f"task number {number[1]} is above {MAX_TASK_NUMBER}, the largest Podium keeps"
        add(f"{where}.id", message)
    if parent is not None and parent not in tasks:
        kind = " (it is a milestone)" if parent in work else ""
        add(f"{where}.parent", f"parent {parent!r} not found{kind}")
    elif parent is not None and parent == _text(task, "id"):
        add(f"{where}.parent", "a task cannot be its own parent")
    constraint = task.get("constraint")
    kind = constraint.get("type", "asap") if isinstance(constraint, dict) else "asap"
    if isinstance(constraint, dict) and kind != "asap" and constraint.get("date") is None:
        add(f"{where}.constraint.date", f"required for a {kind!r} constraint")
    start, finish = task.get("actual_start"), task.get("actual_finish")
    if task.get("duration") != 0 and start is None:
        if finish is not None:
            add(f"{where}.actual_start", "required when actual_finish is set")
        elif isinstance(task.get("percent_complete"), int | float) and task["percent_complete"] > 0:
            add(f"{where}.actual_start", "required when percent_complete is above 0")
    if isinstance(start, str) and isinstance(finish, str) and finish < start:
        add(f"{where}.actual_finish", "is before actual_start")
    for field in AMOUNTS:
        amount = _finite(task.get(field))
        if amount is not None and amount > MAX_AMOUNT:  # what the schema does not bound
            add(f"{where}.{field}", above(MAX_AMOUNT))
    estimate = task.get("estimate")
    if isinstance(estimate, dict):
        values = [estimate.get(k) for k in ("optimistic", "most_likely", "pessimistic")]
        points = [float(p) for p in values if isinstance(p, int | float)]
        if len(points) == 3 and not points[0] <= points[1] <= points[2]:
            add(f"{where}.estimate", "needs optimistic <= most_likely <= pessimistic")


def _too_large(digits: str) -> bool:
    """Whether a task number is above :data:`MAX_TASK_NUMBER` (any number of digits)."""
    significant = digits.lstrip("0")
    return len(significant) > len(str(MAX_TASK_NUMBER)) or int(significant or 0) > MAX_TASK_NUMBER


def _parent_cycles(parents: dict[str, str], tasks: dict[str, str], add: Any) -> None:
    done: set[str] = set()
    for start in parents:
        walk: list[str] = []
        node: str | None = start
        while node is not None and node not in done and node not in walk:
            walk.append(node)
            node = parents.get(node)
        if node is not None and node in walk:
            loop = walk[walk.index(node) :]
            add(f"{tasks[node]}.parent", "parent cycle: " + " → ".join([*loop, node]))
        done.update(walk)


def _link_cycle(
    pairs: dict[tuple[str | None, str | None], str], work: dict[str, str], add: Any
) -> None:
    """Dependencies that go round in a circle (one is reported, at its first link)."""
    ids = {tid: n for n, tid in enumerate(work)}
    edges = [(ids[a], ids[b]) for a, b in pairs if a in ids and b in ids and a != b]
    loop = cycle_among(edges, len(ids))
    if loop:
        names = list(work)
        where = pairs[(names[loop[0]], names[loop[1]])]
        add(where, "dependency cycle: " + " → ".join(names[n] for n in loop))
