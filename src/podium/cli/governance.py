"""Commands on governance: review agendas, the decision log, change requests (listed,
approved, rejected), the retrospective.

Setting up and editing reviews, their meetings and topics, and the decision log are
in :mod:`podium.cli.governance_records`; raising, changing and withdrawing change
requests in :mod:`podium.cli.change_requests`; stakeholders and lessons learned in
their own modules.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from podium.cli._app import (
    AsUser,
    ProgramRef,
    actor_for,
    app,
    console,
    err,
    fail,
    parse_day,
    service_work,
    writable,
    write_file,
)
from podium.currency import in_currency
from podium.models import ChangeRequestStatus, Program
from podium.models.governance import Review
from podium.services import programs
from podium.services.actor import SYSTEM, Actor

review_app = typer.Typer(
    help="Governance reviews: their cadence, agendas, meetings and topics.", no_args_is_help=True
)
decision_app = typer.Typer(help="The decision log.", no_args_is_help=True)
change_app = typer.Typer(
    help="Change requests: raise, change, withdraw, approve, reject.", no_args_is_help=True
)
app.add_typer(review_app, name="review")
app.add_typer(decision_app, name="decision")
app.add_typer(change_app, name="change")

EVERY = 1_000_000  # one page holding every row
SHOWN_LENGTH = 60

ChangeRef = Annotated[str, typer.Argument(help="CR-3 or 3")]


def shown(value: Any) -> str:
    """A field's value in a change line, long texts cut short."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, Enum):
        value = str(value.value).replace("_", "-")
    text = str(value).replace("\n", " ")
    return escape(text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…")


def print_changes(title: str, lines: list[tuple[str, Any, Any]]) -> None:
    """``Updated <title>:`` and each change, old → new (or that nothing changed)."""
    changed = [(label, old, new) for label, old, new in lines if old != new]
    if not changed:
        console.print(f"Nothing changed: {title} already has those settings.")
        return
    console.print(f"Updated {title}:")
    grid = Table.grid(padding=(0, 2))
    for label, old, new in changed:
        grid.add_row(f"  {label}", f"{shown(old)} → {shown(new)}")
    console.print(grid)


def present_names(review: Review, present: list[str] | None, everyone: bool) -> list[str]:
    """Who came, as typed (an attendee's name or email gives their name; anyone else is a
    guest), with every attendee first when ``everyone``; each once."""
    by_name = {a.name.lower(): a.name for a in review.attendees}
    by_name.update({a.email.lower(): a.name for a in review.attendees if a.email})
    came = [by_name.get(p.strip().lower(), p.strip()) for p in present or [] if p.strip()]
    if everyone:
        came = [a.name for a in review.attendees] + came
    return list(dict.fromkeys(came))


@review_app.command("list")
def review_list(program: ProgramRef) -> None:
    """A program's reviews with their cadence, attendees and next occurrence."""
    from podium.services.governance import reviews

    table = Table("review", "cadence", "next", "last held", "attendees")
    with service_work() as session:
        found = programs.find_program(session, SYSTEM, program)
        for review in reviews.list_reviews(session, SYSTEM, found.id):
            last = reviews.last_occurrence(session, review.id)
            table.add_row(
                escape(review.name),
                review.frequency.value.replace("_", "-"),
                str(reviews.next_date(session, review) or "ended"),
                str(last.held_on) if last else "—",
                escape(", ".join(a.name for a in review.attendees)),
            )
        key = found.key
    if not table.row_count:
        add = f"`podium review add {key} NAME --frequency weekly --first YYYY-MM-DD`"
        console.print(f"No review in {key} yet: add one with {add}.")
        return
    console.print(table)


@review_app.command("agenda")
def review_agenda(
    program: ProgramRef,
    review: Annotated[
        str | None, typer.Option("--review", help="review name (default: the one meeting next)")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="md or json")] = "md",
) -> None:
    """The agenda of a review's next occurrence, built from the data since the last one."""
    from podium.services.governance import agenda, reviews

    if format not in ("md", "json"):
        raise fail(f"unknown format {format!r}: md or json")
    with service_work() as session:
        found = programs.find_program(session, SYSTEM, program)
        if review is not None:
            chosen = reviews.find_review(session, SYSTEM, found.id, review)
            day = reviews.next_date(session, chosen)
        else:
            upcoming = [
                (day, r)
                for r in reviews.list_reviews(session, SYSTEM, found.id)
                if (day := reviews.next_date(session, r)) is not None
            ]
            if not upcoming:
                raise fail(f"{found.key} has no review coming up")
            day, chosen = min(upcoming, key=lambda pair: (pair[0], pair[1].name))
        if day is None:
            raise fail(f"{chosen.name} has no further occurrence: its cadence has ended")
        built = agenda.build_agenda(session, SYSTEM, chosen, occurrence_date=day)
    if format == "json":
        typer.echo(json.dumps({k: v for k, v in built.items() if k != "snapshot"}, indent=2))
    else:
        typer.echo(agenda.agenda_markdown(built), nl=False)


