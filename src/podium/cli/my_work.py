"""``podium user tasks EMAIL``: a person's work, as their *My work* page shows it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from podium.cli._app import (
    console,
    fail,
    parse_day,
    service_work,
    user_app,
)
from podium.services import auth, my_work
from podium.services.actor import SYSTEM
from podium.services.common import today
from podium.services.my_work import STATE_LABELS, WorkItem


def _day(day: date | None) -> str:
    return day.isoformat() if day is not None else "—"


def _progress(item: WorkItem) -> str:
    if item.actual_finish is not None:
        return f"finished {item.actual_finish}"
    if item.actual_start is not None:
        return f"{item.percent_complete:g} % since {item.actual_start}"
    return "not started"


def _flags(item: WorkItem) -> str:
    flags = []
    if item.is_critical:
        flags.append("critical")
    if item.should_have_started and item.state != "late":
        flags.append("should have started")
    if item.program_on_hold:
        flags.append("program on hold")
    if not item.can_report:
        flags.append(f"{item.role.value}: read only")
    return ", ".join(flags)


@user_app.command("tasks")
def user_tasks(
    email: Annotated[str, typer.Argument(help="the person's email")],
    on: Annotated[
        str | None, typer.Option(help="judge late and next as of this day, YYYY-MM-DD")
    ] = None,
) -> None:
    """A person's tasks across their programs: late, in progress, starting soon, later,
    and finished in the last two weeks (as their My work page shows them)."""
    day = parse_day(on, "--on") if on is not None else today()
    with service_work() as session:
        user = auth.find_user(session, email)
        if user is None:
            raise fail(escape(f"no user with email {email}"))
        work = my_work.work_of(session, SYSTEM, user_id=user.id, on=day)
    who = escape(work.user.name or work.user.email)
    if not work.items:
        console.print(
            f"Nothing is assigned to {who}. Tasks are theirs once a resource linked to "
            "their account (a resource's Account, on the web or in the API) is assigned."
        )
        return
    counts = work.counts()
    summary = ", ".join(f"{counts[s]} {label.lower()}" for s, label in STATE_LABELS.items())
    console.print(f"Work of {who} as of {day}: {summary}.")
    for state, label in STATE_LABELS.items():
        items = work.in_state(state)
        if not items:
            continue
        table = Table("task", "name", "program", "project", "scheduled", "progress", "",
                      title=f"{label} ({len(items)})", title_justify="left")  # fmt: skip
        for item in items:
            table.add_row(
                escape(item.key),
                escape(item.name),
                escape(item.program_key),
                escape(item.project_key),
                f"{_day(item.early_start)} → {_day(item.early_finish)}",
                _progress(item),
                _flags(item),
            )
        console.print(table)
