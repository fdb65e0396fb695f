"""What ``podium program set --preview`` prints: what a new start, status date or
calendar moves.

The answer comes from the same analysis as the web page's *Preview what moves* and
``POST /api/v1/programs/{id}/settings/impact``: the plan rescheduled on a copy,
nothing written. Each project gets one line (how many of its tasks move, by how
much, and where its last finish lands); each date newly missed or missed by more
gets one line.
"""

from __future__ import annotations

from datetime import date

from rich.markup import escape
from rich.table import Table

from podium.cli._app import console
from podium.cli.programs import counted
from podium.services.scheduling.views import ImpactView, MoveView

MISSES_SHOWN = 20


def _delta(days: int) -> str:
    return f"{days:+d} d" if days else "0 d"


def _range(moves: list[MoveView]) -> str:
    low = min(m.finish_delta for m in moves)
    high = max(m.finish_delta for m in moves)
    return _delta(low) if low == high else f"{_delta(low)} to {_delta(high)}"


def _last(moves: list[MoveView]) -> tuple[date, date]:
    return max(m.early_finish_before for m in moves), max(m.early_finish_after for m in moves)


def print_settings_impact(title: str, changes: list[str], view: ImpactView) -> None:
    """The preview of ``title``'s new settings (``changes``: ``old → new`` lines): the finish,
    each project, each date missed."""
    console.print(f"Preview for {title} (nothing is saved):")
    for change in changes:
        console.print(f"  {escape(change)}")
    console.print(
        f"  program finish {view.finish_before} → {view.finish_after} "
        f"({view.finish_delta:+d} working days)"
    )
    tasks = [m for m in view.moves if m.ref.type == "task"]
    if not tasks and not view.milestones:
        console.print("  Nothing moves: every task keeps its dates.")
        return
    table = Table(title=None, box=None, padding=(0, 2), show_edge=False)
    for header in ("project", "tasks that move", "finish moves", "its last finish"):
        table.add_column(header, justify="right" if header == "finish moves" else "left")
    for key, moves in sorted(view.by_project.items()):
        before, after = _last(moves)
        table.add_row(
            escape(key), counted(len(moves), "task"), _range(moves), f"{before} → {after}"
        )
    for m in view.milestones:
        table.add_row(
            f"{escape(m.ref.key)} (milestone)",
            "",
            _delta(m.finish_delta),
            f"{m.early_finish_before} → {m.early_finish_after}",
        )
    console.print(table)
    print_misses(view, "POST /api/v1/programs/{id}/settings/impact", indent="  ")


def print_misses(view: ImpactView, route: str, *, indent: str = "") -> None:
    """The deadlines, targets and baseline finishes a change newly misses or misses by
    more, the first :data:`MISSES_SHOWN` of them (``route`` lists them all)."""
    for miss in view.misses[:MISSES_SHOWN]:
        word = "newly missed" if miss.is_new else "missed by more"
        console.print(
            f"{indent}[red]{word}[/]: {escape(miss.ref.key)} {escape(miss.ref.name)}: "
            f"{miss.kind} {miss.limit}, forecast {miss.finish_after} "
            f"({counted(miss.days_late_after, 'working day')} late)"
        )
    if len(view.misses) > MISSES_SHOWN:
        console.print(
            f"{indent}… and {len(view.misses) - MISSES_SHOWN} more dates missed "
            f"({route} lists them all)"
        )
