"""The ``podium`` command: thin commands over the services.

Every command works non-interactively (scriptable); the database comes from
``PODIUM_DATABASE_URL`` (SQLite file under ./var by default).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from podium.config import get_settings
from podium.db import DatabaseBehind, check_database_current, get_engine, upgrade_database
from podium.errors import PodiumError
from podium.services import auth, programs
from podium.services.actor import SYSTEM, Actor
from podium.services.uow import unit_of_work

app = typer.Typer(
    name="podium",
    help="Podium — program management across interdependent projects.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema: create and upgrade.", no_args_is_help=True)
user_app = typer.Typer(help="Users who sign in.", no_args_is_help=True)
token_app = typer.Typer(help="Personal API tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")

console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def _require_current_schema() -> None:
    try:
        check_database_current(get_engine())
    except DatabaseBehind as exc:
        raise fail(str(exc)) from exc


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database or bring its schema up to date (safe to repeat)."""
    engine = get_engine()
    upgrade_database(engine)
    current, _head = _revision()
    where = engine.url.render_as_string(hide_password=True)
    console.print(f"Database at [bold]{where}[/] is at revision {current}.")


def _revision() -> tuple[str | None, str | None]:
    from podium.db import database_revision

    return database_revision(get_engine())


@db_app.command("current")
def db_current() -> None:
    """Show the database's schema revision and the code's."""
    current, head = _revision()
    state = "up to date" if current == head else "BEHIND: run `podium db upgrade`"
    console.print(f"database {current or 'empty'}, code {head}: {state}")


@app.command()
def init(
    admin_email: Annotated[str | None, typer.Option(help="also create this admin user")] = None,
    admin_password: Annotated[str | None, typer.Option(help="password for --admin-email")] = None,
) -> None:
    """Create an empty database (runs the migrations), optionally with a first admin."""
    upgrade_database(get_engine())
    console.print("Database ready.")
    if admin_email:
        if not admin_password:
            raise fail("--admin-password is required with --admin-email")
        user_add(admin_email, admin_password, admin=True, name="")


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="the user's email (their sign-in name)")],
    password: Annotated[str, typer.Option(help="at least 8 characters")],
    admin: Annotated[
        bool, typer.Option("--admin", help="may do everything, in every program")
    ] = False,
    name: Annotated[str, typer.Option(help="display name")] = "",
) -> None:
    """Add a user who can sign in to the web and create API tokens."""
    _require_current_schema()
    try:
        with unit_of_work() as session:
            user = auth.add_user(
                session, SYSTEM, email=email, password=password, name=name, is_admin=admin
            )
            summary = f"{user.email}{' (admin)' if user.is_admin else ''}"
    except PodiumError as exc:
        raise fail(exc.message) from exc
    console.print(f"Added user [bold]{summary}[/].")


@user_app.command("list")
def user_list() -> None:
    """List users."""
    from sqlalchemy import select

    from podium.models import User

    _require_current_schema()
    table = Table("id", "email", "name", "admin", "active")
    with unit_of_work() as session:
        for user in session.scalars(select(User).order_by(User.email)):
            table.add_row(
                str(user.id),
                user.email,
                user.name,
                "yes" if user.is_admin else "",
                "yes" if user.is_active else "no",
            )
    console.print(table)


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="whose token")],
    name: Annotated[str, typer.Option(help="what the token is for")],
    days: Annotated[int | None, typer.Option(help="expire after this many days")] = None,
) -> None:
    """Create a personal API token and print it (it is shown only once)."""
    _require_current_schema()
    try:
        with unit_of_work() as session:
            user = auth.find_user(session, email)
            if user is None:
                raise fail(f"no user with email {email}")
            _token, secret = auth.create_token(session, user, name=name, days=days)
    except PodiumError as exc:
        raise fail(exc.message) from exc
    # the bare secret on stdout, so scripts can capture it: TOKEN=$(podium token create …)
    typer.echo(secret)


@app.command()
def demo(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="do nothing if the sample program exists")
    ] = False,
    url: Annotated[str, typer.Option(help="where the server will be, for the sign-in hint")] = (
        "http://127.0.0.1:8000"
    ),
) -> None:
    """Load the sample program "Cloud migration" with a demo admin, and print how to sign in."""
    from podium.services import demo as demo_service

    _require_current_schema()
    with unit_of_work() as session:
        result = demo_service.load_demo(session, if_empty=if_empty)
    verb = "Loaded" if result.created else "Found"
    console.print(
        f"{verb} the sample program [bold]{result.program_name}[/] ({result.program_key})."
    )
    console.print(
        f"Sign in at [bold]{url}[/] as [bold]{result.email}[/] "
        f"with password [bold]{result.password}[/]"
    )
    console.print(f"API token: [bold]{result.token}[/]", soft_wrap=True)
    console.print("  (send it as `Authorization: Bearer <token>`; API docs at /api/docs)")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    reload: Annotated[bool, typer.Option(help="restart on code changes (development)")] = False,
) -> None:
    """Serve the web interface and the REST API."""
    import uvicorn

    _require_current_schema()
    settings = get_settings()
    console.print(
        f"Podium on [bold]http://{host}:{port}[/] — API docs at /api/docs — database "
        f"{get_engine().url.render_as_string(hide_password=True)} ({settings.environment})"
    )
    uvicorn.run(
        "podium.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_level="info",
    )


