"""Commands for what connects Podium to the outside: backups, calendar feeds, webhooks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from podium.cli._app import app, console, fail, print_problems, require_current_schema
from podium.db import get_engine, upgrade_database
from podium.errors import PodiumError


@app.command()
def backup(
    output: Annotated[Path, typer.Option("--output", "-o", help="the archive to write (.zip)")],
) -> None:
    """Write a consistent archive of the whole database (every program, user, history, report)."""
    from podium.services.backup import backup_database

    require_current_schema()
    partial = output.with_name(output.name + ".partial")
    try:
        manifest = backup_database(get_engine(), partial)
    except PodiumError as exc:
        partial.unlink(missing_ok=True)
        raise fail(exc.message) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(output)
    rows = sum(table.rows for table in manifest.tables)
    console.print(
        f"Wrote [bold]{output}[/]: {len(manifest.tables)} tables, {rows} rows, "
        f"schema revision {manifest.revision}."
    )


@app.command()
def restore(
    archive: Annotated[Path, typer.Argument(help="an archive written by `podium backup`")],
) -> None:
    """Load a backup into an empty database (SQLite or PostgreSQL); all or nothing."""
    from podium.services.backup import restore_database

    if not archive.is_file():
        raise fail(f"no file {archive}")
    engine = get_engine()
    upgrade_database(engine)
    try:
        result = restore_database(engine, archive)
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(
        f"Restored {sum(result.rows.values())} rows in {len(result.rows)} tables from "
        f"[bold]{archive}[/] (written {result.created_at}, schema revision {result.revision})."
    )


webhooks_app = typer.Typer(help="Outgoing webhooks: the delivery worker.", no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")


@webhooks_app.command("deliver")
def webhooks_deliver(
    loop: Annotated[bool, typer.Option("--loop", help="keep delivering until stopped")] = False,
    interval: Annotated[float, typer.Option(help="seconds between passes with --loop")] = 10.0,
) -> None:
    """Send the webhook deliveries that are due (retries back off: 1, 2, 4 … minutes)."""
    import time

    from podium.config import get_settings
    from podium.services.uow import unit_of_work
    from podium.services.webhooks import deliver_pending

    require_current_schema()
    allow_private = get_settings().webhooks_allow_private
    while True:
        with unit_of_work() as session:
            run = deliver_pending(session, allow_private=allow_private)
        console.print(f"delivered {run.delivered}, to retry {run.retried}, given up {run.failed}")
        if not loop:
            return
        time.sleep(interval)
