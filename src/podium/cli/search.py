"""``podium search TEXT``: find programs, projects, tasks, milestones and risks."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from podium.cli._app import app, console, service_work
from podium.services import search as service
from podium.services.actor import SYSTEM


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="a key (DATA-4, R7) or words of a name")],
    limit: Annotated[
        int, typer.Option(min=1, max=100, help="at most this many of each kind")
    ] = service.PER_KIND,
) -> None:
    """Find programs, projects, tasks, program milestones and risks by key or name, in
    every live program (case ignored; an exact key first)."""
    with service_work() as session:
        found = service.search(session, SYSTEM, text, limit=limit)
    if not found.total:
        console.print(f"Nothing matches {escape(repr(found.q))}.")
        return
    table = Table("kind", "key", "name", "program", "in", "page")
    for kind in service.KINDS:
        for hit in found.hits[kind]:
            table.add_row(
                kind,
                escape(hit.key),
                escape(hit.name),
                escape(hit.program_key),
                escape(hit.context),
                hit.url,
            )
    console.print(table)
    more = [service.KIND_LABELS[k].lower() for k in service.KINDS if found.more[k]]
    if more:
        console.print(f"More {', '.join(more)} match than --limit {limit} shows.")