def _actor_for(session: Session, email: str | None) -> Actor:
    if email is None:
        return SYSTEM
    user = auth.find_user(session, email)
    if user is None:
        raise fail(f"no user with email {email}")
    return Actor.of(user)


def _print_problems(exc: PodiumError) -> None:
    err.print(f"[bold red]error:[/] {exc.message}")
    details = exc.details if isinstance(exc.details, list) else []
    if details:
        table = Table("where", "problem", title=f"{len(details)} problem(s)", title_justify="left")
        for problem in details:
            if isinstance(problem, dict):
                where = problem.get("location") or problem.get("field") or ""
                table.add_row(str(where), str(problem.get("message", "")))
        err.print(table)


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
) -> None:
    """Schedule a program: print its critical path and milestones, or schedule a plan file.

    [bold]podium schedule CLOUD[/] reads the database; [bold]podium schedule --file
    plan.json --output result.json[/] schedules a plan exchange file without one.
    """
    if (program is None) == (file is None):
        raise fail("give either a PROGRAM or --file PLAN.json")
    if file is not None:
        _schedule_file(file, output)
        return
    assert program is not None
    _require_current_schema()
    from podium.services.scheduling.views import program_schedule

    try:
        with unit_of_work() as session:
            actor = _actor_for(session, as_user)
            found = programs.find_program(session, actor, program)
            view = program_schedule(session, actor, found.id)
            title = f"{found.key} · {found.name}"
    except PodiumError as exc:
        _print_problems(exc)
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
    milestones = Table(
        "milestone",
        "target",
        "forecast",
        "slip (working days)",
        title="Milestones",
        title_justify="left",
    )
    for m in view.milestones:
        slip = f"[red]+{m.slip}[/]" if m.slip > 0 else str(m.slip)
        milestones.add_row(f"{m.ref.key} {m.ref.name}", str(m.target or "—"), str(m.forecast), slip)
    console.print(milestones)
    if output is not None:
        from podium.services.plans import export_plan

        with unit_of_work() as session:
            actor = _actor_for(session, as_user)
            document = export_plan(
                session, actor, programs.find_program(session, actor, program).id
            )
        _schedule_file_document(document, output)


def _schedule_file(file: Path, output: Path | None) -> None:
    try:
        document = file.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror}") from exc
    _schedule_file_document(document, output, show=output is None)


def _schedule_file_document(
    document: bytes | dict[str, Any], output: Path | None, *, show: bool = False
) -> None:
    from podium.engine import schedule as run_schedule
    from podium.interop.plan_format import (
        plan_to_schedule_input,
        read_plan,
        schedule_result_to_json,
    )
    from podium.services.scheduling.reschedule import engine_errors_as_conflicts

    try:
        plan = read_plan(document)
        with engine_errors_as_conflicts():
            result = run_schedule(plan_to_schedule_input(plan))
    except PodiumError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from exc
    data = schedule_result_to_json(plan, result)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if output is not None:
        output.write_text(text, encoding="utf-8")
        console.print(
            f"Scheduled {len(plan.tasks)} tasks: {data['program']['start']} → "
            f"[bold]{data['program']['finish']}[/]; result in {output}"
        )
    elif show:
        typer.echo(text, nl=False)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="a plan file (podium-plan JSON)")],
    key: Annotated[
        str | None, typer.Option(help="program key to use instead of the file's")
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="email of the user who will own the program")
    ] = None,
) -> None:
    """Load a plan file as a new program (checked first: a bad file writes nothing)."""
    from podium.interop.plan_format import read_plan
    from podium.services.plans import import_plan

    _require_current_schema()
    try:
        document = file.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror}") from exc
    try:
        plan = read_plan(document)
        with unit_of_work() as session:
            actor = _actor_for(session, owner)
            program = import_plan(session, actor, plan, key=key)
            summary = f"{program.key} · {program.name}"
    except PodiumError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(
        f"Imported [bold]{summary}[/]: {len(plan.projects)} projects, {len(plan.tasks)} tasks, "
        f"{len(plan.milestones)} milestones, {len(plan.dependencies)} dependencies."
    )


