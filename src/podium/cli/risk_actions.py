"""One risk in detail and its mitigation actions: ``podium risk show``, ``podium risk action``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from podium.cli._app import (
    AsUser,
    ProgramRef,
    actor_for,
    console,
    fail,
    parse_day,
    print_problems,
    require_current_schema,
)
from podium.cli.risks import BAND_STYLE, RiskRef, find_risk, person, risk_app
from podium.engine.risks import score_band
from podium.errors import PodiumError
from podium.services import programs, risks
from podium.services.uow import unit_of_work

action_app = typer.Typer(help="A risk's mitigation actions.", no_args_is_help=True)
risk_app.add_typer(action_app, name="action")


@risk_app.command("show")
def risk_show(program: ProgramRef, risk: RiskRef) -> None:
    """One risk: ratings, status, owner, response, links, mitigation actions and history."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, None)
            found = find_risk(session, actor, programs.find_program(session, actor, program), risk)
            facts = Table.grid(padding=(0, 2))
            escalated = f" ↑ {found.escalation}" if found.escalation != "none" else ""
            when = {"closed": found.closed_on, "realized": found.realized_on}.get(found.status)
            links = [p.key for p in found.projects] + [t.key for t in found.tasks]
            for label, value in (
                ("score", f"[{BAND_STYLE[score_band(found.score)]}]{found.score}[/]"),
                ("probability × impact", f"{found.probability} × {found.impact}"),
                ("status", found.status + (f" on {when}" if when else "")),
                ("level", found.level + escalated),
                ("owner", person(found.owner) or "—"),
                (
                    "response",
                    found.response + (f", due {found.due_date}" if found.due_date else ""),
                ),
                ("cause", found.cause or "—"),
                ("effect", found.effect or "—"),
                ("linked to", ", ".join(links) or "—"),
            ):
                facts.add_row(f"[dim]{label}[/]", value)
            actions = Table(
                "action",
                "what",
                "owner",
                "due",
                "done",
                title="Mitigation actions",
                title_justify="left",
            )
            for a in found.actions:
                actions.add_row(
                    str(a.id),
                    a.title,
                    person(a.owner),
                    str(a.due_date or "—"),
                    f"[green]done on {a.done_on}[/]" if a.done else "",
                )
            changes = Table(
                "when", "P×I", "score", "status", "by", "why", title="History", title_justify="left"
            )
            for h in risks.list_history(session, actor, found.id):
                changes.add_row(
                    f"{h.at:%Y-%m-%d}",
                    f"{h.probability}×{h.impact}",
                    str(h.score),
                    h.status,
                    h.changed_by,
                    h.note,
                )
            title = f"{found.key} {found.title}"
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"[bold]{title}[/]")
    console.print(facts)
    console.print(actions if actions.row_count else "[dim]No mitigation actions.[/]")
    console.print(changes)


@action_app.command("add")
def action_add(
    program: ProgramRef,
    risk: RiskRef,
    title: Annotated[str, typer.Option(help="what will be done")],
    owner: Annotated[str | None, typer.Option(help="owner's email (a member)")] = None,
    due: Annotated[str | None, typer.Option(help="due date YYYY-MM-DD")] = None,
    as_user: AsUser = None,
) -> None:
    """Plan a mitigation action for a risk (members)."""
    if not title.strip():
        raise fail("an action needs a --title")
    due_date = parse_day(due, "--due") if due else None
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = find_risk(session, actor, programs.find_program(session, actor, program), risk)
            owner_id = actor_for(session, owner).user_id if owner else None
            action = risks.add_action(
                session, actor, found.id, title=title.strip(), owner_id=owner_id, due_date=due_date
            )
            summary = f"action {action.id} on {found.key}: {action.title}"
            if due_date:
                summary += f", due {due_date}"
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Planned [bold]{summary}[/].")


@action_app.command("done")
def action_done(
    program: ProgramRef,
    risk: RiskRef,
    action: Annotated[int, typer.Argument(help="the action's number (see podium risk show)")],
    on: Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD (default: today)")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="mark it not done after all")] = False,
    as_user: AsUser = None,
) -> None:
    """Mark a mitigation action done (members), or not done with --undo."""
    if undo and on:
        raise fail("give --on or --undo, not both")
    day = parse_day(on, "--on") if on else datetime.now(UTC).date()
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = find_risk(session, actor, programs.find_program(session, actor, program), risk)
            updates: dict[str, Any] = {"done": False} if undo else {"done": True, "done_on": day}
            changed = risks.update_action(session, actor, found.id, action, updates)
            summary = f"action {changed.id} on {found.key}: {changed.title}"
            left = sum(not a.done for a in found.actions)
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    verdict = "not done" if undo else f"done on {day}"
    console.print(f"Marked [bold]{summary}[/] {verdict}; {left} open action(s) left on it.")
