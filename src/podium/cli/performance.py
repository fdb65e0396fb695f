"""Commands on performance: baselines, health and reports.

A baseline is found by its name in the program (or its id). ``--as EMAIL`` acts as that
user (only managers and owners change baselines, as through the API), else the system.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from podium.cli._app import (
    AsUser,
    ProgramRef,
    actor_for,
    app,
    checked_text,
    console,
    err,
    fail,
    parse_day,
    print_problems,
    require_current_schema,
    service_work,
    writable,
    write_file,
)
from podium.cli.programs import counted
from podium.errors import PodiumError
from podium.models import Baseline, Program, Role
from podium.services import baselines, programs
from podium.services.actor import SYSTEM, Actor, require_role
from podium.services.uow import unit_of_work

baseline_app = typer.Typer(
    help="Baselines: snapshots of the plan to measure against.", no_args_is_help=True
)
app.add_typer(baseline_app, name="baseline")


@baseline_app.command("take")
def baseline_take(
    program: Annotated[str, typer.Argument(help="program key or id")],
    name: Annotated[str, typer.Option(help="the baseline's name")],
    description: Annotated[str, typer.Option(help="why it was taken")] = "",
    keep_current: Annotated[
        bool, typer.Option("--keep-current", help="do not make it the current baseline")
    ] = False,
    as_user: AsUser = None,
) -> None:
    """Take a baseline of the plan as scheduled now (it becomes the current one)."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = programs.find_program(session, actor, program)
            baseline = baselines.take_baseline(
                session,
                actor,
                found.id,
                name=name,
                description=description,
                make_current=not keep_current,
            )
            items = baselines.item_count(session, baseline.id)
            summary = f"{baseline.name} of {found.key}: {items} items"
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Took baseline [bold]{summary}[/].")


@baseline_app.command("list")
def baseline_list(program: Annotated[str, typer.Argument(help="program key or id")]) -> None:
    """List a program's baselines, newest first."""
    require_current_schema()
    table = Table("id", "name", "current", "taken", "by", "finish")
    try:
        with unit_of_work() as session:
            found = programs.find_program(session, SYSTEM, program)
            for b in baselines.list_baselines(session, SYSTEM, found.id):
                table.add_row(
                    str(b.id),
                    escape(b.name),
                    "yes" if b.is_current else "",
                    b.taken_at.strftime("%Y-%m-%d %H:%M"),
                    escape(b.taken_by),
                    str(b.finish or "—"),
                )
            key = found.key
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    if not table.row_count:
        take = f"`podium baseline take {key} --name NAME`"
        console.print(f"No baseline of {key} yet: take one with {take}.")
        return
    console.print(table)