@app.command()
def export(
    program: Annotated[str, typer.Argument(help="program key or id")],
    format: Annotated[
        str, typer.Option("--format", help="json (the plan exchange format)")
    ] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write (default: stdout)")
    ] = None,
) -> None:
    """Write a program as a plan file (re-importable with `podium import`)."""
    from podium.services.plans import export_plan

    if format != "json":
        raise fail(f"unknown format {format!r}: only json is supported")
    _require_current_schema()
    try:
        with unit_of_work() as session:
            found = programs.find_program(session, SYSTEM, program)
            document = export_plan(session, SYSTEM, found.id)
    except PodiumError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from exc
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"Wrote {document['program']['key']} to {output}")


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
) -> None:
    """Take a baseline of the plan as scheduled now (it becomes the current one)."""
    from podium.services import baselines

    _require_current_schema()
    try:
        with unit_of_work() as session:
            found = programs.find_program(session, SYSTEM, program)
            baseline = baselines.take_baseline(
                session,
                SYSTEM,
                found.id,
                name=name,
                description=description,
                make_current=not keep_current,
            )
            items = baselines.item_count(session, baseline.id)
            summary = f"{baseline.name} of {found.key}: {items} items"
    except PodiumError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Took baseline [bold]{summary}[/].")


@baseline_app.command("list")
def baseline_list(program: Annotated[str, typer.Argument(help="program key or id")]) -> None:
    """List a program's baselines, newest first."""
    from podium.services import baselines

    _require_current_schema()
    table = Table("id", "name", "current", "taken", "by", "finish")
    try:
        with unit_of_work() as session:
            found = programs.find_program(session, SYSTEM, program)
            for b in baselines.list_baselines(session, SYSTEM, found.id):
                table.add_row(
                    str(b.id),
                    b.name,
                    "yes" if b.is_current else "",
                    b.taken_at.strftime("%Y-%m-%d %H:%M"),
                    b.taken_by,
                    str(b.finish or "—"),
                )
    except PodiumError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(table)


@baseline_app.command("compare")
def baseline_compare(
    program: Annotated[str, typer.Argument(help="program key or id")],
    baseline: Annotated[
        str | None, typer.Option(help="baseline name (default: the current one)")
    ] = None,
) -> None:
    """The live plan against a baseline: program, project and milestone slips, scope changes."""
    from podium.services import baselines

    _require_current_schema()
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
        _print_problems(exc)
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
            str(m.live_finish),
            _signed(m.finish_variance),
        )
    console.print(milestones)
    if v.added or v.removed:
        console.print(
            f"Scope: {len(v.added)} added ({', '.join(t.key for t in v.added[:10])}), "
            f"{len(v.removed)} removed ({', '.join(t.key for t in v.removed[:10])})"
        )


@app.command()
def health(
    program: Annotated[str, typer.Argument(help="program key or id")],
    record: Annotated[
        bool, typer.Option("--record", help="keep today's health for the trend (run daily)")
    ] = False,
) -> None:
    """The program's health — red, amber or green, and why — with its projects' and SPI/CPI."""
    from podium.services import health as health_service

    _require_current_schema()
    try:
        with unit_of_work() as session:
            found = programs.find_program(session, SYSTEM, program)
            result = health_service.program_health(session, SYSTEM, found.id)
            if record:
                health_service.record_snapshot(session, SYSTEM, found.id)
            key = found.key
    except PodiumError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from exc
    colours = {"green": "green", "amber": "yellow", "red": "red"}
    report = result.report
    status = report.program.status
    console.print(
        f"[bold]{key}[/] is [bold {colours[status]}]{status.upper()}[/] "
        f"as of {result.performance.status_date}"
    )
    for reason in report.program.reasons[:10]:
        console.print(f"  [{colours[reason.severity]}]●[/] {reason.message}", soft_wrap=True)
    table = Table("project", "health", "why", title="Projects", title_justify="left")
    for project_key, h in report.projects.items():
        table.add_row(project_key, f"[{colours[h.status]}]{h.status}[/]", h.why)
    console.print(table)
    ev = result.performance.result.program
    if result.performance.baseline is not None:
        spi = f"{ev.spi:.2f}" if ev.spi is not None else "—"
        cpi = f"{ev.cpi:.2f}" if ev.cpi is not None else "—"
        console.print(f"SPI {spi}, CPI {cpi} against baseline {result.performance.baseline.name!r}")
    if record:
        console.print("Recorded today's health.")


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
    from datetime import date as date_type

    from podium.services import reports

    if format not in ("html", "pdf", "md"):
        raise fail(f"unknown format {format!r}: html, pdf or md")
    if format == "pdf" and output is None:
        raise fail("a PDF needs --output FILE")
    try:
        as_of = date_type.fromisoformat(date) if date else None
    except ValueError as exc:
        raise fail(f"--date must be YYYY-MM-DD, not {date!r}") from exc
    _require_current_schema()
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
        _print_problems(exc)
        raise typer.Exit(1) from exc
    if output is None:
        typer.echo(body.decode(), nl=False)
    else:
        output.write_bytes(body)
        err.print(f"Wrote the {format} report to {output}{' (issued)' if issue else ''}")


def _signed(days: int | None) -> str:
    if days is None:
        return "—"
    return f"[red]+{days}[/]" if days > 0 else str(days)


if __name__ == "__main__":  # pragma: no cover
    app()
