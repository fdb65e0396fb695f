"""Commands on plans: schedule, import and export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from podium.cli._app import (
    actor_for,
    app,
    console,
    err,
    fail,
    in_options,
    print_problems,
    require_current_schema,
    writable,
    write_file,
)
from podium.cli.programs import counted
from podium.errors import Conflict, PodiumError
from podium.services import programs
from podium.services.actor import SYSTEM
from podium.services.resources.leveling import MAX_TIME_LIMIT
from podium.services.uow import unit_of_work

if TYPE_CHECKING:
    from podium.interop.plan_format import Plan


@app.command()
def schedule(
    program: Annotated[str | None, typer.Argument(help="program key or id (database)")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="a plan file; no database")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write the result JSON here")
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="act as this user (default: admin)")
    ] = None,
    level: Annotated[
        bool, typer.Option("--level", help="level the file's resources (no over-allocation)")
    ] = False,
    optimize: Annotated[
        bool, typer.Option("--optimize", help="with --level: the optimizing solver (CP-SAT)")
    ] = False,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            min=0.1,
            max=MAX_TIME_LIMIT,
            help="with --level: seconds the leveling may take, the optimizing solver's model "
            "included (default 1, or 10 with --optimize; at most "
            f"{MAX_TIME_LIMIT:g}); reading the file and checking the result come on top",
        ),
    ] = None,
) -> None:
    """Schedule a program: print its critical path and milestones, or schedule a plan file.

    [bold]podium schedule CLOUD[/] reads the database; [bold]podium schedule --file
    plan.json --output result.json[/] schedules a plan exchange file (or a PSPLIB
    [bold].sm[/] file) without one; [bold]--level[/] levels its resources, with
    [bold]--optimize[/] by the optimizing solver.
    """
    if (program is None) == (file is None):
        raise fail("give either a PROGRAM or --file PLAN.json")
    if optimize and not level:
        raise fail("--optimize chooses the leveling method: it needs --level")
    if time_limit is not None and not level:
        raise fail("--time-limit bounds leveling: it needs --level")
    if level and file is None:
        raise fail("--level levels a file: give --file PLAN.json or --file INSTANCE.sm")
    if file is not None:
        writable(output)
        if level:
            from podium.cli._level_file import level_file

            limit = time_limit if time_limit is not None else (10.0 if optimize else 1.0)
            level_file(read_plan_file(file), output, optimize=optimize, time_limit=limit)
        else:
            _schedule_file_document(read_plan_file(file), output, show=output is None)
        return
    assert program is not None
    require_current_schema()
    from podium.services.scheduling.views import program_schedule

    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = programs.find_program(session, actor, program)
            view = program_schedule(session, actor, found.id)
            title = f"{found.key} · {found.name}"
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"[bold]{title}[/]  {view.start} → [bold]{view.finish}[/]")
    path = Table(
        "#", "task", "project", "start", "finish", title="Critical path", title_justify="left"
    )
    for n, step in enumerate(view.critical_path, 1):
        path.add_row(
            str(n),
            f"{step.ref.key} {step.ref.name}",
            step.ref.project_key or "program",
            str(step.early_start),
            str(step.early_finish),
        )
    console.print(path)
    unfed = any(not m.fed for m in view.milestones)
    milestones = Table(
        "milestone",
        "target",
        "forecast",
        "slip (working days)",
        title="Milestones",
        title_justify="left",
        # as `podium milestone list` says it: no work leads to it, so no forecast yet
        caption="none yet: no work leads to the milestone, so it has no forecast yet"
        if unfed
        else None,
        caption_justify="left",
    )
    for m in view.milestones:
        milestones.add_row(
            f"{m.ref.key} {m.ref.name}",
            str(m.target or "—"),
            str(m.forecast) if m.fed else "none yet",
            _slip(m.slip) if m.fed and m.target is not None else "—",
        )
    console.print(milestones)
    if output is not None:
        from podium.services.plans import export_plan

        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            document = export_plan(
                session, actor, programs.find_program(session, actor, program).id
            )
        _schedule_file_document(document, output)


def _slip(days: int) -> str:
    """Working days past the target: late in red with a plus sign."""
    return f"[red]+{days}[/]" if days > 0 else str(days)


def read_plan_file(file: Path) -> Plan:
    """A plan file (``podium-plan`` JSON) or a PSPLIB ``.sm`` file as a plan; a file that
    cannot be read ends the command with its problems listed."""
    from podium.interop.plan_format import PlanError, read_plan
    from podium.interop.psplib import PsplibError, psplib_to_plan, read_psplib
    from podium.services.imports import window_problems

    try:
        if file.suffix.lower() == ".sm":
            return psplib_to_plan(read_psplib(file))
        plan = read_plan(file.read_bytes())
        if outside := window_problems(plan):  # a year typed wrong, refused as imports do
            raise PlanError(outside)
        return plan
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror}") from exc
    except PsplibError as exc:
        raise fail(f"not a PSPLIB instance: {exc}") from exc
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc


def _schedule_file_document(
    document: Plan | bytes | dict[str, Any], output: Path | None, *, show: bool = False
) -> None:
    from podium.engine import schedule as run_schedule
    from podium.interop.plan_format import (
        Plan,
        plan_to_schedule_input,
        read_plan,
        schedule_result_to_json,
    )
    from podium.services.scheduling.reschedule import engine_errors_as_conflicts

    try:
        plan = document if isinstance(document, Plan) else read_plan(document)
        with engine_errors_as_conflicts():
            result = run_schedule(plan_to_schedule_input(plan))
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    data = schedule_result_to_json(plan, result)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if output is not None:
        write_file(output, text)
        console.print(
            f"Scheduled {len(plan.tasks)} tasks: {data['program']['start']} → "
            f"[bold]{data['program']['finish']}[/]; result in {output}"
        )
    elif show:
        typer.echo(text, nl=False)


# the option that gives each field of an import, to name it when the service refuses it
IMPORT_OPTIONS = {"key": "--key", "name": "--name", "mapping": "--map", "format": "--format"}
IMPORT_COUNTS = (
    ("projects", "project", ""),
    ("tasks", "task", ""),
    ("milestones", "milestone", ""),
    ("dependencies", "dependency", "dependencies"),
    ("calendars", "calendar", ""),
    ("resources", "resource", ""),
    ("assignments", "assignment", ""),
)


def _names_the_key(exc: PodiumError) -> bool:
    """Whether a refusal is about the program's key (taken, given or in the file)."""
    details = exc.details if isinstance(exc.details, list) else []
    return any(
        isinstance(p, dict)
        and (p.get("field") == "key" or p.get("path", p.get("location")) == "program.key")
        for p in details
    )


