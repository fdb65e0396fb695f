"""``podium resource load`` (the demand on each resource against its capacity, period by
period) and ``podium level``, which delays the work so that no one is booked beyond
capacity, keeping the result as leveling holds (``--clear`` removes them)."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Annotated, Any, cast

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from podium.cli._app import (
    AsUser,
    actor_for,
    app,
    console,
    err,
    fail,
    in_options,
    print_problems,
    require_current_schema,
    service_work,
)
from podium.cli.resources import resource_app
from podium.engine.calendar import LAST_DATE, shifted
from podium.engine.load import Period
from podium.errors import PodiumError
from podium.models import Program, ProgramStatus
from podium.services import programs
from podium.services.actor import SYSTEM
from podium.services.closed import ProgramClosed
from podium.services.scheduling import reschedule_pending
from podium.services.uow import unit_of_work


@resource_app.command("load")
def resource_load(
    program: Annotated[str, typer.Argument(help="program key or id")],
    period: Annotated[str, typer.Option(help="day, week or month")] = "week",
    columns: Annotated[int, typer.Option(min=1, max=120, help="how many periods to show")] = 12,
) -> None:
    """The load of each resource of a program from its status date (percent of capacity;
    red: over-allocated)."""
    from podium.services.resources import load

    if period not in ("day", "week", "month"):
        raise fail("--period is day, week or month")
    every = cast(Period, period)
    with service_work() as session:
        found = programs.find_program(session, SYSTEM, program)
        since = found.status_date or found.scheduled_start or found.start_date
        first, last = _whole_periods(since, every, columns)
        report = load.program_resource_load(
            session, SYSTEM, found.id, period=every, start=first, finish=last
        )
    rows = report["resources"]
    if not rows:
        console.print(f"No resource is assigned in {found.key}.")
        return
    starts = [b["start"] for b in rows[0]["buckets"]][:columns]
    table = Table("resource", *_headers(starts, every), title=f"{found.key}: load by {period}")
    for row in rows:
        cells = [_cell(b) for b in row["buckets"][:columns]]
        table.add_row(row["resource"]["key"], *cells)
    console.print(table)
    over = [(row["resource"]["name"], o) for row in rows for o in row["overloads"]]
    for name, o in over:
        tasks = ", ".join(f"{t['key']} ({t['program_key']}/{t['project_key']})" for t in o["tasks"])
        console.print(
            f"[red]over-allocated[/] {name}: {o['start']}–{o['finish']} ({o['days']} d, "
            f"peak {o['peak_demand']:g} of {o['capacity']:g}): {tasks}"
        )


def _whole_periods(day: date, period: Period, columns: int) -> tuple[date, date]:
    """The first and last day of ``columns`` whole periods from the one holding ``day``
    (a week from its Monday, a month from its first day)."""
    if period == "month":
        first = day.replace(day=1)
        after = first.year * 12 + first.month - 1 + columns  # the month after the last
        if after // 12 > LAST_DATE.year:
            return first, LAST_DATE
        return first, shifted(date(after // 12, after % 12 + 1, 1), -1)
    first = shifted(day, -day.weekday())
    return first, shifted(first, (7 if period == "week" else 1) * columns - 1)


def _headers(starts: list[date], period: Period) -> list[str]:
    """Column headers: ``Nov 2026`` for a month; a week's Monday or a day as ``30 Nov``,
    with the year on the first column and where the year changes."""
    if period == "month":
        return [f"{d:%b %Y}" for d in starts]
    return [
        f"{d.day} {d:%b %Y}" if k == 0 or d.year != starts[k - 1].year else f"{d.day} {d:%b}"
        for k, d in enumerate(starts)
    ]


def _cell(bucket: dict[str, Any]) -> str:
    used = bucket["utilization"]
    if used is None:
        return "—" if bucket["demand"] == 0 else "[red]off[/]"
    text = f"{used:.0%}"
    return f"[bold red]{text}[/]" if bucket["over_allocated_days"] else text


# --- leveling: move the work so that no one is booked beyond capacity -------------------


def _parse_weights(values: list[str]) -> dict[str, int]:
    from podium.services.resources.leveling import MAX_WEIGHT

    weights: dict[str, int] = {}
    for value in values:
        key, _, weight = value.partition("=")
        if not key.strip() or not weight.strip().isdecimal():
            raise fail(f"--weight takes KEY=N (a task, milestone or project key), not {value!r}")
        if int(weight) > MAX_WEIGHT:
            raise fail(f"--weight {value}: a weight is a whole number from 0 to {MAX_WEIGHT}")
        weights[key.strip()] = int(weight)
    return weights


@app.command()
def level(
    program: Annotated[str, typer.Argument(help="program key or id")],
    optimize: Annotated[
        bool, typer.Option("--optimize", help="the CP-SAT optimizer instead of the fast heuristic")
    ] = False,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="seconds (default 1, or 10 to optimize)")
    ] = None,
    weight: Annotated[
        list[str] | None,
        typer.Option("--weight", help="KEY=N: weight of a task, milestone or project's delay"),
    ] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="store the result (default: preview only)")
    ] = False,
    preview: Annotated[
        int | None,
        typer.Option("--preview", help="with --apply: store exactly this kept preview's result"),
    ] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="remove every leveling hold instead (alone)")
    ] = False,
    as_user: AsUser = None,
) -> None:
    """Level a program's resources (managers): preview what moves, or --apply it; --clear
    removes the leveling holds an apply kept."""
    from podium.services.resources import leveling, leveling_outcome

    if clear:
        others = {
            "--optimize": optimize,
            "--time-limit": time_limit is not None,
            "--weight": bool(weight),
            "--apply": apply,
            "--preview": preview is not None,
        }
        given = [option for option, used in others.items() if used]
        if given:
            raise fail(f"--clear goes alone: not with {', '.join(given)}")
        _clear_holds(program, as_user)
        return
    require_current_schema()
    weights = _parse_weights(weight or [])
    _check_level_options(optimize, time_limit, weights, apply, preview)
    method: leveling_outcome.Method = "optimal" if optimize else "heuristic"
    outcome: list[leveling_outcome.LevelingOutcome] = []
    failure: list[BaseException] = []
    limit = time_limit if time_limit is not None else leveling.DEFAULT_TIME_LIMIT[method]
    started = threading.Event()
    key_of: list[str] = []

    def work() -> None:
        try:
            with unit_of_work() as session:
                actor = actor_for(session, as_user)
                found = programs.find_program(session, actor, program)
                key_of.append(found.key)
                _refuse_closed(found)
                outcome.append(
                    leveling.level_program(
                        session, actor, found.id,
                        method=method if preview is None else None, time_limit=time_limit,
                        weights=weights or None, apply=apply, preview_id=preview,
                        on_start=lambda _limit: started.set(),
                    )
                )  # fmt: skip
        except BaseException as exc:  # reported below, in the main thread
            failure.append(exc)
        finally:
            started.set()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    columns = (TextColumn("[bold]Leveling[/] ({task.fields[method]})"), BarColumn())
    with Progress(*columns, TimeElapsedColumn(), console=err, transient=True) as progress:
        bar = progress.add_task("level", total=limit, method=method)
        began = time.perf_counter()
        while thread.is_alive():
            thread.join(0.1)
            if started.is_set():
                progress.update(bar, completed=min(limit, time.perf_counter() - began))
        progress.update(bar, completed=limit)
    if failure:
        exc = failure[0]
        if isinstance(exc, PodiumError):
            print_problems(_in_options(exc))
            raise typer.Exit(1) from exc
        raise exc
    _print_outcome(outcome[0], key_of[0] if key_of else program)


_OPTIONS = {"time_limit": "--time-limit", "weights": "--weight", "preview_id": "--preview"}


def _in_options(exc: PodiumError) -> PodiumError:
    """The service's refusal with its request fields named as the options typed
    (``weights.M1`` is ``--weight M1``)."""
    named = in_options(exc, _OPTIONS)
    if named is exc:
        return exc
    message = named.message.replace("in the weights", "given with --weight")
    return PodiumError(message, details=named.details, code=named.code)


def _check_level_options(
    optimize: bool,
    time_limit: float | None,
    weights: dict[str, int],
    apply: bool,
    preview: int | None,
) -> None:
    """Refuse contradictory options, naming them as typed."""
    from podium.services.resources.leveling import MAX_TIME_LIMIT

    if preview is not None:
        if not apply:
            raise fail("--preview goes with --apply (it names the preview to store)")
        given = [
            option
            for option, used in (
                ("--optimize", optimize),
                ("--time-limit", time_limit is not None),
                ("--weight", bool(weights)),
            )
            if used
        ]
        if given:
            raise fail(
                f"--preview stores the kept preview as it was computed: not with {', '.join(given)}"
            )
    if time_limit is not None and not 0 < time_limit <= MAX_TIME_LIMIT:
        raise fail(f"--time-limit is more than 0 and at most {MAX_TIME_LIMIT:g} seconds")
    if weights and not optimize:
        raise fail("--weight goes with --optimize: only the optimizing method weighs delays")


def _refuse_closed(program: Program) -> None:
    """A closed program's plan is frozen: it is not leveled, and no leveling hold is kept
    or removed."""
    if program.status == ProgramStatus.CLOSED:
        raise ProgramClosed(
            f"{program.key} is closed: its plan cannot change until an owner reopens it "
            f"(podium program reopen {program.key})",
            details={"program_id": program.id},
        )


def _clear_holds(program: str, as_user: str | None) -> None:
    """Remove every leveling hold of the program (managers), and say how its finish moved."""
    from podium.services.resources import holds

    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        _refuse_closed(found)
        was = found.scheduled_finish
        cleared = holds.clear_leveling(session, actor, found.id)
        reschedule_pending(session)  # now rather than at commit: to say where the finish lands
        session.refresh(found)
        key, now = found.key, found.scheduled_finish
    if not cleared:
        # a program without scheduled work has no finish to name
        finish = f" (program finish {now})" if now else ""
        console.print(f"There were no leveling delays in {key}: nothing to clear{finish}.")
        return
    finish = f"program finish {was} → {now}" if was != now else f"program finish unchanged, {now}"
    noun = "hold" if cleared == 1 else "holds"
    console.print(f"Removed {cleared} leveling {noun} from {key}: {finish}.")


def _print_outcome(o: Any, key: str) -> None:
    if not o.moves and not o.milestones and o.status == "nothing to level":
        console.print(f"Nothing to level in {key}: {o.message}.")
        return
    how = "heuristic leveling"
    if o.method == "optimal":
        proof = "proven optimal" if o.optimal else "not proven optimal"
        how = f"optimizing leveling ({proof})"
    console.print(
        f"{key}: {how} in {o.seconds:.2f} s — resource-days over capacity "
        f"{o.over_allocated_days_before} → {o.over_allocated_days_after}; program finish "
        f"{o.finish_before} → {o.finish_after}."
    )
    if o.message:  # why the optimal method proved nothing: the same words as the API's
        console.print(f"{o.message[:1].upper()}{o.message[1:]}.")
    if o.other_programs or o.other_programs_hidden:
        where = list(o.other_programs)
        if o.other_programs_hidden:
            where.append(f"{o.other_programs_hidden} program(s) you cannot see")
        console.print(f"Shared people's work in {' and '.join(where)} is kept free (not moved).")
    if o.moves:
        moves = f"{len(o.moves)} task(s) move"
        table = Table("task", "delay (wd)", "start", "finish", "why", title=moves)
        table.title_justify = "left"
        for m in o.moves[:50]:
            table.add_row(
                f"{m['key']} ({m['project_key']})" if m["project_key"] else m["key"],
                f"{m['finish_delay_days']:+d}", f"{m['start_before']} → {m['start_after']}",
                f"{m['finish_before']} → {m['finish_after']}", m["why"],
            )  # fmt: skip
        console.print(table)
    if o.milestones:
        table = Table(
            "milestone", "delay (wd)", "finish", "target", "verdict", title="Milestones that move",
            title_justify="left",
        )  # fmt: skip
        for m in o.milestones:
            misses = (
                "[red]misses its target[/]"
                if m.get("misses_target")
                else "meets it"
                if m.get("target")
                else "—"
            )
            moved = f"{m['finish_before']} → {m['finish_after']}"
            delay = f"{m['finish_delay_days']:+d}"
            table.add_row(m["key"], delay, moved, str(m.get("target") or "—"), misses)
        console.print(table)
    if o.moves or o.milestones:
        console.print("Delays count working days (wd) of the program's calendar.")
    if o.remaining:
        console.print(
            "[red]Still over capacity[/], with work leveling may not move (started, finished, "
            "pinned, or another program's):"
        )
        for r in o.remaining:
            console.print(f"  {_remaining(r)}")
    if o.applied:
        console.print("[green]Applied[/]: the leveled starts are kept as leveling holds.")
    else:
        console.print(
            f"Preview only (kept as preview {o.preview_id}): run again with --apply to level "
            f"and keep the result, or with --apply --preview {o.preview_id} to keep exactly "
            "this one."
        )


def _remaining(r: dict[str, Any]) -> str:
    """An over-allocation leveling leaves, with why each of its tasks stays."""
    tasks = []
    for t in r["tasks"]:
        why = t["program_key"] if t["why"] == "elsewhere" else t["why"]
        tasks.append(f"{t['key']} ({why})" if why else t["key"])
    if r["hidden_tasks"]:
        tasks.append(f"{r['hidden_tasks']} task(s) in programs you cannot see")
    return (
        f"{r['resource']['name']}: {r['start']}–{r['finish']} ({r['days']} d, peak "
        f"{r['peak_demand']:g} of {r['capacity']:g}): {', '.join(tasks)}"
    )
