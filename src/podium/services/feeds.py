"""Calendar feeds: secret, revocable iCalendar URLs of a program's dates or a person's tasks."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine import WorkCalendar
from podium.engine.governance import occurrences_between
from podium.errors import BadRequest, NotFound
from podium.interop.ical import FeedEvent, build_calendar, uid
from podium.models import (
    Assignment,
    CalendarFeed,
    Membership,
    Milestone,
    Program,
    Resource,
    Review,
    Role,
    Task,
    User,
    utcnow,
)
from podium.services.actor import Actor, refuse_scenario_copy, require_role, role_in
from podium.services.audit import record_change
from podium.services.common import flush
from podium.services.pages_schedule import milestone_rows
from podium.services.work_calendars import calendars_by_id

FEED_PREFIX = "podcal_"
MAX_REVIEWS_PER_CADENCE = 60  # review meetings are at most weekly: 53 in a year


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def feed_path(secret: str) -> str:
    """Where the feed is served (the secret is the only credential)."""
    return f"/feeds/{secret}.ics"


def _new_feed(
    session: Session, actor: Actor, *, program_id: int | None, user_id: int | None
) -> tuple[CalendarFeed, str]:
    secret = FEED_PREFIX + secrets.token_urlsafe(32)
    feed = CalendarFeed(
        token_hash=_sha256(secret),
        prefix=secret[:12],
        program_id=program_id,
        user_id=user_id,
        created_by_user_id=actor.user_id,
    )
    session.add(feed)
    flush(session)
    kind = "personal" if user_id is not None else "program"
    record_change(
        session,
        actor,
        program_id=program_id,
        entity_type="feed",
        entity_id=feed.id,
        action="create",
        changes={"kind": [None, kind]},
        label=_feed_label(session, feed),
    )
    return feed, secret


def _feed_label(session: Session, feed: CalendarFeed) -> str:
    """How the audit log names a feed: whose dates, for whom (never its secret)."""
    maker = session.get(User, feed.created_by_user_id) if feed.created_by_user_id else None
    who = maker.email if maker is not None else "system"
    if feed.program_id is None:
        return f"tasks of {who}"
    program = session.get(Program, feed.program_id)
    return f"dates of {program.key if program else feed.program_id} for {who}"


def _record_revoked(session: Session, actor: Actor, feed: CalendarFeed) -> None:
    assert feed.revoked_at is not None
    record_change(
        session,
        actor,
        program_id=feed.program_id,
        entity_type="feed",
        entity_id=feed.id,
        action="update",
        changes={"revoked_at": [None, feed.revoked_at.isoformat()]},
        label=_feed_label(session, feed),
    )


def create_program_feed(
    session: Session, actor: Actor, program_id: int
) -> tuple[CalendarFeed, str]:
    """A feed of a program's milestones, deadlines and reviews, and its secret (shown once)."""
    require_role(session, actor, program_id, Role.VIEWER)
    refuse_scenario_copy(session.get(Program, program_id), "subscribe to the live program")
    return _new_feed(session, actor, program_id=program_id, user_id=None)


def create_personal_feed(session: Session, actor: Actor) -> tuple[CalendarFeed, str]:
    """A feed of the actor's own assigned tasks, and its secret (shown once)."""
    if actor.user_id is None:
        raise BadRequest("a personal feed belongs to a signed-in user")
    return _new_feed(session, actor, program_id=None, user_id=actor.user_id)


def list_feeds(session: Session, actor: Actor) -> list[CalendarFeed]:
    """The feeds the actor created, newest first, revoked ones too (:func:`is_live` says
    which are served)."""
    return list(
        session.scalars(
            select(CalendarFeed)
            .where(CalendarFeed.created_by_user_id == actor.user_id)
            .order_by(CalendarFeed.id.desc())
        )
    )


