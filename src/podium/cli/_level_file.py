"""``podium schedule --file … --level``: level a plan or PSPLIB file, without a database."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from podium.cli._app import console, err, print_problems, write_file
from podium.errors import PodiumError

if TYPE_CHECKING:
    from podium.engine.leveling import LevelingInput, LevelingResult, Violation
    from podium.interop.plan_format import Plan

SHOWN = 20  # delayed tasks listed in the summary table
BUG_EXIT = 3  # a leveled schedule that breaks a rule is a bug, told apart from bad input


def level_file(plan: Plan, output: Path | None, *, optimize: bool, time_limit: float) -> None:
    """Level ``plan`` (heuristic, or CP-SAT with ``optimize``), check the result, and write
    the leveling result JSON to ``output`` (with a summary table) or to stdout."""
    from podium.engine.leveling import check_leveling, level, level_optimal
    from podium.interop.plan_format import plan_to_leveling_input
    from podium.interop.plan_resources import leveling_result_to_json, over_allocations_left
    from podium.services.scheduling.reschedule import engine_errors_as_conflicts

    solve = level_optimal if optimize else level
    method = "optimizing solver (CP-SAT)" if optimize else "heuristic"
    try:
        with engine_errors_as_conflicts():
            data = plan_to_leveling_input(plan, holds=False)
            result = _with_progress(
                lambda: solve(
                    data.network, data.resources, data.assignments, time_limit=time_limit
                ),
                f"Leveling {len(plan.tasks)} tasks with the {method}",
                time_limit,
            )
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    violations = check_leveling(data.network, data.resources, data.assignments, result)
    if violations:
        _report_violations(violations)
        raise typer.Exit(BUG_EXIT)
    left = over_allocations_left(data.network, data.resources, data.assignments, result)
    document = leveling_result_to_json(
        result, program_start=plan.program.start, over_allocations=left
    )
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    write_file(output, text)
    _summary(plan, data, result, document)
    console.print(f"Result in {output}")


def _with_progress(work: Callable[[], LevelingResult], label: str, limit: float) -> LevelingResult:
    """Run ``work`` while a progress bar shows the time spent against ``limit`` seconds."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress, ThreadPoolExecutor(1) as pool:
        bar = progress.add_task(label, total=limit)
        began = time.perf_counter()
        future = pool.submit(work)
        while not future.done():
            progress.update(bar, completed=min(limit, time.perf_counter() - began))
            time.sleep(0.05)
        return future.result()


def _summary(
    plan: Plan, data: LevelingInput, result: LevelingResult, document: dict[str, Any]
) -> None:
    method = "CP-SAT" if result.method == "cp-sat" else "the heuristic"
    proof = "optimal" if result.optimal else f"lower bound {result.lower_bound}"
    console.print(
        f"[bold]{plan.program.key}[/] · {plan.program.name} leveled by {method}: makespan "
        f"[bold]{result.makespan}[/] working days ({proof}; {result.unleveled_makespan} "
        f"before leveling), {document['program']['start']} → "
        f"[bold]{document['program']['finish']}[/] in {result.seconds:.1f} s; "
        f"{_count(len(data.resources), 'resource')}, "
        f"{_count(len(data.assignments), 'assignment')}."
    )
    note = solver_note(result.status)
    if note:
        console.print(note)
    _over_allocations_left(document["over_allocations"])
    delayed = [
        row for row in document["tasks"] if row["finish_delay"] > 0 or row["start_delay"] > 0
    ]
    if not delayed:
        console.print("No task had to move.")
        return
    table = Table(
        "task",
        "start",
        "finish",
        "start delay",
        "finish delay",
        title=f"Delayed by leveling ({len(delayed)})",
        title_justify="left",
    )
    for row in delayed[:SHOWN]:
        table.add_row(
            row["id"],
            row["start"],
            row["finish"],
            f"+{row['start_delay']}",
            f"+{row['finish_delay']}",
        )
    if len(delayed) > SHOWN:
        table.add_row(f"… {len(delayed) - SHOWN} more", "", "", "", "")
    console.print(table)


def _over_allocations_left(left: list[dict[str, Any]]) -> None:
    """What stays over capacity: work leveling may not move (started, finished, pinned)."""
    if not left:
        return
    console.print(
        "[bold red]Still over capacity[/], with work leveling may not move "
        "(started, finished or pinned):"
    )
    for o in left[:SHOWN]:
        span = o["start"] if o["start"] == o["finish"] else f"{o['start']}–{o['finish']}"
        tasks = ", ".join(f"{t['id']} ({t['why']})" if t["why"] else t["id"] for t in o["tasks"])
        console.print(
            f"  {o['resource']}: {span} ({o['days']} d, peak {o['peak_demand']:g} of "
            f"{o['capacity']:g}): {tasks}",
            highlight=False,
        )
    if len(left) > SHOWN:
        console.print(f"  … {len(left) - SHOWN} more in the result file")


def solver_note(status: str) -> str | None:
    """Why the optimizing solver kept the heuristic's plan, read from a leveling result's
    ``status`` (``None`` when it did not keep it)."""
    from podium.interop.plan_resources import leveling_status

    _, why = leveling_status(status)
    return f"The optimizing solver kept the heuristic's plan: {why}." if why else None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _report_violations(violations: list[Violation]) -> None:
    err.print(
        f"[bold red]error:[/] the leveled schedule breaks {len(violations)} rule(s); "
        "this is a bug in Podium's leveling — please report it with the file"
    )
    table = Table("kind", "task", "problem", title="Violations", title_justify="left")
    for v in violations[:50]:
        table.add_row(v.kind, v.activity, v.message)
    err.print(table)
