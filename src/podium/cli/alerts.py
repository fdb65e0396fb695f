"""``podium alert list``: a program's alerts, as ``GET /api/v1/programs/{id}/alerts`` lists
them (the same service): open ones by default, with ``--all`` the resolved ones too.

Each row gives the alert's severity, kind and title, the chain of driving work from
the upstream cause to the record it is about (for an over-allocation, the tasks that
collide on the resource), who made the change that raised it and when it was first
seen; ``--cross-project`` keeps the alerts whose chain crosses projects.

``podium alert show``: one alert with everything it carries, its details worded.
"""

from __future__ import annotations

from datetime import datetime
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
from podium.services.scheduling.alerts import (
    COLLIDING_KINDS,
    alert_facts,
    chain_text,
    get_alert,
    other_programs,
)

alert_app = typer.Typer(
    help="A program's alerts: schedule conflicts, over-allocations, escalated risks, "
    "benefits off track.",
    no_args_is_help=True,
)
app.add_typer(alert_app, name="alert")

EVERY = 1_000_000  # one page holding every row


def _row(alert: Alert, *, with_resolved: bool) -> list[str]:
    severity = alert.severity.value
    row = [
        str(alert.id),
        f"[{BAND_STYLE.get(severity, '')}]{severity}[/]",
        alert.kind.value.replace("_", " "),
        escape(alert.title),
        escape(chain_text(alert)) or "—",
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
    work = "chain or colliding tasks"
    headers = ["id", "severity", "kind", "alert", work, "by", "seen"]
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


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else "—"


def _about(alert: Alert) -> str:
    """The record the alert is about: its key where the alert names it."""
    details = alert.details if isinstance(alert.details, dict) else {}
    key = details.get("resource_key") if alert.subject_type == "resource" else None
    for step in alert.chain or []:
        if step.get("type") == alert.subject_type and step.get("id") == alert.subject_id:
            key = step.get("key")
    return f"{alert.subject_type} {key or alert.subject_id}"


@alert_app.command("show")
def alert_show(
    program: ProgramRef,
    alert_id: Annotated[int, typer.Argument(help="the alert's id (podium alert list)")],
    as_user: AsUser = None,
) -> None:
    """One alert: kind, severity, message, the chain (or the colliding tasks) with their
    projects, its details worded, when it was first and last detected, who raised it and
    whether it is resolved."""
    facts = Table.grid(padding=(0, 2))
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        alert = get_alert(session, actor, found.id, alert_id)
        colliding = alert.kind in COLLIDING_KINDS
        title = f"[bold]Alert {alert.id}[/] in {found.key}: {escape(alert.title)}"
        facts.add_row("kind", alert.kind.value.replace("_", " "))
        severity = alert.severity.value
        facts.add_row("severity", f"[{BAND_STYLE.get(severity, '')}]{severity}[/]")
        facts.add_row("about", escape(_about(alert)))
        if alert.message:
            facts.add_row("message", escape(alert.message))
        if alert.projects:
            facts.add_row("projects", escape(", ".join(alert.projects)))
        facts.add_row("cross-project", "yes" if alert.cross_project else "no")
        for label, text in alert_facts(alert):
            facts.add_row(label, escape(text))
        facts.add_row("first detected", _when(alert.first_detected_at))
        facts.add_row("last detected", _when(alert.last_detected_at))
        facts.add_row("triggered by", escape(alert.triggered_by) or "system")
        facts.add_row("resolved", _when(alert.resolved_at) if alert.resolved_at else "no, open")
        steps = list(alert.chain or [])
        elsewhere = other_programs(alert)
        heading = (
            f"Colliding tasks ({len(steps)})"
            + (f", with work in {counted(elsewhere, 'other program')}" if elsewhere else "")
            if colliding
            else f"Chain, upstream → downstream ({len(steps)})"
        )
    console.print(title)
    console.print(facts)
    if steps:
        console.print(heading)
        table = Table("key", "name", "project", "finish")
        for step in steps:
            table.add_row(
                escape(str(step.get("key", ""))),
                escape(str(step.get("name", ""))),
                escape(str(step.get("project_key") or "—")),
                str(step.get("early_finish") or "—"),
            )
        console.print(table)
