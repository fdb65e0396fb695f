"""Calendar feeds, as reviewed: UIDs that survive a renamed program, review meetings a
year ahead, slips in working days, and feeds that stay revoked once their maker loses
access to the program."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
import pytest
from sqlalchemy.orm import Session

from podium.errors import NotFound
from podium.models import (
    CalendarFeed,
    Dependency,
    Milestone,
    Program,
    Review,
    ReviewFrequency,
    Role,
    User,
)
from podium.services import feeds, programs, users
from podium.services.actor import SYSTEM, Actor
from tests.factories import (
    add_member,
    make_milestone,
    make_program,
    make_project,
    make_task,
    make_user,
)

pytestmark = pytest.mark.db

TODAY = date(2027, 3, 1)  # a Monday


def _events(db: Session, feed: CalendarFeed) -> dict[str, icalendar.Event]:
    document = feeds.render_feed(db, feed, today=TODAY)
    calendar = icalendar.Calendar.from_ical(document)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def owner(db: Session) -> User:
    return make_user(db, email="owner@example.com")


@pytest.fixture
def program(db: Session, owner: User) -> Program:
    return make_program(db, owner=owner, key="CLOUD")


def _late_milestone(db: Session, program: Program) -> Milestone:
    """M1, fed by a task, forecast on Wednesday 10 March for a target of Friday 5 March:
    five calendar days late, three working days (Monday to Wednesday)."""
    task = make_task(db, make_project(db, program, "PLAT"), "PLAT-1")
    milestone = make_milestone(db, program, "M1")
    milestone.target_date = date(2027, 3, 5)
    milestone.early_start = milestone.early_finish = date(2027, 3, 10)
    db.add(
        Dependency(
            program_id=program.id, predecessor_task_id=task.id, successor_milestone_id=milestone.id
        )
    )
    db.commit()
    return milestone


def test_a_late_milestone_says_how_many_working_days_past_its_target(
    db: Session, program: Program, owner: User
) -> None:
    milestone = _late_milestone(db, program)
    feed, _secret = feeds.create_program_feed(db, Actor.of(owner), program.id)
    event = _events(db, feed)[f"milestone-{milestone.id}@podium"]
    lines = str(event["description"]).splitlines()
    assert lines[:3] == ["Forecast: 2027-03-10", "Target: 2027-03-05", "3 working days past target"]


def test_event_uids_stay_the_same_when_the_program_key_is_renamed(
    db: Session, program: Program, owner: User
) -> None:
    milestone = _late_milestone(db, program)
    db.add(
        Review(
            program_id=program.id,
            name="Steering",
            frequency=ReviewFrequency.MONTHLY,
            first_date=TODAY,
        )
    )
    db.commit()
    feed, _secret = feeds.create_program_feed(db, Actor.of(owner), program.id)
    before = set(_events(db, feed))
    assert f"milestone-{milestone.id}@podium" in before
    assert all(uid.endswith("@podium") and "cloud" not in uid for uid in before)
    programs.update_program(db, Actor.of(owner), program.id, {"key": "CLOUDX"})
    db.commit()
    assert set(_events(db, feed)) == before


def test_weekly_reviews_are_in_the_feed_for_a_year_not_half_of_one(
    db: Session, program: Program, owner: User
) -> None:
    db.add(
        Review(
            program_id=program.id,
            name="Weekly sync",
            frequency=ReviewFrequency.WEEKLY,
            first_date=TODAY - timedelta(days=70),
        )
    )
    db.commit()
    feed, _secret = feeds.create_program_feed(db, Actor.of(owner), program.id)
    held = sorted(e.decoded("dtstart") for e in _events(db, feed).values())
    assert held[0] == TODAY and held[-1] == date(2028, 2, 28)  # the last Monday in the year
    assert len(held) == 53 <= feeds.MAX_REVIEWS_PER_CADENCE
    assert feeds.a_year_after(date(2028, 2, 29)) == date(2029, 2, 28)


def test_a_feed_is_revoked_when_its_maker_leaves_the_program_and_stays_revoked(
    db: Session, program: Program, owner: User
) -> None:
    viewer = make_user(db, email="viewer@example.com")
    add_member(db, program, viewer, Role.VIEWER)
    other = make_program(db, owner=owner, key="OTHER")
    add_member(db, other, viewer, Role.VIEWER)
    mine, secret = feeds.create_program_feed(db, Actor.of(viewer), program.id)
    elsewhere, _ = feeds.create_program_feed(db, Actor.of(viewer), other.id)
    personal, _ = feeds.create_personal_feed(db, Actor.of(viewer))
    owners, _ = feeds.create_program_feed(db, Actor.of(owner), program.id)
    db.commit()
    assert feeds.is_live(db, mine)

    programs.remove_member(db, SYSTEM, program.id, viewer.id)  # revokes their feeds of it
    db.commit()
    add_member(db, program, viewer, Role.VIEWER)  # back in the program
    assert mine.revoked_at is not None and not feeds.is_live(db, mine)
    with pytest.raises(NotFound):
        feeds.feed_for_secret(db, secret)
    # their feeds of other programs, their personal feed and other people's feeds stay
    assert all(feeds.is_live(db, f) for f in (elsewhere, personal, owners))
    assert feeds.revoke_feeds_of(db, viewer.id, program_id=program.id) == 0


def test_all_of_a_persons_feeds_are_revoked_when_their_account_is_deactivated(
    db: Session, program: Program, owner: User
) -> None:
    viewer = make_user(db, email="viewer@example.com")
    add_member(db, program, viewer, Role.VIEWER)
    made = [
        feeds.create_program_feed(db, Actor.of(viewer), program.id)[0],
        feeds.create_personal_feed(db, Actor.of(viewer))[0],
    ]
    owners, _ = feeds.create_program_feed(db, Actor.of(owner), program.id)
    db.commit()
    users.update_user(db, SYSTEM, viewer.id, {"is_active": False}, expected_version=None)
    db.commit()
    assert all(f.revoked_at is not None for f in made) and feeds.is_live(db, owners)
    assert feeds.revoke_feeds_of(db, viewer.id) == 0


def test_all_of_a_persons_feeds_are_revoked_when_an_admin_resets_their_password(
    db: Session, program: Program, owner: User
) -> None:
    viewer = make_user(db, email="viewer@example.com")
    add_member(db, program, viewer, Role.VIEWER)
    made = [
        feeds.create_program_feed(db, Actor.of(viewer), program.id),
        feeds.create_personal_feed(db, Actor.of(viewer)),
    ]
    owners, _ = feeds.create_program_feed(db, Actor.of(owner), program.id)
    db.commit()
    admin = make_user(db, email="admin@example.com", is_admin=True)
    users.reset_password(db, Actor.of(admin), viewer.id, "a-new-password")
    db.commit()
    for feed, secret in made:
        assert feed.revoked_at is not None
        with pytest.raises(NotFound):
            feeds.feed_for_secret(db, secret)
    assert feeds.is_live(db, owners)
