"""``podium alert list``: a program's alerts, as ``GET /api/v1/programs/{id}/alerts`` lists
them (the same service): open ones by default, with ``--all`` the resolved ones too.

Each row gives the alert's severity, kind and title, the chain of driving work from
the upstream cause to the record it is about, who made the change that raised it and
when it was first seen; ``--cross-project`` keeps the alerts whose chain crosses
projects.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from podium.cli._app import AsUser, ProgramRef, actor_for, app, console, service_work
from podium.cli.programs import counted
from podium.cli.risks import BAND_STYLE
from podium.models import Alert
from podium.services import programs
from podium.services.scheduling import views as schedule_views

alert_app = typer.Typer(
    help="A program's alerts: schedule conflicts, over-allocations, escalated risks, "
    "benefits off track.",
    no_args_is_help=True,
)
app.add_typer(alert_app, name="alert")

EVERY = 1_000_000  # one page holding every row


def _chain(alert: Alert) -> str:
    """The chain upstream → downstream, by key, each project named where it begins."""
    steps, project = [], None
    for step in alert.chain or []:
        key = str(step.get("key", ""))
        here = step.get("project_key")
        if here and here != project:
            key = f"{key} ({here})"
        project = here or project
        steps.append(key)
    return " → ".join(steps)


def _row(alert: Alert, *, with_resolved: bool) -> list[str]:
    severity = alert.severity.value
    row = [
        str(alert.id),
        f"[{BAND_STYLE.get(severity, '')}]{severity}[/]",
        alert.kind.value.replace("_", " "),
        escape(alert.title),
        escape(_chain(alert)) or "—",
        escape(alert.triggered_by) or "system",
        alert.first_detected_at.date().isoformat(),
    ]
    if with_resolved:
        row.append(alert.resolved_at.date().isoformat() if alert.resolved_at else "open")
    return row


@alert_app.command("list")
def alert_list(
    program: ProgramRef,
    all_: Annotated[bool, typer.Option("--all", help="resolved alerts too")] = False,
    cross_project: Annotated[
        bool, typer.Option("--cross-project", help="only alerts whose chain crosses projects")
    ] = False,
    as_user: AsUser = None,
) -> None:
    """The program's open alerts, newest first (with --all, the resolved ones too)."""
    headers = ["id", "severity", "kind", "alert", "chain (upstream → downstream)", "by", "seen"]
    table = Table(*headers, *(["resolved"] if all_ else []), title_justify="left")
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        alerts, total = schedule_views.list_alerts(
            session,
            actor,
            found.id,
            status="all" if all_ else "open",
            cross_project=True if cross_project else None,
            limit=EVERY,
        )
        for alert in alerts:
            table.add_row(*_row(alert, with_resolved=all_))
        key = found.key
    which = "" if all_ else "open "
    which += "cross-project " if cross_project else ""
    if not total:
        console.print(f"{key} has no {which}alerts.")
        return
    table.title = f"{key}: {counted(total, which + 'alert')}"
    console.print(table)
