"""Reviews: a program's governance meetings on a cadence, their attendees, the occurrences
held (each with the agenda it was given, kept), and agenda items people propose."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from podium.engine.calendar import shifted
from podium.engine.governance import Cadence, is_scheduled, next_occurrence, previous_occurrence
from podium.errors import Conflict, Forbidden, NotFound, field_error
from podium.models import Role, User, utcnow
from podium.models.governance import (
    AgendaItem,
    Decision,
    Review,
    ReviewAttendee,
    ReviewFrequency,
    ReviewOccurrence,
)
from podium.services.actor import Actor, refuse_on_scenario_copy, require_role
from podium.services.audit import entity_type_of, record_change
from podium.services.common import apply_update, check_version, flush, today
from podium.services.date_window import check_plan_date
from podium.services.governance._audit import audit_created, audit_deleted
from podium.services.governance._records import load_in_program

REVIEW_FIELDS = [
    "name",
    "purpose",
    "frequency",
    "first_date",
    "until_date",
    "time_of_day",
    "duration_minutes",
    "location",
    "sections",
]
OCCURRENCE_FIELDS = ["held_on", "attendees_present", "notes"]
ITEM_FIELDS = ["title", "notes", "proposed_by"]


@dataclass(frozen=True, slots=True)
class AttendeeIn:
    """An attendee as callers give one: a name, or a Podium user's email."""

    name: str = ""
    email: str = ""
    role: str = ""


# --- reviews --------------------------------------------------------------------------


def get_review(
    session: Session, actor: Actor, review_id: int, *, needed: Role = Role.VIEWER
) -> Review:
    """A review of a program the actor may act on with at least ``needed``."""
    return load_in_program(session, actor, Review, review_id, needed=needed, noun="review")


def list_reviews(session: Session, actor: Actor, program_id: int) -> list[Review]:
    """A program's reviews with their attendees, by name."""
    require_role(session, actor, program_id, Role.VIEWER)
    return list(
        session.scalars(
            select(Review)
            .where(Review.program_id == program_id)
            .options(selectinload(Review.attendees))
            .order_by(Review.name)
        )
    )


def find_review(session: Session, actor: Actor, program_id: int, name: str) -> Review:
    """A review of the program by (case-insensitive) name."""
    reviews = list_reviews(session, actor, program_id)
    wanted = name.strip()
    # the exact name first: names kept from before they were unique ignoring case may
    # differ only in case
    found = next((r for r in reviews if r.name == wanted), None) or next(
        (r for r in reviews if r.name.lower() == wanted.lower()), None
    )
    if found is not None:
        return found
    names = ", ".join(r.name for r in reviews) or "none yet"
    raise field_error("review", f"no review named {name!r} (reviews: {names})")


def _check_cadence(values: Mapping[str, Any]) -> None:
    try:
        Cadence(values["first_date"], values["frequency"].value, values["until_date"])
    except ValueError as exc:
        raise field_error("until_date", str(exc)) from exc


def _check_name_free(
    session: Session, program_id: int, name: str, *, except_id: int | None = None
) -> None:
    taken = session.scalar(
        select(Review.id).where(
            Review.program_id == program_id, func.lower(Review.name) == name.lower()
        )
    )
    if taken is not None and taken != except_id:
        raise Conflict(
            f"this program already has a review named {name!r}", details={"field": "name"}
        )


def _attendees(session: Session, people: Sequence[AttendeeIn]) -> list[ReviewAttendee]:
    out = []
    for position, person in enumerate(people):
        email = person.email.strip().lower()
        user = session.scalar(select(User).where(User.email == email)) if email else None
        name = person.name.strip() or (user.name if user and user.name else email)
        if not name:
            raise field_error(f"attendees.{position}", "an attendee needs a name or an email")
        out.append(
            ReviewAttendee(
                position=position,
                name=name,
                email=email,
                role=person.role.strip(),
                user_id=user.id if user else None,
            )
        )
    return out


def create_review(
    session: Session,
    actor: Actor,
    *,
    program_id: int,
    name: str,
    frequency: ReviewFrequency,
    first_date: date,
    until_date: date | None = None,
    purpose: str = "",
    time_of_day: str = "",
    duration_minutes: int = 60,
    location: str = "",
    sections: Sequence[str] = (),
    attendees: Sequence[AttendeeIn] = (),
) -> Review:
    """A new review on a cadence (managers and above)."""
    from podium.services.governance.agenda import SECTIONS

    require_role(session, actor, program_id, Role.MANAGER)
    refuse_on_scenario_copy(session, program_id, "reviews")
    _check_name_free(session, program_id, name)
    values = {"first_date": first_date, "frequency": frequency, "until_date": until_date}
    _check_cadence(values)
    review = Review(
        program_id=program_id,
        name=name,
        purpose=purpose,
        frequency=frequency,
        first_date=first_date,
        until_date=until_date,
        time_of_day=time_of_day,
        duration_minutes=duration_minutes,
        location=location,
        sections=list(sections) or list(SECTIONS),
        attendees=_attendees(session, attendees),
    )
    session.add(review)
    flush(session)
    audit_created(
        session, actor, review, program_id=program_id, fields=REVIEW_FIELDS, label=review.name
    )
    return review


