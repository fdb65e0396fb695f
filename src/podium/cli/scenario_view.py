"""How ``podium scenario compare`` and ``apply`` print a scenario beside the live plan:
the side-by-side table, the P80 notes, every change applying would write, the clashes
with the live plan and the tasks whose effort moved with someone's hours."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from podium.cli._app import console
from podium.currency import in_currency


def conflicts_table(conflicts: list[dict[str, Any]]) -> Table:
    table = Table("record", "change", "what happened", title=f"{len(conflicts)} conflict(s)")
    for c in conflicts:
        table.add_row(escape(f"{c['kind']} {c['key']}"), c["change"], escape(c["message"]))
    return table


def _day(value: Any, late: bool = False) -> str:
    return "—" if value is None else f"{value} late" if late else str(value)


def _slip(value: int | None) -> str:
    return "" if not value else f"{value:+d} wd"


def _target(m: dict[str, Any]) -> str:
    """The live target and the scenario's when they differ, as the page says them."""
    live = m["target_live"] if m["only_in"] != "scenario" else m["target_scenario"]
    mine = m["target_scenario"] if m["only_in"] != "live" else m["target_live"]
    if live != mine:
        return f", target {_day(live)} → {_day(mine)}"
    return f", target {mine}" if mine else ""


def compare_table(view: dict[str, Any], currency: str | None) -> None:
    columns = ["", "live", "scenario", "slip"] + (["baseline"] if view["baseline"] else [])
    table = Table(
        *columns, title=escape(f"S{view['scenario']['number']} {view['scenario']['name']}")
    )

    def row(label: str, cells: dict[str, Any], late: tuple[bool, bool] = (False, False)) -> None:
        extra = [_day(cells.get("baseline"))] if view["baseline"] else []
        live, mine = _day(cells["live"], late[0]), _day(cells["scenario"], late[1])
        table.add_row(escape(label), live, mine, _slip(cells.get("slip")), *extra)

    row("program finish", view["program"]["finish"])
    p80 = view["program"]["p80"]
    if p80["live"] or p80["scenario"]:
        row("program P80", p80)
    for m in view["milestones"]:
        # a side no work leads to yet has no forecast (as `podium milestone list` says)
        cells = {
            **m,
            **{side: "none yet" for side in ("live", "scenario") if m.get(f"fed_{side}") is False},
        }
        row(f"{m['key']} {m['name']}{_target(m)}", cells, (m["late_live"], m["late_scenario"]))
        if m["p80_live"] or m["p80_scenario"]:  # only when forecast
            row(f"{m['key']} P80", {"live": m["p80_live"], "scenario": m["p80_scenario"]})
    for p in view["projects"]:
        row(f"project {p['key']}", p)
    cost = view["cost"]
    extra = [f"{cost['baseline']:,.0f}"] if view["baseline"] else []
    live, then = f"{cost['live']:,.0f}", f"{cost['scenario']:,.0f}"
    table.add_row(in_currency("cost", currency), live, then, "", *extra)
    for r in view["resources"]:
        label = escape(f"{r['name']} over-allocated days")
        table.add_row(label, str(r["live"]), str(r["scenario"]), "")
    console.print(table)


def p80_notes(p80: dict[str, Any], keys: tuple[str, str]) -> None:
    """Say which side's P80s come from a forecast run before its plan's latest changes."""
    sides = (("live", "the plan's", keys[0]), ("scenario", "the scenario's", keys[1]))
    for side, plan, key in sides:
        if p80[f"{side}_plan_changed_since"]:
            ran = p80[f"{side}_forecast_at"].date().isoformat()
            note = f"forecast of {ran}, before {plan} latest changes"
            console.print(escape(f"{side} P80s: {note} (`podium forecast {key}` runs a new one)"))


