"""``podium forecast``: a Monte Carlo forecast of a program, with a progress bar."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from podium.cli._app import app, console, err, in_options, print_problems, require_current_schema
from podium.errors import PodiumError
from podium.services import programs
from podium.services.actor import SYSTEM
from podium.services.uow import unit_of_work

# the option that gives each setting, to name it when the service refuses the setting
OPTIONS = {
    "iterations": "--iterations",
    "seed": "--seed",
    "distribution": "--distribution",
    "default_uncertainty": "--uncertainty",
}


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


@app.command("forecast")
def forecast(
    program: Annotated[str, typer.Argument(help="program key or id")],
    iterations: Annotated[int, typer.Option("--iterations", "-n", help="100 to 100 000")] = 5000,
    seed: Annotated[int | None, typer.Option(help="same seed, same result")] = None,
    distribution: Annotated[str, typer.Option(help="pert or triangular")] = "pert",
    uncertainty: Annotated[
        float, typer.Option(help="± share of the duration of tasks without an estimate")
    ] = 0.2,
    no_risks: Annotated[bool, typer.Option("--no-risks", help="leave risk events out")] = False,
    no_store: Annotated[bool, typer.Option("--no-store", help="print, keep nothing")] = False,
) -> None:
    """Simulate the program's network and print the confidence table (stored by default).

    The iterations run in blocks; the bar moves after each block. The result is
    the same as one run with the same seed (the blocks draw from fixed streams).
    """
    from podium.services import forecasts

    require_current_schema()
    settings = forecasts.ForecastSettings(
        iterations=iterations,
        seed=seed,
        distribution=distribution,
        default_uncertainty=uncertainty,
        include_risks=not no_risks,
    )
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with (
            unit_of_work() as session,
            Progress(*columns, console=err, transient=True) as progress,
        ):
            found = programs.find_program(session, SYSTEM, program)
            bar = progress.add_task(f"Simulating {found.key}", total=iterations)
            stored = forecasts.run_forecast(
                session,
                SYSTEM,
                found.id,
                settings,
                progress=lambda done, _total: progress.update(bar, completed=done),
            )
            results, seed_used, forecast_id = stored.results, stored.seed, stored.id
            unused = stored.inputs.get("unused_estimates", [])
            if no_store:
                session.rollback()
    except PodiumError as exc:
        print_problems(in_options(exc, OPTIONS))
        raise typer.Exit(1) from exc
    # dates whole, however narrow the output (a pipe, cron): the names wrap instead
    dates = [Column(h, no_wrap=True, min_width=10) for h in ("target", "planned", "P10", "P50")]
    dates += [Column(h, no_wrap=True, min_width=10) for h in ("P80", "P90")]
    table = Table(
        Column("", overflow="fold", min_width=8),
        *dates,
        Column("on time", no_wrap=True),
        title=f"{results['program']['key']} — {iterations} iterations, seed {seed_used}",
    )
    rows = [("Program", results["program"])]
    rows += [(f"{m['key']} {m['name']}", m) for m in results["milestones"]]
    rows += [(f"project {p['key']}", p) for p in results["projects"]]
    for label, r in rows:
        table.add_row(
            label,
            r["target"] or "—",
            r["finish"] or "—",
            r["p10"],
            r["p50"],
            r["p80"],
            r["p90"],
            _percent(r["probability"]),
        )
    if console.is_terminal:
        console.print(table)
    else:  # a pipe, a file, cron: as wide as the table needs, no date cut short
        Console(width=max(console.width, 140), no_color=True).print(table)
    if results["tornado"]:
        # a task's share is how often it is critical; a risk's, how often it occurs
        drivers = Table(
            "driver", "correlation", "critical", "occurs", title="What drives the finish"
        )
        for d in results["tornado"][:10]:
            name = f"{d['key']} {d['name']}".strip()
            share = _percent(d["criticality"])
            critical, occurs = ("—", share) if d.get("kind") == "risk" else (share, "—")
            drivers.add_row(name, f"{d['correlation']:+.2f}", critical, occurs)
        console.print(drivers)
    if unused:
        console.print(forecasts.unused_estimates_in_words(unused))
    if not no_store:
        console.print(f"Stored as forecast {forecast_id}.")