def update_review(
    session: Session,
    actor: Actor,
    review_id: int,
    updates: Mapping[str, Any],
    *,
    attendees: Sequence[AttendeeIn] | None = None,
    expected_version: int | None = None,
) -> Review:
    """Change a review's cadence, details or attendees (managers and above).

    ``attendees``, when given, replaces the list.
    """
    review = get_review(session, actor, review_id, needed=Role.MANAGER)
    check_version(review, expected_version)
    if "name" in updates and updates["name"] != review.name:
        _check_name_free(session, review.program_id, updates["name"], except_id=review.id)
    merged = {f: updates.get(f, getattr(review, f)) for f in ("first_date", "frequency")}
    merged["until_date"] = updates.get("until_date", review.until_date)
    _check_cadence(merged)
    cadence = Cadence(merged["first_date"], merged["frequency"].value, merged["until_date"])
    kept = [d for d in review.skipped_dates or () if is_scheduled(cadence, date.fromisoformat(d))]
    if kept != list(review.skipped_dates or ()):  # a date called off that no longer falls
        review.skipped_dates = kept
    apply_update(
        session,
        actor,
        review,
        updates,
        program_id=review.program_id,
        expected_version=expected_version,
    )
    if attendees is not None:
        before = [a.name for a in review.attendees]
        review.attendees = _attendees(session, attendees)
        after = [a.name for a in review.attendees]
        if before != after:
            _changed(session, actor, review, "attendees", before, after)
    flush(session)
    return review


def _changed(
    session: Session, actor: Actor, review: Review, field: str, before: list[str], after: list[str]
) -> None:
    """A list kept beside the review's own columns changed: audited, and the review's
    version grows (the review row changes), so If-Match sees it."""
    review.updated_at = utcnow()
    record_change(
        session,
        actor,
        program_id=review.program_id,
        entity_type=entity_type_of(review),
        entity_id=review.id,
        action="update",
        changes={field: [before, after]},
        label=review.name,
    )


def delete_review(
    session: Session, actor: Actor, review_id: int, *, expected_version: int | None = None
) -> None:
    """Remove a review with its occurrences and proposed items (managers and above)."""
    review = get_review(session, actor, review_id, needed=Role.MANAGER)
    check_version(review, expected_version)
    audit_deleted(
        session,
        actor,
        review,
        program_id=review.program_id,
        fields=REVIEW_FIELDS,
        label=review.name,
    )
    session.delete(review)
    flush(session)


# --- when it meets ----------------------------------------------------------------------


def cadence_of(review: Review) -> Cadence:
    skipped = frozenset(date.fromisoformat(d) for d in review.skipped_dates or ())
    return Cadence(review.first_date, review.frequency.value, review.until_date, skipped)


def skip_date(
    session: Session,
    actor: Actor,
    review_id: int,
    day: date,
    *,
    skip: bool = True,
    expected_version: int | None = None,
) -> Review:
    """Call off the review's meeting of ``day`` (a date of its cadence), or with
    ``skip=False`` put it back (managers and above). A date a meeting was recorded for
    cannot be called off; asking for what already is so changes nothing."""
    review = get_review(session, actor, review_id, needed=Role.MANAGER)
    check_version(review, expected_version)
    before = list(review.skipped_dates or ())
    if skip:
        cadence = Cadence(review.first_date, review.frequency.value, review.until_date)
        if not is_scheduled(cadence, day):
            near = [
                d.isoformat()
                for d in (previous_occurrence(cadence, day), next_occurrence(cadence, day))
                if d is not None
            ]
            hint = f" (the nearest: {' and '.join(near)})" if near else ""
            raise field_error("date", f"{day.isoformat()} is not a date {review.name} meets{hint}")
        held = session.scalar(
            select(ReviewOccurrence.id).where(
                ReviewOccurrence.review_id == review.id, ReviewOccurrence.held_on == day
            )
        )
        if held is not None:
            raise Conflict(
                f"a meeting of {review.name} was recorded on {day.isoformat()}: delete it "
                "before calling that date off",
                details={"field": "date", "occurrence_id": held},
            )
        after = sorted({*before, day.isoformat()})
    else:
        after = [d for d in before if d != day.isoformat()]
    if after != before:
        review.skipped_dates = after
        _changed(session, actor, review, "skipped_dates", before, after)
    flush(session)
    return review