def revoke_feed(session: Session, actor: Actor, feed_id: int) -> CalendarFeed:
    """Revoke a feed: its URL answers 404 from now on."""
    feed = session.get(CalendarFeed, feed_id)
    if feed is None or (not actor.is_admin and feed.created_by_user_id != actor.user_id):
        raise NotFound(f"feed {feed_id} not found")
    if feed.revoked_at is None:
        feed.revoked_at = utcnow()
        _record_revoked(session, actor, feed)
        flush(session)
    return feed


def revoke_feeds_of(
    session: Session, user_id: int, *, program_id: int | None = None, actor: Actor | None = None
) -> int:
    """Revoke the feeds a person made that are still live: those of one program when they
    are taken out of it, all of them when their account is deactivated. A feed is only
    as good as its maker's access, and one that stopped when they lost it stays stopped
    if they come back (they make a new one). How many were revoked; each is audited as
    revoked by ``actor`` (``None``: the caller's own entry says so)."""
    query = select(CalendarFeed).where(
        CalendarFeed.created_by_user_id == user_id, CalendarFeed.revoked_at.is_(None)
    )
    if program_id is not None:
        query = query.where(CalendarFeed.program_id == program_id)
    found = list(session.scalars(query))
    now = utcnow()
    for feed in found:
        feed.revoked_at = now
        if actor is not None:
            _record_revoked(session, actor, feed)
    flush(session)
    return len(found)


def is_live(session: Session, feed: CalendarFeed) -> bool:
    """Whether the feed is served: not revoked, its maker's account active and, for a
    program's feed, its maker still in the program."""
    if feed.revoked_at is not None:
        return False
    creator = session.get(User, feed.created_by_user_id) if feed.created_by_user_id else None
    if creator is None or not creator.is_active:
        return False
    return (
        feed.program_id is None or role_in(session, Actor.of(creator), feed.program_id) is not None
    )


def feed_for_secret(session: Session, secret: str) -> CalendarFeed:
    """The live feed behind a secret; revoked, unknown, or no longer visible → not found."""
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _sha256(secret)))
    if feed is None or not is_live(session, feed):
        raise NotFound("feed not found")
    return feed


def _working_days(n: int) -> str:
    return f"{n} working day{'' if n == 1 else 's'}"


def _revised_at(record: Milestone | Task) -> datetime:
    """When the event of a scheduled record last changed: its last edit or the
    scheduler's last move of its dates, whichever came later (its SEQUENCE counts both)."""
    moved = record.dates_moved_at
    return record.updated_at if moved is None else max(record.updated_at, moved)


def _milestone_events(session: Session, program: Program) -> list[FeedEvent]:
    # the slip as the milestone list counts it: working days of the program's calendar
    calendar = calendars_by_id(session, [program.calendar_id]).get(
        program.calendar_id or 0, WorkCalendar()
    )
    rows = milestone_rows(session, [program.id], {program.id: calendar})[program.id]
    slips = {row.id: row.slip for row in rows}
    unfed = {row.id for row in rows if not row.fed}
    events = []
    for milestone in session.scalars(
        select(Milestone).where(Milestone.program_id == program.id).order_by(Milestone.id)
    ):
        forecast = milestone.early_finish or milestone.early_start
        if milestone.id in unfed:
            # no work leads to it: its stored date is the program's start, not a forecast;
            # it stands on its target, if it has one, saying so
            forecast = milestone.target_date
            lines = ["No forecast yet: no work leads to it (shown on its target)"]
        else:
            lines = [f"Forecast: {forecast.isoformat()}"] if forecast else []
        if forecast is None:
            continue
        if milestone.target_date is not None:
            lines.append(f"Target: {milestone.target_date.isoformat()}")
            slip = slips.get(milestone.id)
            if milestone.id not in unfed and slip is not None and slip > 0:
                lines.append(f"{_working_days(slip)} past target")
        if milestone.description:
            lines.append(milestone.description)
        events.append(
            FeedEvent(
                uid=uid("milestone", milestone.id),
                summary=f"◆ {milestone.name}",
                start=forecast,
                description="\n".join(lines),
                categories=("milestone", program.key),
                sequence=milestone.version - 1 + milestone.dates_revision,
                modified=_revised_at(milestone),
            )
        )
    return events