@review_app.command("record")
def review_record(
    program: ProgramRef,
    review: Annotated[str, typer.Argument(help="review name")],
    held_on: Annotated[
        str | None,
        typer.Option(
            "--held-on",
            help="YYYY-MM-DD (default: the latest meeting date up to today not yet recorded, "
            "else today)",
        ),
    ] = None,
    present: Annotated[
        list[str] | None,
        typer.Option(help="who came: an attendee's name or email, or a guest (repeatable)"),
    ] = None,
    all_present: Annotated[
        bool, typer.Option("--all-present", help="every attendee of the review came")
    ] = False,
    notes: Annotated[str, typer.Option(help="the minutes")] = "",
    as_user: AsUser = None,
) -> None:
    """Record that a review met (managers): its agenda is kept with it as built now, and the
    next agenda starts from here."""
    from podium.services.governance import reviews

    day = parse_day(held_on, "--held-on") if held_on else None
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        chosen = reviews.find_review(session, actor, found.id, review)
        occurrence = reviews.record_occurrence(
            session,
            actor,
            chosen.id,
            held_on=day,
            attendees_present=present_names(chosen, present, all_present),
            notes=notes,
        )
        items = occurrence.agenda.get("item_count", 0)
        label = f"{chosen.name} on {occurrence.held_on} (occurrence {occurrence.id})"
        who = ", ".join(occurrence.attendees_present) or "nobody recorded"
        following = reviews.next_date(session, chosen)
    console.print(f"Recorded [bold]{label}[/]: {items} agenda item(s) kept; present: {who}.")
    console.print(f"Next meeting: {following or 'none, its cadence has ended'}.")


@review_app.command("skip")
def review_skip(
    program: ProgramRef,
    review: Annotated[str, typer.Argument(help="review name")],
    day: Annotated[str, typer.Argument(help="the meeting's date, YYYY-MM-DD")],
    restore: Annotated[
        bool, typer.Option("--restore", help="put a called-off meeting back")
    ] = False,
    as_user: AsUser = None,
) -> None:
    """Call off one meeting of a review (managers): the next meeting, the agenda and the
    calendar feed pass over that date. ``--restore`` puts it back."""
    from podium.services.governance import reviews

    when = parse_day(day, "DAY")
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        chosen = reviews.find_review(session, actor, found.id, review)
        reviews.skip_date(session, actor, chosen.id, when, skip=not restore)
        following = reviews.next_date(session, chosen)
        name = chosen.name
    done = "put back" if restore else "called off"
    console.print(f"{escape(name)} on {when}: {done}.")
    console.print(f"Next meeting: {following or 'none, its cadence has ended'}.")


@decision_app.command("list")
def decision_list(program: ProgramRef) -> None:
    """The decision log, newest first."""
    from podium.services.governance import decisions

    table = Table("decision", "on", "by", "what", "why", "review")
    with service_work() as session:
        found = programs.find_program(session, SYSTEM, program)
        logged, _ = decisions.list_decisions(session, SYSTEM, found.id, limit=EVERY)
        for d in logged:
            table.add_row(
                f"D-{d.number}",
                str(d.decided_on),
                escape(d.decided_by),
                escape(d.title),
                escape(d.rationale),
                str(d.occurrence.held_on) if d.occurrence else "—",
            )
        key = found.key
    if not logged:
        add = f"`podium decision add {key} --title TITLE`"
        console.print(f"No decision in {key}'s log yet: record one with {add}.")
        return
    console.print(table)


