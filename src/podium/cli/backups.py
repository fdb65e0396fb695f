"""``podium backup`` and ``podium restore``: the whole database as one archive, and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from podium.cli._app import (
    app,
    console,
    fail,
    print_problems,
    require_current_schema,
    writable,
)
from podium.db import code_revision, get_engine, upgrade_database
from podium.errors import Conflict, PodiumError


@app.command()
def backup(
    output: Annotated[Path, typer.Option("--output", "-o", help="the archive to write (.zip)")],
) -> None:
    """Write a consistent archive of the whole database (every program, user, history, report)."""
    from podium.services.backup import backup_database

    require_current_schema()
    writable(output)
    replaced = output.exists()
    partial = output.with_name(output.name + ".partial")
    try:
        manifest = backup_database(get_engine(), partial)
        partial.replace(output)
    except PodiumError as exc:
        partial.unlink(missing_ok=True)
        raise fail(exc.message) from exc
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    rows = sum(table.rows for table in manifest.tables)
    console.print(
        f"Wrote [bold]{output}[/]: {len(manifest.tables)} tables, {rows} rows, "
        f"schema revision {manifest.revision}"
        + (" (it replaces the archive that was there)." if replaced else ".")
    )


@app.command()
def restore(
    archive: Annotated[Path, typer.Argument(help="an archive written by `podium backup`")],
) -> None:
    """Load a backup into an empty database (SQLite or PostgreSQL); all or nothing."""
    from podium.services.backup import check_archive, restore_database

    if not archive.is_file():
        raise fail(f"no file {archive}")
    try:  # before a database is made for it: a wrong file leaves nothing behind
        revision, ours = check_archive(archive).revision, code_revision()
        if revision != ours:
            raise Conflict(
                f"the archive is at schema revision {revision} but this Podium's is at "
                f"{ours}; restore it with the Podium version that wrote it",
                code="revision_mismatch",
            )
        engine = get_engine()
        upgrade_database(engine)
        result = restore_database(engine, archive)
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(
        f"Restored {sum(result.rows.values())} rows in {len(result.rows)} tables from "
        f"[bold]{archive}[/] (written {result.created_at}, schema revision {result.revision})."
    )