def last_occurrence(session: Session, review_id: int) -> ReviewOccurrence | None:
    """The most recent occurrence held."""
    return session.scalar(
        select(ReviewOccurrence)
        .where(ReviewOccurrence.review_id == review_id)
        .order_by(ReviewOccurrence.held_on.desc(), ReviewOccurrence.id.desc())
        .limit(1)
    )


def next_date(session: Session, review: Review, *, on_or_after: date | None = None) -> date | None:
    """The next date the review meets: on or after today, and after its last occurrence held.

    ``None`` once its cadence has ended.
    """
    day = on_or_after or today()
    last = last_occurrence(session, review.id)
    if last is not None:
        day = max(day, shifted(last.held_on, 1))
    return next_occurrence(cadence_of(review), day)


def date_to_record(session: Session, review: Review) -> date:
    """The day a meeting recorded now was most likely held: the latest cadence date on or
    before today with no meeting recorded yet (minutes are often written the day after, or
    a week late), else today — never a later day, which would be refused."""
    now = today()
    latest = previous_occurrence(cadence_of(review), shifted(now, 1))
    last = last_occurrence(session, review.id)
    if latest is not None and (last is None or latest > last.held_on):
        return latest
    return now


def previous_date(review: Review, before: date) -> date | None:
    """The cadence date before ``before`` (whether or not a meeting was recorded for it)."""
    return previous_occurrence(cadence_of(review), before)


# --- occurrences ------------------------------------------------------------------------


def list_occurrences(session: Session, actor: Actor, review_id: int) -> list[ReviewOccurrence]:
    """The occurrences held, newest first."""
    review = get_review(session, actor, review_id)
    return list(
        session.scalars(
            select(ReviewOccurrence)
            .where(ReviewOccurrence.review_id == review.id)
            .order_by(ReviewOccurrence.held_on.desc(), ReviewOccurrence.id.desc())
        )
    )


def get_occurrence(
    session: Session, actor: Actor, occurrence_id: int, *, needed: Role = Role.VIEWER
) -> ReviewOccurrence:
    """One occurrence of a review the actor may act on."""
    return load_in_program(
        session, actor, ReviewOccurrence, occurrence_id, needed=needed, noun="review occurrence"
    )


def _check_in_window(review: Review, held_on: date) -> None:
    """A meeting of the review is held between its first date and its end, if it has one."""
    span = f"from {review.first_date.isoformat()}" + (
        f" to {review.until_date.isoformat()}" if review.until_date else ""
    )
    if held_on < review.first_date:
        raise field_error(
            "held_on",
            f"{held_on.isoformat()} is before {review.name} started: it meets {span}",
        )
    if review.until_date is not None and held_on > review.until_date:
        raise field_error(
            "held_on",
            f"{held_on.isoformat()} is after {review.name} ended: it met {span}",
        )


def record_occurrence(
    session: Session,
    actor: Actor,
    review_id: int,
    *,
    held_on: date | None = None,
    attendees_present: Sequence[str] = (),
    notes: str = "",
) -> ReviewOccurrence:
    """Record that the review met (managers): its agenda is built now and kept with it, and
    the items proposed for it join it."""
    from podium.services.governance.agenda import build_agenda

    review = get_review(session, actor, review_id, needed=Role.MANAGER)
    held_on = held_on or date_to_record(session, review)  # as the page proposes
    check_plan_date("held_on", held_on)  # the dates Podium keeps, before the review's own
    if held_on > today():
        # a meeting is recorded once held: a future date would also block every real one
        raise field_error(
            "held_on",
            f"{held_on.isoformat()} is in the future: record a meeting once it has been held",
        )
    _check_in_window(review, held_on)
    taken = session.scalar(
        select(ReviewOccurrence.id).where(
            ReviewOccurrence.review_id == review.id, ReviewOccurrence.held_on == held_on
        )
    )
    if taken is not None:
        raise Conflict(
            f"{review.name} already has an occurrence on {held_on.isoformat()}",
            details={"field": "held_on", "occurrence_id": taken},
        )
    previous = last_occurrence(session, review.id)
    if previous is not None and previous.held_on > held_on:
        raise field_error(
            "held_on",
            f"the last occurrence was held on {previous.held_on.isoformat()}; "
            "occurrences are recorded in order",
        )
    agenda = build_agenda(session, actor, review, occurrence_date=held_on)
    occurrence = ReviewOccurrence(
        review_id=review.id,
        program_id=review.program_id,
        held_on=held_on,
        since=previous.created_at if previous else None,
        attendees_present=[a.strip() for a in attendees_present if a.strip()],
        notes=notes,
        agenda=agenda,
        recorded_by=actor.email,
    )
    session.add(occurrence)
    if held_on.isoformat() in (review.skipped_dates or ()):  # it met after all
        review.skipped_dates = [d for d in review.skipped_dates if d != held_on.isoformat()]
    flush(session)
    for item in open_items(session, review.id):
        item.occurrence_id = occurrence.id
    audit_created(
        session,
        actor,
        occurrence,
        program_id=review.program_id,
        fields=OCCURRENCE_FIELDS,
        label=f"{review.name} on {held_on.isoformat()}",
    )
    flush(session)
    return occurrence