@change_app.command("list")
def change_list(
    program: ProgramRef,
    status: Annotated[
        str | None, typer.Option(help="proposed, approved, rejected or withdrawn")
    ] = None,
) -> None:
    """Change requests with their schedule and cost impact."""
    from podium.services.governance import change_requests

    try:
        wanted = ChangeRequestStatus(status) if status else None
    except ValueError as exc:
        raise fail(f"unknown status {status!r}") from exc
    with service_work() as session:
        found = programs.find_program(session, SYSTEM, program)
        cost = in_currency("cost", found.currency)  # the amounts are in the program's
        table = Table("request", "status", "title", "requested by", "finish", "milestones", cost)
        items, _ = change_requests.list_change_requests(
            session, SYSTEM, found.id, status=wanted, limit=EVERY
        )
        for cr in items:
            impact = change_requests.compute_impact(session, SYSTEM, cr)
            schedule = impact["schedule"]
            finish = (
                f"{schedule['finish_delta']:+d} wd"
                if schedule
                else ("does not apply" if not impact["applicable"] else "—")
            )
            moved = (
                ", ".join(f"{m['key']} {m['finish_delta']:+d}" for m in schedule["milestones"])
                if schedule
                else ""
            )
            table.add_row(
                f"CR-{cr.number}",
                cr.status.value,
                escape(cr.title),
                escape(cr.requested_by),
                finish,
                moved or "—",
                f"{impact['cost']['delta']:+,.0f}" if impact["cost"]["delta"] else "—",
            )
        key = found.key
    if not items:
        if wanted is not None:
            console.print(f"No {wanted.value} change request in {key}.")
        else:
            add = f"`podium change raise {key} --title TITLE`"
            console.print(f"No change request in {key} yet: raise one with {add}.")
        return
    console.print(table)


def open_request(session: Session, actor: Actor, program: str, ref: str) -> tuple[Program, Any]:
    from podium.services.governance import change_requests

    found = programs.find_program(session, actor, program)
    return found, change_requests.find_change_request(session, actor, found.id, ref)


@change_app.command("approve")
def change_approve(
    program: ProgramRef,
    request: ChangeRef,
    rationale: Annotated[str, typer.Option(help="why it was approved")] = "",
    by: Annotated[str, typer.Option("--by", help="who decided (a person or a board)")] = "",
    rebaseline: Annotated[
        bool | None,
        typer.Option("--rebaseline/--no-rebaseline", help="take a new baseline after applying"),
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Approve a change request: apply its changes to the plan and log the decision."""
    from podium.services.governance import change_requests

    with service_work() as session:
        actor = actor_for(session, as_user)
        _found, cr = open_request(session, actor, program, request)
        change_requests.approve_change_request(
            session, actor, cr.id, rationale=rationale, decided_by=by, rebaseline=rebaseline
        )
        label = escape(f"CR-{cr.number} {cr.title}")
        finish = (cr.impact_at_decision or {}).get("schedule") or {}
    delta = finish.get("finish_delta")
    moved = f" (finish {delta:+d} working days)" if delta is not None else ""
    console.print(f"Approved and applied [bold]{label}[/]{moved}.")


@change_app.command("reject")
def change_reject(
    program: ProgramRef,
    request: ChangeRef,
    rationale: Annotated[str, typer.Option(help="why it was rejected (required)")],
    by: Annotated[str, typer.Option("--by", help="who decided")] = "",
    as_user: AsUser = None,
) -> None:
    """Reject a change request: the plan is unchanged; the decision and its reason are logged."""
    from podium.services.governance import change_requests

    if not rationale.strip():
        raise fail("a rejection needs a --rationale")
    with service_work() as session:
        actor = actor_for(session, as_user)
        _found, cr = open_request(session, actor, program, request)
        change_requests.reject_change_request(
            session, actor, cr.id, rationale=rationale, decided_by=by
        )
        label = escape(f"CR-{cr.number} {cr.title}")
    console.print(f"Rejected [bold]{label}[/].")


@app.command()
def retrospective(
    program: ProgramRef,
    format: Annotated[str, typer.Option("--format", help="md, html or pdf")] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file to write")] = None,
    draft: Annotated[
        bool, typer.Option("--draft", help="a draft from the live plan, even with one kept")
    ] = False,
) -> None:
    """The program's retrospective as Markdown, HTML or PDF: the one kept at its last close
    (reopened since or not), or a draft from the live plan until it is first closed."""
    from podium.services.governance import retrospective as service

    if format not in ("md", "html", "pdf"):
        raise fail(f"unknown format {format!r}: md, html or pdf")
    if format == "pdf" and output is None:
        raise fail("a PDF needs --output FILE")
    writable(output)
    with service_work() as session:
        found = programs.find_program(session, SYSTEM, program)
        data = service.get_retrospective(session, SYSTEM, found.id, draft=draft)
        body = service.render(data, format)
    if output is None:
        typer.echo(body.decode(), nl=False)
    else:
        write_file(output, body)
        err.print(f"Wrote the {format} retrospective to {output}")
