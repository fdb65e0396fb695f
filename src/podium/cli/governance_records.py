"""``podium review add|set|delete|meeting-…|topic-…`` (the decision log's commands are in
:mod:`podium.cli.decisions`).

A review is found by its name (any case), a meeting held by its review and the day
it was held on, a proposed topic by the number ``topic-add`` printed (or its exact
title). Input is checked as the API checks it;
``--as EMAIL`` acts as that user, with their permissions (default: the system).
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
    checked_text,
    console,
    fail,
    parse_day,
    service_work,
)
from podium.cli.governance import present_names, print_changes, review_app
from podium.cli.programs import counted
from podium.models import Program, ReviewFrequency, Role
from podium.models.governance import Review, ReviewOccurrence
from podium.services import programs
from podium.services.actor import Actor, require_role
from podium.services.governance import decisions, reviews
from podium.services.governance.agenda import SECTIONS
from podium.services.governance.page import ReviewRow
from podium.services.governance.reviews import AttendeeIn

# what the API takes (podium.api.governance)
TEXT_LENGTHS = {
    "--name": 200, "--purpose": 10_000, "--location": 300, "--notes": 100_000,
    "--present": 200, "--topic": 300, "--topic-notes": 10_000, "--title": 300,
    "--rationale": 20_000, "--by": 300,
}  # fmt: skip
ATTENDEE_LENGTHS = {"name": 200, "email": 320, "role": 100}
MAX_PEOPLE, MAX_LINKS, MINUTES = 100, 50, (5, 1440)
TIME_PATTERN = r"^(|([01]\d|2[0-3]):[0-5]\d)$"
FREQUENCIES = {f.value.replace("_", "-"): f for f in ReviewFrequency}
LABELS = {"first_date": "first", "until_date": "until", "time_of_day": "time"}
LABELS["duration_minutes"] = "minutes"

ReviewName = Annotated[str, typer.Argument(metavar="REVIEW", help="the review's name (any case)")]
HeldOn = Annotated[str, typer.Option("--held-on", help="the day the meeting was held, YYYY-MM-DD")]
Yes = Annotated[bool, typer.Option("--yes", help="really delete it")]
Frequency = Annotated[
    str | None, typer.Option(help="weekly, biweekly, four-weekly or monthly (nth weekday)")
]
First = Annotated[str | None, typer.Option("--first", help="the first meeting, YYYY-MM-DD")]
Until = Annotated[str | None, typer.Option("--until", help="no meeting after, YYYY-MM-DD")]
Time = Annotated[str | None, typer.Option("--time", help="HH:MM, local time ('' for none)")]
Minutes = Annotated[int | None, typer.Option("--minutes", help="how long it lasts (5–1440)")]
Sections = Annotated[
    list[str] | None,
    typer.Option("--section", help=f"an agenda section it covers: {', '.join(SECTIONS)}"),
]
Attendees = Annotated[
    list[str] | None,
    typer.Option("--attendee", help="'who, role': a name or a user's email, then a role"),
]


def api_text(value: str, option: str, *, required: bool = False, named: str = "") -> str:
    """A text checked against the API's limit for ``option`` (called ``named`` in errors,
    when it is an argument)."""
    return checked_text(value, named or option, TEXT_LENGTHS[option], required=required)


def _open(session: Session, actor: Actor, program: str, name: str) -> tuple[Program, Review]:
    found = programs.find_program(session, actor, program)
    return found, reviews.find_review(session, actor, found.id, name)


def _frequency(value: str) -> ReviewFrequency:
    wanted = value.strip().lower().replace("_", "-")
    if wanted not in FREQUENCIES:
        raise fail(escape(f"--frequency is one of {', '.join(FREQUENCIES)}, not {value!r}"))
    return FREQUENCIES[wanted]


def _sections(values: list[str]) -> list[str]:
    wanted = [v.strip().lower().replace("-", "_") for v in values]
    unknown = [v for v in wanted if v not in SECTIONS]
    if unknown:
        known = ", ".join(s.replace("_", "-") for s in SECTIONS)
        raise fail(escape(f"--section is one of {known}, not {unknown[0]!r}"))
    return list(dict.fromkeys(wanted))


def _attendees(values: list[str]) -> list[AttendeeIn]:
    """``who, role`` each: ``who`` is an email (a Podium user's links them) or a name."""
    if len(values) > MAX_PEOPLE:
        raise fail(f"a review has at most {MAX_PEOPLE} attendees, not {len(values)}")
    people = []
    for value in values:
        who, _, role = (part.strip() for part in value.partition(","))
        field = "email" if "@" in who else "name"
        for name, text in ((field, who), ("role", role)):
            checked_text(
                text, f"--attendee {name}", ATTENDEE_LENGTHS[name], required=name != "role"
            )
        people.append(AttendeeIn(**{field: who}, role=role))
    return people


def _review_fields(**given: Any) -> dict[str, Any]:
    """The review fields among the options given, checked as the API checks them."""
    out: dict[str, Any] = {}
    for field, option in (("name", "--name"), ("purpose", "--purpose"), ("location", "--location")):
        if given[field] is not None:
            out[field] = api_text(given[field], option, required=field == "name")
    if given["frequency"] is not None:
        out["frequency"] = _frequency(given["frequency"])
    for field, option in (("first_date", "--first"), ("until_date", "--until")):
        if given[field] is not None:
            out[field] = parse_day(given[field], option)
    if given["time_of_day"] is not None:
        out["time_of_day"] = given["time_of_day"].strip()
        if re.fullmatch(TIME_PATTERN, out["time_of_day"]) is None:
            raise fail(escape(f"--time is HH:MM (00:00 to 23:59), not {given['time_of_day']!r}"))
    if given["duration_minutes"] is not None:
        if not MINUTES[0] <= given["duration_minutes"] <= MINUTES[1]:
            raise fail(f"--minutes is between {MINUTES[0]} and {MINUTES[1]}")
        out["duration_minutes"] = given["duration_minutes"]
    if given["sections"]:
        out["sections"] = _sections(given["sections"])
    return out


def _who(review: Review) -> list[str]:
    return [f"{a.name} ({a.role})" if a.role else a.name for a in review.attendees]


def _cadence(review: Review) -> str:
    return ReviewRow(review=review, next_date=None, last=None, held=0).cadence


def meeting_on(session: Session, actor: Actor, review: Review, day: date) -> ReviewOccurrence:
    """The review's meeting held on ``day``; another day fails, naming the days held."""
    held = reviews.list_occurrences(session, actor, review.id)
    found = next((o for o in held if o.held_on == day), None)
    if found is None:
        days = ", ".join(str(o.held_on) for o in held[:10]) or "none yet"
        raise fail(escape(f"{review.name} has no meeting held on {day} (held: {days})"))
    return found


@review_app.command("add")
def review_add(
    program: ProgramRef,
    name: Annotated[str, typer.Argument(help="e.g. 'Steering committee'")],
    frequency: Annotated[str, typer.Option(help="weekly, biweekly, four-weekly or monthly")],
    first: Annotated[str, typer.Option("--first", help="the first meeting: fixes the weekday")],
    until: Until = None,
    time: Time = None,
    minutes: Minutes = None,
    location: Annotated[str | None, typer.Option(help="where it meets")] = None,
    purpose: Annotated[str | None, typer.Option(help="what it is for")] = None,
    section: Sections = None,
    attendee: Attendees = None,
    as_user: AsUser = None,
) -> None:
    """Set up a review on a cadence (managers): it covers every agenda section unless
    --section names them."""
    name = api_text(name, "--name", required=True, named="NAME")
    fields = _review_fields(
        name=name, purpose=purpose, location=location, frequency=frequency, first_date=first,
        until_date=until, time_of_day=time, duration_minutes=minutes, sections=section,
    )  # fmt: skip
    people = _attendees(attendee or [])
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        review = reviews.create_review(
            session, actor, program_id=found.id, attendees=people, **fields
        )
        what = f"[bold]{escape(review.name)}[/] in {found.key}: {_cadence(review)}"
        until_text = f" until {review.until_date}" if review.until_date else ""
        following = reviews.next_date(session, review) or "none, its cadence has ended"
        who = escape(", ".join(_who(review))) or "none yet"
    console.print(f"Set up review {what}, from {review.first_date}{until_text}.")
    console.print(f"Next meeting: {following}. Attendees: {who}.")


@review_app.command("set")
def review_set(
    program: ProgramRef,
    review: ReviewName,
    name: Annotated[str | None, typer.Option(help="a new name")] = None,
    frequency: Frequency = None,
    first: First = None,
    until: Until = None,
    no_until: Annotated[bool, typer.Option("--no-until", help="no end to the cadence")] = False,
    time: Time = None,
    minutes: Minutes = None,
    location: Annotated[str | None, typer.Option(help="where it meets")] = None,
    purpose: Annotated[str | None, typer.Option(help="what it is for")] = None,
    section: Sections = None,
    attendee: Annotated[
        list[str] | None,
        typer.Option("--attendee", help="'who, role' (repeatable): replaces the attendees"),
    ] = None,
    no_attendees: Annotated[bool, typer.Option("--no-attendees", help="nobody")] = False,
    as_user: AsUser = None,
) -> None:
    """Change a review's cadence, details or attendees (managers): only what is given; say
    what changed."""
    if until is not None and no_until:
        raise fail("give --until or --no-until, not both")
    if attendee and no_attendees:
        raise fail("give --attendee or --no-attendees, not both")
    updates = _review_fields(
        name=name, purpose=purpose, location=location, frequency=frequency, first_date=first,
        until_date=until, time_of_day=time, duration_minutes=minutes, sections=section,
    )  # fmt: skip
    if no_until:
        updates["until_date"] = None
    people = _attendees(attendee) if attendee else [] if no_attendees else None
    if not updates and people is None:
        raise fail("nothing to change: give at least one of the options (see --help)")
    with service_work() as session:
        actor = actor_for(session, as_user)
        _found, chosen = _open(session, actor, program, review)
        before = {f: getattr(chosen, f) for f in updates} | {"attendees": _who(chosen)}
        reviews.update_review(
            session, actor, chosen.id, updates, attendees=people, expected_version=chosen.version
        )
        session.refresh(chosen)
        after = {field: getattr(chosen, field) for field in updates} | {"attendees": _who(chosen)}
        lines = [(LABELS.get(field, field), old, after[field]) for field, old in before.items()]
        title = f"review [bold]{escape(chosen.name)}[/]"
        following = reviews.next_date(session, chosen) or "none, its cadence has ended"
    print_changes(title, lines)
    console.print(f"Next meeting: {following}.")


@review_app.command("delete")
def review_delete(
    program: ProgramRef, review: ReviewName, yes: Yes = False, as_user: AsUser = None
) -> None:
    """Delete a review with its meetings and proposed topics (managers); the decisions
    logged in its meetings stay in the log."""
    with service_work() as session:
        actor = actor_for(session, as_user)
        found, chosen = _open(session, actor, program, review)
        held = reviews.list_occurrences(session, actor, chosen.id)
        topics = len(reviews.open_items(session, chosen.id))
        logged = sum(len(decisions.decision_ids_of_occurrence(session, o.id)) for o in held)
        what = f"review {escape(chosen.name)}"
        took = (
            f"its {counted(len(held), 'meeting')} recorded and {counted(topics, 'proposed topic')}"
        )
        kept = f" ({counted(logged, 'decision')} logged in them stay in the log)" if logged else ""
        require_role(session, actor, found.id, Role.MANAGER)  # before saying what would go
        if not yes:
            raise fail(f"this would delete {what} with {took}{kept}: run again with --yes")
        reviews.delete_review(session, actor, chosen.id, expected_version=chosen.version)
    console.print(f"Deleted {what} from {found.key}, with {took}{kept}.")


@review_app.command("meeting-set")
def meeting_set(
    program: ProgramRef,
    review: ReviewName,
    held_on: HeldOn,
    notes: Annotated[str | None, typer.Option(help="the minutes (replace them)")] = None,
    present: Annotated[
        list[str] | None,
        typer.Option(help="who came (repeatable): replaces the list; a name, email or guest"),
    ] = None,
    all_present: Annotated[
        bool, typer.Option("--all-present", help="every attendee of the review came")
    ] = False,
    as_user: AsUser = None,
) -> None:
    """Correct a meeting's minutes or who was present (managers)."""
    day = parse_day(held_on, "--held-on")
    updates: dict[str, Any] = {}
    if notes is not None:
        updates["notes"] = api_text(notes, "--notes")
    for person in present or []:
        api_text(person, "--present")
    if not updates and not present and not all_present:
        raise fail("nothing to change: give --notes, --present or --all-present")
    with service_work() as session:
        actor = actor_for(session, as_user)
        _found, chosen = _open(session, actor, program, review)
        meeting = meeting_on(session, actor, chosen, day)
        if present or all_present:
            updates["attendees_present"] = present_names(chosen, present, all_present)
            if len(updates["attendees_present"]) > MAX_PEOPLE:
                raise fail(f"at most {MAX_PEOPLE} people present")
        before = {f: getattr(meeting, f) for f in updates}
        reviews.update_occurrence(
            session, actor, meeting.id, updates, expected_version=meeting.version
        )
        lines = [
            (f.replace("attendees_", ""), old, getattr(meeting, f)) for f, old in before.items()
        ]
        title = f"the [bold]{escape(chosen.name)}[/] meeting of {day}"
    print_changes(title, lines)


@review_app.command("meeting-delete")
def meeting_delete(
    program: ProgramRef,
    review: ReviewName,
    held_on: HeldOn,
    yes: Yes = False,
    as_user: AsUser = None,
) -> None:
    """Remove a meeting recorded by mistake (managers): the topics it took return to the
    next agenda; the decisions logged in it stay in the log, no longer tied to a meeting."""
    day = parse_day(held_on, "--held-on")
    with service_work() as session:
        actor = actor_for(session, as_user)
        found, chosen = _open(session, actor, program, review)
        meeting = meeting_on(session, actor, chosen, day)
        logged = decisions.decision_ids_of_occurrence(session, meeting.id)
        what = f"the {escape(chosen.name)} meeting of {day}"
        items = meeting.agenda.get("item_count", 0)
        detail = f"its kept agenda of {counted(items, 'item')} goes"
        if logged:
            detail += f"; {counted(len(logged), 'decision')} logged in it stay in the log"
        require_role(session, actor, found.id, Role.MANAGER)  # before saying what would go
        if not yes:
            raise fail(f"this would delete {what} ({detail}): run again with --yes")
        reviews.delete_occurrence(session, actor, meeting.id, expected_version=meeting.version)
        following = reviews.next_date(session, chosen) or "none, its cadence has ended"
    console.print(f"Deleted {what} from {found.key} ({detail}).")
    console.print(f"Next meeting: {following}.")


@review_app.command("topic-add")
def topic_add(
    program: ProgramRef,
    review: ReviewName,
    topic: Annotated[str, typer.Argument(help="what to discuss")],
    notes: Annotated[str, typer.Option(help="more about it")] = "",
    as_user: AsUser = None,
) -> None:
    """Propose a topic for the review's next meeting (members)."""
    title = api_text(topic, "--topic", required=True, named="TOPIC")
    text = api_text(notes, "--topic-notes", named="--notes")
    with service_work() as session:
        actor = actor_for(session, as_user)
        _found, chosen = _open(session, actor, program, review)
        item = reviews.propose_item(session, actor, chosen.id, title=title, notes=text)
        what = f"topic {item.id} for {escape(chosen.name)}"
        following = reviews.next_date(session, chosen)
    when = f" ({following})" if following else ""
    console.print(f"Proposed {what}'s next meeting{when}: {escape(title)}.")


@review_app.command("topic-remove")
def topic_remove(
    program: ProgramRef,
    review: ReviewName,
    topic: Annotated[
        str, typer.Argument(help="its number (topic-add printed it), or its exact title")
    ],
    as_user: AsUser = None,
) -> None:
    """Take a proposed topic off the agenda (whoever proposed it, or a manager)."""
    with service_work() as session:
        actor = actor_for(session, as_user)
        _found, chosen = _open(session, actor, program, review)
        items = reviews.open_items(session, chosen.id)
        wanted = topic.strip()
        item = next((i for i in items if str(i.id) == wanted), None) or next(
            (i for i in items if i.title.lower() == wanted.lower()), None
        )
        if item is None and not wanted.isdecimal():
            proposed = "; ".join(f"{i.id} {i.title!r}" for i in items) or "none"
            raise fail(escape(f"no topic {wanted!r} proposed for {chosen.name} (open: {proposed})"))
        reviews.withdraw_item(session, actor, chosen.id, item.id if item else int(wanted))
        what = escape(f"topic {item.id} ({item.title})" if item else f"topic {wanted}")
        name = escape(chosen.name)
    console.print(f"Took {what} off {name}'s agenda.")
