"""``podium decision add|set|delete``: the decision log from the command line.

A decision is found by its key (``D-4``), the meeting it was taken in by its review's
name and the day it was held on, the records it is about by their keys. Input is
checked as the API checks it; ``--as EMAIL`` acts as that user, with their
permissions (default: the system).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

import typer
from rich.markup import escape
from sqlalchemy.orm import Session

from podium.cli._app import (
    AsUser,
    ProgramRef,
    actor_for,
    console,
    fail,
    parse_day,
    service_work,
)
from podium.cli.governance import EVERY, decision_app, print_changes
from podium.cli.governance_records import MAX_LINKS, Yes, api_text, meeting_on
from podium.errors import ValidationFailed
from podium.models import Program, Role
from podium.models.governance import Decision, Review, ReviewOccurrence
from podium.services import programs
from podium.services.actor import Actor, require_role
from podium.services.governance import change_requests, decisions, reviews
from podium.services.governance.decisions import LINK_TYPES
from podium.services.pages_tasks import find_activity

# what the API takes (podium.api.governance)
DecisionKey = Annotated[str, typer.Argument(metavar="KEY", help="the decision's key, e.g. D-4")]
Links = Annotated[
    list[str] | None,
    typer.Option("--link", help="what it is about: a task or milestone key, CR-2, R3, or TYPE:ID"),
]
On = Annotated[str | None, typer.Option("--on", help="the day it was decided, YYYY-MM-DD")]
InReview = Annotated[
    str | None,
    typer.Option("--review", help="taken in this review's meeting of --on (default: its last)"),
]


def _decision(session: Session, actor: Actor, program: str, key: str) -> tuple[Program, Decision]:
    found = programs.find_program(session, actor, program)
    number = key.strip().upper().removeprefix("D-")
    logged, _ = decisions.list_decisions(session, actor, found.id, limit=EVERY)
    match = next((d for d in logged if number.isdecimal() and d.number == int(number)), None)
    if match is None:
        unknown = escape(f"no decision {key.strip()!r} in {found.key}")
        raise fail(f"{unknown} (`podium decision list {found.key}` lists them)")
    return found, match


def _link(session: Session, actor: Actor, program: Program, ref: str) -> dict[str, Any]:
    """What ``--link`` names: a task or milestone key, ``CR-2``, ``R3``, or ``TYPE:ID``."""
    from podium.cli.risks import find_risk

    text = ref.strip()
    kind, sep, number = text.partition(":")
    kind = kind.strip().lower().replace("-", "_")
    if sep and kind in LINK_TYPES and number.strip().isdecimal():
        return {"type": kind, "id": int(number)}
    try:
        end = find_activity(session, program.id, text, field="--link")
        return {"type": end.type, "id": end.id}
    except ValidationFailed:
        pass
    if re.fullmatch(r"(?i)CR-\d+", text):
        cr = change_requests.find_change_request(session, actor, program.id, text)
        return {"type": "change_request", "id": cr.id}
    if re.fullmatch(r"(?i)R\d+", text):
        return {"type": "risk", "id": find_risk(session, actor, program, text).id}
    kinds = ", ".join(LINK_TYPES)
    unknown = f"--link: no task, milestone, CR-n or risk {text!r} in {program.key}"
    raise fail(escape(f"{unknown} (or give TYPE:ID, TYPE one of {kinds})"))


def _links(
    session: Session, actor: Actor, program: Program, refs: list[str]
) -> list[dict[str, Any]]:
    if len(refs) > MAX_LINKS:
        raise fail(f"a decision has at most {MAX_LINKS} links, not {len(refs)}")
    return [_link(session, actor, program, ref) for ref in refs]


def _taken_in(
    session: Session, actor: Actor, program: Program, name: str, day: date | None
) -> ReviewOccurrence:
    """The meeting a decision was taken in: the review's meeting of ``day``, else its last."""
    review = reviews.find_review(session, actor, program.id, name)
    if day is not None:
        return meeting_on(session, actor, review, day)
    last = reviews.last_occurrence(session, review.id)
    if last is None:
        raise fail(escape(f"{review.name} has no meeting recorded yet"))
    return last


def _meeting_label(session: Session, occurrence_id: int | None) -> str | None:
    """``Steering committee meeting of 2027-03-04``: where a decision was taken."""
    meeting = session.get(ReviewOccurrence, occurrence_id) if occurrence_id else None
    review = session.get(Review, meeting.review_id) if meeting else None
    return f"{review.name} meeting of {meeting.held_on}" if meeting and review else None


def _about(d: Decision) -> list[str]:
    return [str(link["label"]) for link in d.links]