def _deadline_events(session: Session, program: Program) -> list[FeedEvent]:
    tasks = session.scalars(
        select(Task)
        .where(Task.program_id == program.id, Task.deadline.is_not(None))
        .order_by(Task.id)
    )
    events = []
    for task in tasks:
        assert task.deadline is not None
        forecast = task.early_finish.isoformat() if task.early_finish else "not scheduled"
        events.append(
            FeedEvent(
                uid=uid("deadline", task.id),
                summary=f"Deadline: {task.key} {task.name}",
                start=task.deadline,
                description=f"Forecast finish: {forecast}",
                categories=("deadline", program.key),
                sequence=task.version - 1 + task.dates_revision,
                modified=_revised_at(task),
            )
        )
    return events


def _review_time(review: Review, on: date) -> datetime | None:
    try:
        hours, minutes = (int(part) for part in review.time_of_day.split(":"))
        return datetime.combine(on, time(hours, minutes))  # floating local time (RFC 5545)
    except ValueError:
        return None


def a_year_after(day: date) -> date:
    """The same date a year on (a 29 February: the 28th)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def _review_events(session: Session, program: Program, today: date) -> list[FeedEvent]:
    """Each review meeting from today to the same date next year (one called off is left
    out: a subscribed calendar drops it)."""
    from podium.services.governance.reviews import cadence_of

    events = []
    for review in session.scalars(
        select(Review).where(Review.program_id == program.id).order_by(Review.id)
    ):
        dates = occurrences_between(cadence_of(review), today, a_year_after(today))
        for held_on in dates[:MAX_REVIEWS_PER_CADENCE]:
            events.append(
                FeedEvent(
                    uid=uid(f"review-{review.id}", held_on.strftime("%Y%m%d")),
                    summary=review.name,
                    start=held_on,
                    start_at=_review_time(review, held_on),
                    minutes=review.duration_minutes,
                    description=review.purpose,
                    location=review.location,
                    categories=("review", program.key),
                    sequence=review.version - 1,
                    modified=review.updated_at,
                )
            )
    return events


def _personal_events(session: Session, user_id: int) -> list[FeedEvent]:
    query = (
        select(Task, Program.key, Program.name)
        .join(Assignment, Assignment.task_id == Task.id)
        .join(Resource, Resource.id == Assignment.resource_id)
        .join(Program, Program.id == Task.program_id)
        .where(
            Resource.user_id == user_id,
            Program.scenario_of_id.is_(None),
            Task.early_start.is_not(None),
        )
        .order_by(Task.id)
        .distinct()
    )
    user = session.get(User, user_id)
    if user is None or not user.is_admin:  # as on My work: the programs they are in
        query = query.where(
            Task.program_id.in_(select(Membership.program_id).where(Membership.user_id == user_id))
        )
    rows = session.execute(query)
    events = []
    for task, key, program_name in rows:
        assert task.early_start is not None
        events.append(
            FeedEvent(
                uid=uid("task", task.id),
                summary=f"{task.key} {task.name}",
                start=task.early_start,
                last_day=task.early_finish or task.early_start,
                description=f"{program_name}; {task.percent_complete:g}% complete",
                categories=("task", key),
                sequence=task.version - 1 + task.dates_revision,
                modified=_revised_at(task),
            )
        )
    return events


def render_feed(session: Session, feed: CalendarFeed, *, today: date | None = None) -> bytes:
    """The feed's iCalendar document as of now."""
    now = utcnow()
    today = today or now.date()
    if feed.program_id is not None:
        program = session.get(Program, feed.program_id)
        if program is None:
            raise NotFound("feed not found")
        events = (
            _milestone_events(session, program)
            + _deadline_events(session, program)
            + _review_events(session, program, today)
        )
        return build_calendar(f"{program.name} ({program.key})", events, generated_at=now)
    assert feed.user_id is not None
    user = session.get(User, feed.user_id)
    name = f"Podium: tasks of {user.name or user.email}" if user else "Podium: my tasks"
    return build_calendar(name, _personal_events(session, feed.user_id), generated_at=now)
