"""``podium audit``: the whole system's audit log — every program's changes (deleted
programs' too) and those outside any program (users, calendars, resources, tokens)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from podium.cli._app import (
    app,
    console,
    in_options,
    parse_day,
    print_problems,
    require_current_schema,
)
from podium.errors import PodiumError
from podium.services import audit, pages_history
from podium.services.actor import SYSTEM
from podium.services.audit import AuditFilter
from podium.services.pages_history import HistoryEntry
from podium.services.uow import unit_of_work

OPTIONS = {
    "entity_type": "--entity-type",
    "user": "--user",
    "since": "--since",
    "until": "--until",
}
ACTIONS = {"create": "created", "update": "changed", "delete": "deleted"}


def _value(value: Any) -> str:
    if value is None or value == "":
        return "empty"
    if value is True or value is False:
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _changes(entry: HistoryEntry) -> str:
    """Field by field: ``duration: 10 → 12``; a new record's values, a removed one's."""
    lines = []
    for change in entry.changes:
        field = change.field.replace("_", " ")
        if entry.action == "create":
            lines.append(f"{field}: {_value(change.new)}")
        elif entry.action == "delete":
            lines.append(f"{field}: {_value(change.old)}")
        else:
            lines.append(f"{field}: {_value(change.old)} → {_value(change.new)}")
    return "\n".join(lines)


def _program(entry: HistoryEntry) -> str:
    if entry.program_id is None:
        return ""
    key = entry.program_key or f"#{entry.program_id}"
    return key if entry.program_live else f"{key} (deleted)"


def _what(entry: HistoryEntry) -> str:
    name = " ".join(part for part in (entry.key, entry.label) if part)
    if entry.key and entry.label == entry.key:
        name = entry.key
    return f"{ACTIONS.get(entry.action, entry.action)} {entry.entity_type} {name}".rstrip()


@app.command("audit")
def audit_log(
    program: Annotated[
        str | None,
        typer.Option("--program", help="one program's changes: its key or id (live or deleted)"),
    ] = None,
    entity_type: Annotated[
        str | None,
        typer.Option(
            "--entity-type", help="one kind of record: " + ", ".join(audit.KNOWN_ENTITY_TYPES)
        ),
    ] = None,
    entity_id: Annotated[
        int | None,
        typer.Option("--entity-id", min=1, max=audit.MAX_ID, help="one record, by its id"),
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="changes made by (email)")] = None,
    since: Annotated[str | None, typer.Option(help="from this day on (YYYY-MM-DD, UTC)")] = None,
    until: Annotated[str | None, typer.Option(help="up to this day (YYYY-MM-DD, UTC)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="at most this many")] = 50,
    offset: Annotated[int, typer.Option(min=0, max=10_000_000, help="skip the newest N")] = 0,
) -> None:
    """Every change recorded, newest first: who, when, in which program, what, and each
    field's old → new value."""
    first = parse_day(since, "--since") if since else None
    last = parse_day(until, "--until") if until else None
    require_current_schema()
    try:
        with unit_of_work() as session:
            program_id = audit.find_logged_program(session, program) if program else None
            wanted = AuditFilter(
                program_id=program_id,
                entity_type=entity_type.strip().lower() if entity_type else None,
                entity_id=entity_id,
                user_email=user,
                since=first,
                until=last,
            )
            view = pages_history.audit_log(session, SYSTEM, wanted, limit=limit, offset=offset)
    except PodiumError as exc:
        print_problems(in_options(exc, OPTIONS))
        raise typer.Exit(1) from exc
    if not view.entries:
        console.print("No change matches." if view.total else "Nothing recorded yet.")
        return
    table = Table("when (UTC)", "who", "program", "what", "changes")
    for entry in view.entries:
        table.add_row(
            f"{entry.at:%Y-%m-%d %H:%M}",
            escape(entry.email or entry.who),
            escape(_program(entry)),
            escape(_what(entry)),
            escape(_changes(entry)),
        )
    console.print(table)
    shown = f"{offset + 1}–{offset + len(view.entries)} of {view.total}"
    more = f"; --offset {offset + limit} for more" if offset + limit < view.total else ""
    console.print(f"Changes {shown}{more}.")