@decision_app.command("add")
def decision_add(
    program: ProgramRef,
    title: Annotated[str, typer.Option(help="what was decided")],
    rationale: Annotated[str, typer.Option(help="why")] = "",
    by: Annotated[str, typer.Option("--by", help="who decided (default: your name)")] = "",
    on: On = None,
    review: InReview = None,
    link: Links = None,
    as_user: AsUser = None,
) -> None:
    """Log a decision (managers), and print the key it got. Taken in a review's meeting
    (--review), it is dated that meeting's day (--on picks the review's meeting of that day)."""
    title, rationale = api_text(title, "--title", required=True), api_text(rationale, "--rationale")
    by, day = api_text(by, "--by"), parse_day(on, "--on") if on is not None else None
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        meeting = _taken_in(session, actor, found, review, day) if review else None
        made = decisions.record_decision(
            session, actor, program_id=found.id, title=title, rationale=rationale,
            decided_by=by, decided_on=day or (meeting.held_on if meeting else None),
            occurrence_id=meeting.id if meeting else None,
            links=_links(session, actor, found, link or []),
        )  # fmt: skip
        where = _meeting_label(session, made.occurrence_id)
        what = f"[bold]D-{made.number}[/] {escape(made.title)} in {found.key}"
        facts = f"decided by {made.decided_by} on {made.decided_on}"
        facts += f", in the {where}" if where else ""
        facts += f"; about {', '.join(_about(made))}" if made.links else ""
    console.print(f"Logged {what}: {escape(facts)}.")


@decision_app.command("set")
def decision_set(
    program: ProgramRef,
    key: DecisionKey,
    title: Annotated[str | None, typer.Option(help="what was decided")] = None,
    rationale: Annotated[str | None, typer.Option(help="why")] = None,
    by: Annotated[str | None, typer.Option("--by", help="who decided")] = None,
    on: On = None,
    review: InReview = None,
    no_review: Annotated[
        bool, typer.Option("--no-review", help="not taken in a review's meeting")
    ] = False,
    link: Annotated[
        list[str] | None,
        typer.Option("--link", help="what it is about (repeatable): replaces the links"),
    ] = None,
    no_links: Annotated[
        bool, typer.Option("--no-links", help="about nothing in particular")
    ] = False,
    as_user: AsUser = None,
) -> None:
    """Correct a logged decision (managers): change only what is given; say what changed."""
    for given, cleared, option, clear in (
        (review, no_review, "--review", "--no-review"),
        (link, no_links, "--link", "--no-links"),
    ):
        if given and cleared:
            raise fail(f"give {option} or {clear}, not both")
    updates: dict[str, Any] = {}
    for field, option, value in (
        ("title", "--title", title),
        ("rationale", "--rationale", rationale),
        ("decided_by", "--by", by),
    ):
        if value is not None:
            updates[field] = api_text(value, option, required=field != "rationale")
    if on is not None:
        updates["decided_on"] = parse_day(on, "--on")
    if no_review:
        updates["occurrence_id"] = None
    if no_links:
        updates["links"] = []
    if not updates and not review and not link:
        raise fail("nothing to change: give at least one of the options (see --help)")
    with service_work() as session:
        actor = actor_for(session, as_user)
        found, decision = _decision(session, actor, program, key)
        if review:
            meeting = _taken_in(session, actor, found, review, updates.get("decided_on"))
            updates["occurrence_id"] = meeting.id
            updates["decided_on"] = meeting.held_on
        if link:
            updates["links"] = _links(session, actor, found, link)
        before: dict[str, Any] = {"meeting": _meeting_label(session, decision.occurrence_id)}
        before["about"] = _about(decision)
        before |= {f: getattr(decision, f) for f in updates if f not in ("occurrence_id", "links")}
        decisions.update_decision(
            session, actor, decision.id, updates, expected_version=decision.version
        )
        after: dict[str, Any] = {"meeting": _meeting_label(session, decision.occurrence_id)}
        after["about"] = _about(decision)
        lines = [
            (field.replace("decided_", ""), old, after.get(field, getattr(decision, field, None)))
            for field, old in before.items()
        ]
        title_now = f"[bold]D-{decision.number}[/] {escape(decision.title)}"
    print_changes(title_now, lines)


@decision_app.command("delete")
def decision_delete(
    program: ProgramRef, key: DecisionKey, yes: Yes = False, as_user: AsUser = None
) -> None:
    """Delete a decision logged by mistake (managers)."""
    with service_work() as session:
        actor = actor_for(session, as_user)
        found, decision = _decision(session, actor, program, key)
        what = f"D-{decision.number} {escape(decision.title)}"
        require_role(session, actor, found.id, Role.MANAGER)  # before saying what would go
        if not yes:
            raise fail(
                f"this would delete {what} from {found.key}'s decision log: run again with --yes"
            )
        decisions.delete_decision(session, actor, decision.id, expected_version=decision.version)
    console.print(f"Deleted {what} from {found.key}'s decision log.")