def _value(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def _fields(fields: dict[str, list[Any]]) -> str:
    """``duration 10 → 15, work given (h) 80.0 → 120.0``: ``work_hours`` repeats
    ``given_work_hours`` (kept for older API clients), shown once."""
    return ", ".join(
        f"{'work given (h)' if f == 'given_work_hours' else f.replace('_', ' ')} "
        f"{_value(pair[0])} → {_value(pair[1])}"
        for f, pair in fields.items()
        if not (f == "work_hours" and "given_work_hours" in fields)
    )


def _named(
    rows: list[dict[str, Any]], say: Callable[[dict[str, Any]], str] | None = None
) -> list[str]:
    return [f"{r['key']} {r['name']}" + (f" ({say(r)})" if say else "") for r in rows]


def _changed(row: dict[str, Any]) -> str:
    return _fields(row["fields"])


def _listed(scope: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """Each kind of change applying would write, in words, in the page's order."""
    links = [f"{d['link']} ({d['live']} → {d['scenario']})" for d in scope["dependencies_changed"]]
    jobs = [f"{a['assignment']} ({_changed(a)})" for a in scope["assignments_changed"]]
    kinds = [
        ("tasks changed", _named(scope["tasks_changed"], _changed)),
        ("tasks added", _named(scope["tasks_added"], lambda t: f"{t['duration']} wd")),
        ("tasks removed", _named(scope["tasks_removed"])),
        ("links added", scope["dependencies_added"]),
        ("links removed", scope["dependencies_removed"]),
        ("links changed", links),
        ("assignments added", scope["assignments_added"]),
        ("assignments removed", scope["assignments_removed"]),
        ("assignments changed", jobs),
    ]
    for what in ("projects", "milestones"):
        kinds += [
            (f"{what} changed", _named(scope[f"{what}_changed"], _changed)),
            (f"{what} added", _named(scope[f"{what}_added"])),
            (f"{what} removed", _named(scope[f"{what}_removed"])),
        ]
    return [(label, items) for label, items in kinds if items]


def scope_changes(scope: dict[str, Any]) -> None:
    """Every change applying would write, kind by kind, as the page lists them; "No
    changes" only when there is none."""
    listed = _listed(scope)
    if not listed:
        console.print("No changes: the scenario is the live plan as copied.")
    else:
        console.print("What the scenario changes (what applying would write):")
        for label, items in listed:
            console.print(escape(f"  {label}: " + "; ".join(items)))
    moved = [t["key"] for t in scope["tasks_moved"]]
    if moved:
        tasks = "task moves" if len(moved) == 1 else "tasks move"
        shown = ", ".join(moved[:12]) + ("…" if len(moved) > 12 else "")
        console.print(escape(f"{len(moved)} other {tasks} as a result: {shown}"))


def clash_warning(out: Console, conflicts: list[dict[str, Any]]) -> None:
    """Warn of what would refuse applying, before anyone tries (as the page does)."""
    if not conflicts:
        return
    out.print(
        "[bold yellow]warning:[/] the live plan and this scenario clash since it was copied: "
        "applying would be refused for what is listed here (progress reported on the live "
        "plan is kept, and is no clash). Edit the scenario so it agrees with the live plan, "
        "or discard the scenario and copy the plan again."
    )
    out.print(conflicts_table(conflicts))


def _days(value: int | None) -> str:
    return "—" if value is None else f"{value:,} wd"


def hours_changed(hours: dict[str, Any] | None, then: str) -> None:
    """Say which effort-driven tasks moved because someone's hours per day changed since
    the copy: ``then`` is ``scenario`` (compare: live and scenario now) or ``applied``."""
    if not hours or not hours.get("resources"):
        return
    console.print(escape(hours["note"]))
    for t in hours["tasks"]:
        now = (
            f"{_days(t['live'])} live, {_days(t['scenario'])} in the scenario"
            if then == "scenario"
            else f"{_days(t.get('applied'))} applied"
        )
        console.print(escape(f"  {t['key']} {t['name']}: {_days(t['copied'])} when copied, {now}"))