@app.command("import")
def import_(
    file: Annotated[
        Path,
        typer.Argument(help="a plan file: Microsoft Project XML, XER, CSV or podium-plan JSON"),
    ],
    key: Annotated[
        str | None, typer.Option(help="program key to use instead of the file's")
    ] = None,
    name: Annotated[str | None, typer.Option(help="program name instead of the file's")] = None,
    format: Annotated[
        str | None,
        typer.Option("--format", help="mspdi, xer, csv or podium-plan (default: detected)"),
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="email of the user who will own the program")
    ] = None,
    show: Annotated[
        int, typer.Option("--show", min=0, help="date differences to list (default 20)")
    ] = 20,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="FIELD=COLUMN",
            help="CSV: the column a field is read from, e.g. --map 'name=Activity Title' "
            "(repeatable; only the columns given are read; default: the columns with "
            "common names, see --columns)",
        ),
    ] = None,
    columns: Annotated[
        bool,
        typer.Option(
            "--columns", help="CSV: list the columns and the suggested mapping; import nothing"
        ),
    ] = False,
) -> None:
    """Load a plan file as a new program (checked first: a bad file writes nothing).

    The format is detected from the content. After the import Podium reschedules
    the plan and compares its dates with the dates the file stored, task by task.
    """
    from podium.interop.imported import LOCAL_IMPORT_BYTES
    from podium.services.import_columns import mapping_from_pairs
    from podium.services.import_readers import FORMAT_NAMES
    from podium.services.imports import import_file

    try:
        mapping = mapping_from_pairs(map_) if map_ else None
    except PodiumError as exc:
        raise fail(escape(in_options(exc, IMPORT_OPTIONS).message)) from exc
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror}") from exc
    if columns:
        show_columns(data, file=file, format=format, mapping=mapping)
        return
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, owner)
            report = import_file(
                session,
                actor,
                data,
                filename=file.name,
                format=format,
                key=key,
                name=name,
                mapping=mapping,
                limit=LOCAL_IMPORT_BYTES,  # a file on this machine, not an upload
            )
    except PodiumError as exc:
        print_problems(in_options(exc, IMPORT_OPTIONS))
        if isinstance(exc, Conflict) and _names_the_key(exc):
            err.print("Give the imported program another key with --key.")
        raise typer.Exit(1) from exc
    counts = report.counts
    held = ", ".join(counted(counts[field], noun, plural) for field, noun, plural in IMPORT_COUNTS)
    console.print(
        f"Imported [bold]{escape(report.program_key)} · {escape(report.program_name)}[/] "
        f"({FORMAT_NAMES.get(report.format, report.format)}): {held}."
    )
    if report.baseline_id is not None:
        console.print("The file's baseline is the program's current baseline.")
    for note in report.notes:
        console.print(f"[dim]note:[/] {note}")
    if report.compared:
        console.print(
            f"Dates: {report.matching} of {report.compared} tasks "
            f"({report.matching_percent:g} %) start and finish as the file stated."
        )
    differences = report.differences
    if differences and show:
        table = Table(
            "task",
            "file start",
            "file finish",
            "Podium start",
            "Podium finish",
            "Δ start",
            "Δ finish",
            "reason",
            title=f"Where Podium's dates differ ({len(differences)} tasks; working days)",
            title_justify="left",
        )
        for row in differences[:show]:
            table.add_row(
                f"{row.task} {row.name}",
                str(row.file_start or "—"),
                str(row.file_finish or "—"),
                str(row.start or "—"),
                str(row.finish or "—"),
                f"{row.start_days:+d}" if row.start_days is not None else "—",
                f"{row.finish_days:+d}" if row.finish_days is not None else "—",
                row.reason,
            )
        console.print(table)