def update_occurrence(
    session: Session,
    actor: Actor,
    occurrence_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> ReviewOccurrence:
    """Change an occurrence's minutes or who was present (managers)."""
    occurrence = get_occurrence(session, actor, occurrence_id, needed=Role.MANAGER)
    if "attendees_present" in updates:  # a blank name is no one: dropped, as when recorded
        present = [a.strip() for a in updates["attendees_present"] if a.strip()]
        updates = {**updates, "attendees_present": present}
    apply_update(
        session,
        actor,
        occurrence,
        updates,
        program_id=occurrence.program_id,
        expected_version=expected_version,
        label=f"review occurrence on {occurrence.held_on.isoformat()}",
    )
    return occurrence


def delete_occurrence(
    session: Session, actor: Actor, occurrence_id: int, *, expected_version: int | None = None
) -> None:
    """Remove an occurrence recorded by mistake (managers).

    The topics it took return to the next agenda; decisions logged in it stay in the
    log, no longer tied to a meeting.
    """
    occurrence = get_occurrence(session, actor, occurrence_id, needed=Role.MANAGER)
    check_version(occurrence, expected_version)
    review = session.get(Review, occurrence.review_id)
    assert review is not None
    for item in session.scalars(
        select(AgendaItem).where(AgendaItem.occurrence_id == occurrence.id)
    ):
        item.occurrence_id = None
    for decision in session.scalars(
        select(Decision).where(Decision.occurrence_id == occurrence.id)
    ):
        decision.occurrence_id = None
        record_change(
            session,
            actor,
            program_id=decision.program_id,
            entity_type=entity_type_of(decision),
            entity_id=decision.id,
            action="update",
            changes={"occurrence_id": [occurrence.id, None]},
            label=f"D-{decision.number} {decision.title}",
        )
    audit_deleted(
        session,
        actor,
        occurrence,
        program_id=occurrence.program_id,
        fields=OCCURRENCE_FIELDS,
        label=f"{review.name} on {occurrence.held_on.isoformat()}",
    )
    session.delete(occurrence)
    flush(session)


# --- proposed agenda items ------------------------------------------------------------


def open_items(session: Session, review_id: int) -> list[AgendaItem]:
    """Items proposed for the next occurrence, oldest first."""
    return list(
        session.scalars(
            select(AgendaItem)
            .where(AgendaItem.review_id == review_id, AgendaItem.occurrence_id.is_(None))
            .order_by(AgendaItem.created_at, AgendaItem.id)
        )
    )


def propose_item(
    session: Session, actor: Actor, review_id: int, *, title: str, notes: str = ""
) -> AgendaItem:
    """Propose a topic for the review's next occurrence (members and above)."""
    review = get_review(session, actor, review_id, needed=Role.MEMBER)
    item = AgendaItem(
        review_id=review.id,
        title=title,
        notes=notes,
        proposed_by=actor.email,
        proposed_by_user_id=actor.user_id,
    )
    session.add(item)
    flush(session)
    audit_created(
        session, actor, item, program_id=review.program_id, fields=ITEM_FIELDS, label=title
    )
    return item


def withdraw_item(session: Session, actor: Actor, review_id: int, item_id: int) -> None:
    """Take a proposed item off the agenda (whoever proposed it, or a manager)."""
    review = get_review(session, actor, review_id, needed=Role.MEMBER)
    item = session.get(AgendaItem, item_id) if 0 < item_id <= 2**31 - 1 else None
    if item is None or item.review_id != review.id:
        raise NotFound(f"agenda item {item_id} not found in this review")
    role = require_role(session, actor, review.program_id, Role.MEMBER)
    if role.rank < Role.MANAGER.rank and item.proposed_by_user_id != actor.user_id:
        raise Forbidden(
            "only whoever proposed an item, or a manager, can take it off the agenda",
            details={"role": role.value, "required": Role.MANAGER.value},
        )
    if item.occurrence_id is not None:
        raise Conflict("this item was already discussed; it stays in that occurrence's record")
    audit_deleted(
        session, actor, item, program_id=review.program_id, fields=ITEM_FIELDS, label=item.title
    )
    session.delete(item)
    flush(session)