@baseline_app.command("compare")
def baseline_compare(
    program: Annotated[str, typer.Argument(help="program key or id")],
    baseline: Annotated[
        str | None, typer.Option(help="baseline name (default: the current one)")
    ] = None,
) -> None:
    """The live plan against a baseline: program, project and milestone slips, scope changes."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            found = programs.find_program(session, SYSTEM, program)
            chosen = next(
                (
                    b
                    for b in baselines.list_baselines(session, SYSTEM, found.id)
                    if (b.name == baseline if baseline else b.is_current)
                ),
                None,
            )
            if chosen is None:
                raise fail(f"no baseline {baseline!r}" if baseline else "no current baseline")
            v = baselines.compare(session, SYSTEM, chosen.id)
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(
        f"[bold]{found.key}[/] against baseline [bold]{chosen.name}[/]: finish "
        f"{v.program_finish_baseline} → {v.program_finish_live} "
        f"({_signed(v.program_finish_variance)} working days)"
    )
    projects = Table(
        "project", "baseline finish", "forecast", "slip", title="Projects", title_justify="left"
    )
    for p in v.projects:
        projects.add_row(
            p.project_key, str(p.baseline_finish), str(p.live_finish), _signed(p.finish_variance)
        )
    console.print(projects)
    milestones = Table(
        "milestone", "baseline", "forecast", "slip", title="Milestones", title_justify="left"
    )
    for m in v.milestones:
        milestones.add_row(
            f"{m.key} {m.name}",
            str(m.baseline_finish),
            str(m.live_finish or "none yet"),  # none: no work leads to it, no forecast
            _signed(m.finish_variance),
        )
    console.print(milestones)
    if v.added or v.removed:
        console.print(
            f"Scope: {len(v.added)} added ({', '.join(t.key for t in v.added[:10])}), "
            f"{len(v.removed)} removed ({', '.join(t.key for t in v.removed[:10])})"
        )


# --- rename, make current, delete ---------------------------------------------------------

BaselineName = Annotated[str, typer.Argument(metavar="NAME", help="the baseline's name, or its id")]
NAME_LENGTH = 200  # what the API takes (podium.api.baselines)


def _find_baseline(session: Session, actor: Actor, program: Program, ref: str) -> Baseline:
    """The program's baseline of this name (or id); unknown: the command fails, naming those
    there are."""
    known = baselines.list_baselines(session, actor, program.id)
    text = ref.strip()
    chosen = (
        next((b for b in known if b.name == text), None)
        or next((b for b in known if b.name.lower() == text.lower()), None)  # unique in any case
        or next((b for b in known if str(b.id) == text), None)
    )
    if chosen is None:
        names = ", ".join(repr(b.name) for b in known) or "none yet"
        raise fail(escape(f"no baseline {text!r} in {program.key} (there are: {names})"))
    return chosen


@baseline_app.command("rename")
def baseline_rename(
    program: ProgramRef,
    name: BaselineName,
    new: Annotated[str, typer.Argument(metavar="NEW", help="its new name")],
    as_user: AsUser = None,
) -> None:
    """Rename a baseline (managers); what it holds never changes."""
    new = checked_text(new, "NEW", NAME_LENGTH, required=True)
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        chosen = _find_baseline(session, actor, found, name)
        old, key = chosen.name, found.key
        if old != new:
            baselines.update_baseline(
                session, actor, chosen.id, {"name": new}, expected_version=chosen.version
            )
    if old == new:
        console.print(escape(f"Nothing changed: the baseline is already named {new!r}."))
        return
    console.print(escape(f"Renamed baseline {old!r} of {key} to {new!r}."))


@baseline_app.command("current")
def baseline_current(program: ProgramRef, name: BaselineName, as_user: AsUser = None) -> None:
    """Make a baseline the current one, which variance, earned value and health measure
    against (managers)."""
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        chosen = _find_baseline(session, actor, found, name)
        previous = baselines.current_baseline(session, found.id)
        title, key = chosen.name, found.key
        was = repr(previous.name) if previous is not None else "none"
        already = previous is not None and previous.id == chosen.id
        if not already:
            baselines.update_baseline(
                session, actor, chosen.id, {"is_current": True}, expected_version=chosen.version
            )
    if already:
        console.print(escape(f"Baseline {title!r} is already the current one of {key}."))
        return
    console.print(
        escape(f"Baseline {title!r} is now the current one of {key} (was {was}): ")
        + "variance, earned value and health measure against it."
    )


@baseline_app.command("delete")
def baseline_delete(
    program: ProgramRef,
    name: BaselineName,
    yes: Annotated[bool, typer.Option("--yes", help="really delete it")] = False,
    as_user: AsUser = None,
) -> None:
    """Delete a baseline (managers); the plan itself does not change."""
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        chosen = _find_baseline(session, actor, found, name)
        taken = (
            f"taken {chosen.taken_at:%Y-%m-%d}, {baselines.item_count(session, chosen.id)} items"
        )
        what = escape(f"baseline {chosen.name!r} of {found.key} ({taken})")
        current = chosen.is_current
        require_role(session, actor, found.id, Role.MANAGER)  # before saying what would go
        if not yes:
            which = "the current " if current else ""
            raise fail(f"this would delete {which}{what}: run again with --yes to delete it")
        baselines.delete_baseline(session, actor, chosen.id, expected_version=chosen.version)
        key = found.key
    console.print(f"Deleted {what}.")
    if current:
        console.print(
            "It was the current baseline: variance and earned value have none to measure "
            f"against until you make another one current (`podium baseline current {key} NAME`)."
        )


REASONS_SHOWN = 10  # the program's reasons printed without --all, the weightiest first


@app.command()
def health(
    program: Annotated[str, typer.Argument(help="program key or id")],
    record: Annotated[
        bool,
        typer.Option(
            "--record",
            help="keep the health as of the status date (today if the program has none) "
            "for the trend (run daily)",
        ),
    ] = False,
    date: Annotated[
        str | None,
        typer.Option("--date", help="status date YYYY-MM-DD (default: the program's)"),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help=f"every reason, not the first {REASONS_SHOWN}")
    ] = False,
) -> None:
    """The program's health — red, amber or green, and why — with its projects' and SPI/CPI."""
    from podium.services import health as health_service

    status_date = parse_day(date, "--date") if date else None
    if record and status_date is not None:
        raise fail("--record keeps the health at the program's status date: leave out --date")
    require_current_schema()
    try:
        with unit_of_work() as session:
            found = programs.find_program(session, SYSTEM, program)
            result = health_service.program_health(
                session, SYSTEM, found.id, status_date=status_date
            )
            if record:
                health_service.record_snapshot(session, SYSTEM, found.id)
            key = found.key
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    colours = {"green": "green", "amber": "yellow", "red": "red", "no_plan": "bright_black"}
    report = result.report
    status = report.program.status
    words = health_service.status_words(status).upper()
    console.print(
        f"[bold]{key}[/] is [bold {colours[status]}]{words}[/] "
        f"as of {result.performance.status_date}"
    )
    if not report.program.planned:
        console.print(
            "  Nothing is scheduled yet (no project has tasks or dated milestones): there is "
            "no plan to be on. Add projects and tasks (`podium project add`, `podium task "
            "add`), or import a plan as a new program (`podium import`).",
            soft_wrap=True,
        )
    reasons = report.program.reasons
    shown = reasons if all_ else reasons[:REASONS_SHOWN]
    for reason in shown:
        dot = f"[{colours[reason.severity]}]●[/]"
        console.print(f"  {dot} {escape(reason.message)}", soft_wrap=True)
    if len(reasons) > len(shown):
        more = counted(len(reasons) - len(shown), "more reason")
        console.print(f"  … and {more}: --all lists them.")
    table = Table("project", "health", "why", title="Projects", title_justify="left")
    for project_key, h in report.projects.items():
        table.add_row(
            project_key,
            f"[{colours[h.status]}]{health_service.status_words(h.status)}[/]",
            escape(h.why),
        )
    console.print(table)
    ev = result.performance.result.program
    if result.performance.baseline is not None:
        spi = f"{ev.spi:.2f}" if ev.spi is not None else "—"
        cpi = f"{ev.cpi:.2f}" if ev.cpi is not None else "—"
        console.print(f"SPI {spi}, CPI {cpi} against baseline {result.performance.baseline.name!r}")
    if record:
        console.print(
            f"Recorded the health as of {result.performance.status_date} for the trend "
            "(one point per status date: a later record of the same date replaces it)."
        )


@app.command()
def report(
    program: Annotated[str, typer.Argument(help="program key or id")],
    format: Annotated[str, typer.Option("--format", help="html, pdf or md")] = "md",
    date: Annotated[
        str | None, typer.Option("--date", help="status date YYYY-MM-DD (default: the program's)")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file to write")] = None,
    issue: Annotated[
        bool, typer.Option("--issue", help="issue it: keep it unchanged in the report history")
    ] = False,
) -> None:
    """The executive status report of a program, as Markdown, HTML or PDF."""
    from podium.services import reports

    if format not in ("html", "pdf", "md"):
        raise fail(f"unknown format {format!r}: html, pdf or md")
    if format == "pdf" and output is None:
        raise fail("a PDF needs --output FILE")
    writable(output)
    as_of = parse_day(date, "--date") if date else None
    require_current_schema()
    try:
        with unit_of_work() as session:
            found = programs.find_program(session, SYSTEM, program)
            if issue:
                issued = reports.issue_report(session, SYSTEM, found.id, as_of=as_of)
                body = reports.stored_content(issued, format)
            else:
                body = reports.render(
                    reports.draft_report(session, SYSTEM, found.id, as_of=as_of), format
                )
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    if output is None:
        typer.echo(body.decode(), nl=False)
    else:
        write_file(output, body)
        err.print(f"Wrote the {format} report to {output}{' (issued)' if issue else ''}")


def _signed(days: int | None) -> str:
    if days is None:
        return "—"
    return f"[red]+{days}[/]" if days > 0 else str(days)
