"""One risk in detail and its mitigation actions: ``podium risk show``, ``podium risk
action add|done|set|delete``. An action is named by its number, as ``risk show`` lists it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from podium.cli._app import (
    AsUser,
    ProgramRef,
    actor_for,
    checked_text,
    console,
    fail,
    in_options,
    parse_day,
    print_problems,
    require_current_schema,
    service_work,
)
from podium.cli.risks import BAND_STYLE, RiskRef, find_risk, person, risk_app
from podium.engine.risks import score_band
from podium.errors import PodiumError, ValidationFailed
from podium.models import Role
from podium.services import programs, risks
from podium.services.uow import unit_of_work

action_app = typer.Typer(help="A risk's mitigation actions.", no_args_is_help=True)
risk_app.add_typer(action_app, name="action")

ActionRef = Annotated[int, typer.Argument(help="the action's number (see podium risk show)")]
TITLE_LENGTH = 300  # the API's limit on an action's title (podium.api.risks.Title)


@contextmanager
def _owner_named(email: str | None) -> Iterator[None]:
    """The service's refusal of an owner who is not a member, said with their email."""
    try:
        yield
    except ValidationFailed as exc:
        problems = exc.details if isinstance(exc.details, list) else []
        fields = [p.get("field") for p in problems if isinstance(p, dict)]
        if email is None or "owner_id" not in fields:
            raise
        raise fail(escape(f"--owner: {email} is not a member of this program")) from exc


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
    title = checked_text(title, "--title", TITLE_LENGTH)
    due_date = parse_day(due, "--due") if due else None
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = find_risk(session, actor, programs.find_program(session, actor, program), risk)
            owner_id = actor_for(session, owner).user_id if owner else None
            with _owner_named(owner):
                action = risks.add_action(
                    session, actor, found.id, title=title.strip(), owner_id=owner_id,
                    due_date=due_date,
                )  # fmt: skip
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
    action: ActionRef,
    on: Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD (default: today)")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="mark it not done after all")] = False,
    as_user: AsUser = None,
) -> None:
    """Mark a mitigation action done (members), or not done with --undo."""
    if undo and on:
        raise fail("give --on or --undo, not both")
    day = parse_day(on, "--on") if on else None  # None: today, as the service counts it
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = find_risk(session, actor, programs.find_program(session, actor, program), risk)
            updates: dict[str, Any] = {"done": not undo}
            if day is not None:
                updates["done_on"] = day
            changed = risks.update_action(session, actor, found.id, action, updates)
            summary = f"action {changed.id} on {found.key}: {changed.title}"
            left = sum(not a.done for a in found.actions)
            done_on = changed.done_on
    except PodiumError as exc:
        print_problems(in_options(exc, {"done_on": "--on"}))
        raise typer.Exit(1) from exc
    verdict = "not done" if undo else f"done on {done_on}"
    console.print(f"Marked [bold]{summary}[/] {verdict}; {left} open action(s) left on it.")


def _action_shown(field: str, value: Any) -> str:
    """A field of an action as the change lines show it."""
    if field == "owner":
        return person(value) or "—"
    return str(value) if value is not None else "—"


@action_app.command("set")
def action_set(
    program: ProgramRef,
    risk: RiskRef,
    action: ActionRef,
    title: Annotated[str | None, typer.Option(help="what will be done")] = None,
    owner: Annotated[str | None, typer.Option(help="owner's email (a member)")] = None,
    no_owner: Annotated[bool, typer.Option("--no-owner", help="leave it without an owner")] = False,
    due: Annotated[str | None, typer.Option(help="due date YYYY-MM-DD")] = None,
    no_due: Annotated[bool, typer.Option("--no-due", help="no due date")] = False,
    as_user: AsUser = None,
) -> None:
    """Change a mitigation action's title, owner or due date (members); only what is
    given changes, and each change is printed old → new."""
    if owner is not None and no_owner:
        raise fail("give --owner or --no-owner, not both")
    if due is not None and no_due:
        raise fail("give --due or --no-due, not both")
    updates: dict[str, Any] = {}
    if title is not None:
        updates["title"] = checked_text(title, "--title", TITLE_LENGTH, required=True)
    if due is not None or no_due:
        updates["due_date"] = parse_day(due, "--due") if due is not None else None
    if no_owner:
        updates["owner_id"] = None
    if not updates and owner is None:
        raise fail("nothing to change: give --title, --owner, --no-owner, --due or --no-due")
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = find_risk(session, actor, programs.find_program(session, actor, program), risk)
        if owner is not None:
            updates["owner_id"] = actor_for(session, owner).user_id
        chosen = risks.get_action(session, actor, found.id, action)
        before = {"title": chosen.title, "owner": chosen.owner, "due": chosen.due_date}
        with _owner_named(owner):
            changed = risks.update_action(
                session, actor, found.id, chosen.id, updates, expected_version=chosen.version
            )
        session.flush()
        session.refresh(changed)
        after = {"title": changed.title, "owner": changed.owner, "due": changed.due_date}
        lines = [
            (field, _action_shown(field, old), _action_shown(field, after[field]))
            for field, old in before.items()
            if after[field] != old
        ]
        label = escape(f"action {changed.id} on {found.key}: {changed.title}")
    if not lines:
        console.print(f"Nothing changed: [bold]{label}[/] already has those settings.")
        return
    console.print(f"Updated [bold]{label}[/]:")
    grid = Table.grid(padding=(0, 2))
    for field, old, new in lines:
        grid.add_row(f"  {field}", escape(f"{old} → {new}"))
    console.print(grid)


@action_app.command("delete")
def action_delete(
    program: ProgramRef,
    risk: RiskRef,
    action: ActionRef,
    yes: Annotated[bool, typer.Option("--yes", help="really delete it")] = False,
    as_user: AsUser = None,
) -> None:
    """Delete a mitigation action (managers); without --yes, say what would go and
    change nothing."""
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = find_risk(session, actor, programs.find_program(session, actor, program), risk)
        chosen = risks.get_action(session, actor, found.id, action, needed=Role.MANAGER)
        state = f"done on {chosen.done_on}" if chosen.done else "open"
        what = escape(f"action {chosen.id} on {found.key} ({chosen.title}, {state})")
        if not yes:
            raise fail(f"this would delete {what}: run again with --yes to delete it")
        risks.delete_action(session, actor, found.id, chosen.id, expected_version=chosen.version)
        session.flush()
        left, key = sum(not a.done for a in found.actions), found.key
    console.print(f"Deleted {what}; {left} open action(s) left on {key}.")