def show_columns(
    data: bytes, *, file: Path, format: str | None, mapping: dict[str, str] | None
) -> None:
    """Print a CSV's columns with the fields each one fills (the suggested mapping, or the
    one given), the fields no column fills, and the command that imports with them."""
    import shlex

    from podium.services.import_columns import MAPPING_FIELDS, inspect_file

    try:
        found = inspect_file(data, filename=file.name, format=format)
    except PodiumError as exc:
        raise fail(exc.message) from exc
    if found.columns is None:
        raise fail(f"{file.name} is not a CSV ({found.format}): it has no columns to map")
    chosen = mapping if mapping is not None else found.mapping or {}
    filled: dict[str, list[str]] = {}
    for field, column in chosen.items():
        filled.setdefault(column, []).append(field)
    first = found.rows[0] if found.rows else []
    table = Table("column", "field", "first row", title=file.name, title_justify="left")
    for i, column in enumerate(found.columns):
        table.add_row(
            column, ", ".join(filled.get(column, ["—"])), first[i] if i < len(first) else ""
        )
    console.print(table)
    unfilled = [
        f"{f.name} (required)" if f.required else f.name
        for f in MAPPING_FIELDS
        if f.name not in chosen
    ]
    if unfilled:
        console.print("Fields no column fills: " + ", ".join(unfilled))
    pairs = [f"--map {shlex.quote(f'{f}={c}')}" for f, c in chosen.items()]
    command = " ".join(["podium import", shlex.quote(str(file)), *pairs])
    console.print(f"To import with this mapping: {command}", soft_wrap=True, markup=False)


@app.command()
def export(
    program: Annotated[str, typer.Argument(help="program key or id")],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            help="json (the plan exchange format), mspdi (Microsoft Project) or csv (tasks)",
        ),
    ] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write (default: stdout)")
    ] = None,
) -> None:
    """Write a program as a plan file (re-importable with `podium import`)."""
    writable(output)
    from podium.services.exports import EXPORT_FORMATS, export_program

    if format not in EXPORT_FORMATS:
        raise fail(f"unknown format {format!r}: use one of {', '.join(EXPORT_FORMATS)}")
    require_current_schema()
    try:
        with unit_of_work() as session:
            found = programs.find_program(session, SYSTEM, program)
            exported = export_program(session, SYSTEM, found.id, format=format)
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    if output is None:
        typer.echo(exported.content.decode("utf-8"), nl=False)
    else:
        write_file(output, exported.content)
        err.print(f"Wrote {found.key} to {output}")
