"""`podium review add|set|delete|meeting-…|topic-…` and `podium decision add|set|delete`
on a real database (SQLite and PostgreSQL).

CLOUD has a biweekly "Steering committee" whose first meeting was ten weeks ago
(so its weekday is today's), with two meetings recorded four and two weeks ago
and decision D-1 logged in the later one. Ana manages CLOUD, Sam and Tess are
members, Erin a viewer. Recording needs dates in the past, so dates count back
from today.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from annotated_types import Ge, Le, MaxLen
from pydantic import BaseModel
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from podium.api.governance import (
    TIME,
    AttendeeBody,
    DecisionCreate,
    OccurrenceCreate,
    ProposedItemCreate,
    ReviewCreate,
)
from podium.cli import governance_records as records_cli
from podium.models import ChangeRequest, Program, ReviewFrequency, Role
from podium.models.governance import (
    AgendaItem,
    Decision,
    Review,
    ReviewOccurrence,
)
from podium.services.actor import SYSTEM
from podium.services.common import today
from podium.services.governance import change_requests, decisions, reviews, stakeholders
from podium.services.governance.reviews import AttendeeIn
from tests.factories import (
    add_member,
    make_milestone,
    make_program,
    make_project,
    make_task,
    make_user,
)
from tests.integration.test_cli_programs import flat, podium

TODAY = today()
FIRST = TODAY - timedelta(weeks=10)
EARLIER, LATER = TODAY - timedelta(weeks=4), TODAY - timedelta(weeks=2)


def _governance(db: Session) -> Program:
    """CLOUD with its steering committee, two meetings, D-1, CR-1, DATA-1 and M1."""
    cloud = make_program(db, key="CLOUD")
    for email, name, role in (
        ("ana@example.com", "Ana Lima", Role.MANAGER),
        ("sam@example.com", "Sam Okoro", Role.MEMBER),
        ("tess@example.com", "Tess Hall", Role.MEMBER),
        ("erin@example.com", "Erin Walsh", Role.VIEWER),
    ):
        add_member(db, cloud, make_user(db, email=email, name=name), role)
    make_task(db, make_project(db, cloud, "DATA"), "DATA-1")
    make_milestone(db, cloud, "M1")
    steering = reviews.create_review(
        db, SYSTEM, program_id=cloud.id, name="Steering committee",
        frequency=ReviewFrequency.BIWEEKLY, first_date=FIRST,
        attendees=[AttendeeIn(email="ana@example.com", role="chair"),
                   AttendeeIn(name="Dana Reyes")],
    )  # fmt: skip
    for day in (EARLIER, LATER):
        reviews.record_occurrence(db, SYSTEM, steering.id, held_on=day, notes=f"held {day}")
    later = reviews.last_occurrence(db, steering.id)
    assert later is not None
    decisions.record_decision(
        db, SYSTEM, program_id=cloud.id, title="Pilot limited to three clients",
        decided_by="Steering committee", decided_on=LATER, occurrence_id=later.id,
    )  # fmt: skip
    change_requests.create_change_request(
        db, SYSTEM, program_id=cloud.id, title="Drop client 4", scope_change="one client less"
    )
    db.commit()
    return cloud


def review_named(engine: Engine, name: str) -> Review | None:
    with Session(engine) as session:
        found = session.scalar(select(Review).where(Review.name == name))
        if found is not None:
            _ = found.attendees  # loaded while the session is open
        return found


def meetings(engine: Engine) -> dict[date, ReviewOccurrence]:
    with Session(engine) as session:
        return {o.held_on: o for o in session.scalars(select(ReviewOccurrence))}


def decision(engine: Engine, number: int) -> Decision | None:
    with Session(engine) as session:
        return session.scalar(select(Decision).where(Decision.number == number))


def topics(engine: Engine) -> list[AgendaItem]:
    with Session(engine) as session:
        return list(session.scalars(select(AgendaItem).order_by(AgendaItem.id)))


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


# --- review add / set / delete ----------------------------------------------------------


def test_add_sets_up_a_review_with_its_cadence_attendees_and_sections(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _governance(db)
    first = TODAY + timedelta(days=3)
    code, out = podium(
        "review", "add", "CLOUD", "Risk board", "--frequency", "four-weekly",
        "--first", first.isoformat(), "--until", (first + timedelta(weeks=52)).isoformat(),
        "--time", "09:30", "--minutes", "45", "--location", "Room 4", "--purpose", "Top risks",
        "--section", "risks", "--section", "change-requests",
        "--attendee", "ANA@example.com, chair", "--attendee", "Priya Natarajan, security",
        "--as", "ana@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert f"Set up review Risk board in CLOUD: Every four weeks on {first:%A}, 09:30 (45 min)" in (
        flat(out)
    )
    assert f"Next meeting: {first}. Attendees: Ana Lima (chair), Priya Natarajan (security)." in (
        flat(out)
    )
    board = review_named(engine, "Risk board")
    assert board is not None
    assert (board.frequency, board.first_date, board.until_date) == (
        ReviewFrequency.FOUR_WEEKLY, first, first + timedelta(weeks=52)
    )  # fmt: skip
    assert (board.time_of_day, board.duration_minutes, board.location, board.purpose) == (
        "09:30", 45, "Room 4", "Top risks"
    )  # fmt: skip
    assert board.sections == ["risks", "change_requests"]
    ana, priya = board.attendees
    assert (ana.name, ana.email, ana.role, ana.user_id is not None) == (
        "Ana Lima", "ana@example.com", "chair", True
    )  # fmt: skip
    assert (priya.name, priya.email, priya.role, priya.user_id) == (
        "Priya Natarajan", "", "security", None
    )  # fmt: skip
    # left out: every section, an hour, no attendees
    code, out = podium("review", "add", "CLOUD", "Weekly check", "--frequency", "weekly",
                       "--first", first.isoformat())  # fmt: skip
    assert code == 0, out
    weekly = review_named(engine, "Weekly check")
    assert weekly is not None and weekly.duration_minutes == 60 and weekly.attendees == []
    assert len(weekly.sections) == 7


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ("--frequency", "daily"),
            "--frequency is one of weekly, biweekly, four-weekly, monthly, not 'daily'",
        ),
        (("--time", "25:00"), "--time is HH:MM (00:00 to 23:59), not '25:00'"),
        (("--minutes", "4"), "--minutes is between 5 and 1440"),
        (("--section", "gossip"), "--section is one of risks, milestones, conflicts"),
        (("--first", "soon"), "--first must be YYYY-MM-DD, not 'soon'"),
        (("--until", "2020-01-01"), "until_date"),
        (("--attendee", ", chair"), "--attendee name must not be blank"),
        (("--location", "x" * 301), "--location is at most 300 characters, not 301"),
        (("--as", "sam@example.com"), "manager or above"),
        (("--as", "nobody@example.com"), "no user with email nobody@example.com"),
    ],
)
def test_add_refuses_what_the_api_refuses_and_stores_nothing(
    cli_env: None, engine: Engine, db: Session, options: tuple[str, ...], message: str
) -> None:
    _governance(db)
    given = dict(zip(options[::2], options[1::2], strict=True))
    args = {"--frequency": "weekly", "--first": TODAY.isoformat()} | given
    code, out = podium(
        "review", "add", "CLOUD", "Risk board", *[x for kv in args.items() for x in kv]
    )
    assert code == 1
    assert message in flat(out)
    assert "Traceback" not in out
    assert count(engine, Review) == 1


def test_add_refuses_a_taken_name_a_blank_one_and_an_unknown_program(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _governance(db)
    day = TODAY.isoformat()
    for program, name, message in (
        ("CLOUD", "Steering committee", "already has a review named 'Steering committee'"),
        ("CLOUD", "  ", "NAME must not be blank"),
        ("NOPE", "Board", "no program with key or id 'NOPE'"),
    ):
        code, out = podium("review", "add", program, name, "--frequency", "weekly", "--first", day)
        assert code == 1 and message in flat(out), name
    assert count(engine, Review) == 1


def test_set_changes_only_what_is_given_and_says_what_changed(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _governance(db)
    until = TODAY + timedelta(weeks=20)
    code, out = podium(
        "review", "set", "CLOUD", "steering COMMITTEE", "--name", "Steering board",
        "--until", until.isoformat(), "--time", "14:00",
        "--attendee", "Maria Lopez, sponsor", "--as", "ana@example.com",
    )  # fmt: skip
    assert code == 0, out
    text = flat(out)
    assert "Updated review Steering board:" in text
    assert "name Steering committee → Steering board" in text
    assert f"until — → {until}" in text and "time — → 14:00" in text
    assert "attendees Ana Lima (chair), Dana Reyes → Maria Lopez (sponsor)" in text
    board = review_named(engine, "Steering board")
    assert board is not None
    assert (board.until_date, board.time_of_day, board.frequency) == (
        until, "14:00", ReviewFrequency.BIWEEKLY
    )  # fmt: skip
    assert [(a.name, a.role) for a in board.attendees] == [("Maria Lopez", "sponsor")]
    version = board.version
    code, out = podium("review", "set", "CLOUD", "Steering board", "--time", "14:00")
    assert code == 0 and "Nothing changed: review Steering board already has those" in flat(out)
    code, out = podium("review", "set", "CLOUD", "Steering board", "--no-until", "--no-attendees")
    assert code == 0 and f"until {until} → —" in flat(out)
    board = review_named(engine, "Steering board")
    assert board is not None and board.until_date is None and board.attendees == []
    assert board.version > version


def test_set_refuses_nothing_to_change_conflicting_options_and_bad_values(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _governance(db)
    for args, message in (
        ((), "nothing to change"),
        (("--until", "2030-01-01", "--no-until"), "give --until or --no-until, not both"),
        (("--attendee", "X", "--no-attendees"), "give --attendee or --no-attendees"),
        (("--frequency", "yearly"), "--frequency is one of"),
        (("--name", ""), "--name must not be blank"),
        (("--minutes", "2000"), "--minutes is between 5 and 1440"),
        (("--until", (FIRST - timedelta(days=1)).isoformat()), "until_date"),
        (("--time", "10:00", "--as", "sam@example.com"), "manager or above"),
    ):
        code, out = podium("review", "set", "CLOUD", "Steering committee", *args)
        assert code == 1 and message in flat(out), args
    code, out = podium("review", "set", "CLOUD", "Board", "--time", "10:00")
    assert code == 1 and "no review named 'Board' (reviews: Steering committee)" in flat(out)
    steering = review_named(engine, "Steering committee")
    assert steering is not None and steering.version == 1 and steering.time_of_day == ""


def test_delete_says_what_it_would_delete_and_deletes_only_with_yes(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _governance(db)
    code, out = podium("review", "topic-add", "CLOUD", "Steering committee", "Budget")
    assert code == 0, out
    code, out = podium("review", "delete", "CLOUD", "Steering committee")
    assert code == 1
    assert (
        "this would delete review Steering committee with its 2 meetings recorded and 1 "
        "proposed topic (1 decision logged in them stay in the log): run again with --yes"
    ) in flat(out)
    code, out = podium("review", "delete", "CLOUD", "Steering committee", "--yes",
                       "--as", "sam@example.com")  # fmt: skip
    assert code == 1 and "manager or above" in flat(out)
    assert review_named(engine, "Steering committee") is not None and len(meetings(engine)) == 2
    code, out = podium("review", "delete", "CLOUD", "steering committee", "--yes")
    assert code == 0, out
    assert "Deleted review Steering committee from CLOUD, with its 2 meetings" in flat(out)
    assert review_named(engine, "Steering committee") is None
    assert meetings(engine) == {} and topics(engine) == []
    kept = decision(engine, 1)
    assert kept is not None and kept.occurrence_id is None


# --- meetings ----------------------------------------------------------------------------


def test_meeting_set_corrects_the_minutes_and_who_came(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _governance(db)
    code, out = podium(
        "review", "meeting-set", "CLOUD", "Steering committee", "--held-on", EARLIER.isoformat(),
        "--notes", "Lease: colocation priced", "--present", "ANA@example.com",
        "--present", "A guest from finance", "--as", "ana@example.com",
    )  # fmt: skip
    assert code == 0, out
    text = flat(out)
    assert f"Updated the Steering committee meeting of {EARLIER}:" in text
    assert f"notes held {EARLIER} → Lease: colocation priced" in text
    assert "present — → Ana Lima, A guest from finance" in text
    held = meetings(engine)
    assert held[EARLIER].notes == "Lease: colocation priced"
    assert held[EARLIER].attendees_present == ["Ana Lima", "A guest from finance"]
    assert held[LATER].notes == f"held {LATER}"  # the other meeting is untouched
    code, out = podium("review", "meeting-set", "CLOUD", "Steering committee",
                       "--held-on", LATER.isoformat(), "--all-present")  # fmt: skip
    assert code == 0 and "present — → Ana Lima, Dana Reyes" in flat(out)
    assert meetings(engine)[LATER].attendees_present == ["Ana Lima", "Dana Reyes"]


def test_meeting_set_refuses_an_unknown_day_no_change_and_a_member(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _governance(db)
    held_on = ("--held-on", EARLIER.isoformat())
    missing = TODAY - timedelta(days=1)
    for args, message in (
        (("--held-on", missing.isoformat(), "--notes", "x"),
         f"has no meeting held on {missing} (held: {LATER}, {EARLIER})"),
        (held_on, "nothing to change: give --notes, --present or --all-present"),
        (("--held-on", "yesterday", "--notes", "x"), "--held-on must be YYYY-MM-DD"),
        ((*held_on, "--notes", "x", "--as", "sam@example.com"), "manager or above"),
        ((*held_on, "--present", "x" * 201), "--present is at most 200 characters"),
    ):  # fmt: skip
        code, out = podium("review", "meeting-set", "CLOUD", "Steering committee", *args)
        assert code == 1 and message in flat(out), args
    assert meetings(engine)[EARLIER].version == 1


def test_meeting_delete_returns_its_topics_and_keeps_its_decisions(
    cli_env: None, engine: Engine, db: Session
) -> None:
    cloud = _governance(db)
    steering = reviews.find_review(db, SYSTEM, cloud.id, "Steering committee")
    reviews.propose_item(db, SYSTEM, steering.id, title="Lease")
    db.commit()
    reviews.record_occurrence(db, SYSTEM, steering.id, held_on=TODAY)  # Lease joins it
    db.commit()
    assert topics(engine)[0].occurrence_id is not None
    code, out = podium("review", "meeting-delete", "CLOUD", "Steering committee",
                       "--held-on", LATER.isoformat())  # fmt: skip
    assert code == 1
    assert f"this would delete the Steering committee meeting of {LATER} (its kept agenda of" in (
        flat(out)
    )
    assert "1 decision logged in it stay in the log): run again with --yes" in flat(out)
    assert len(meetings(engine)) == 3
    code, out = podium("review", "meeting-delete", "CLOUD", "Steering committee",
                       "--held-on", TODAY.isoformat(), "--yes")  # fmt: skip
    assert code == 0, out
    assert f"Deleted the Steering committee meeting of {TODAY} from CLOUD" in flat(out)
    assert set(meetings(engine)) == {EARLIER, LATER}
    assert topics(engine)[0].occurrence_id is None  # back on the next agenda
    code, out = podium("review", "meeting-delete", "CLOUD", "Steering committee",
                       "--held-on", LATER.isoformat(), "--yes")  # fmt: skip
    assert code == 0, out
    assert set(meetings(engine)) == {EARLIER}
    kept = decision(engine, 1)
    assert kept is not None and kept.occurrence_id is None
    code, out = podium(
        "review", "meeting-delete", "CLOUD", "Steering committee", "--held-on",
        EARLIER.isoformat(), "--yes", "--as", "erin@example.com",
    )  # fmt: skip
    assert code == 1 and "manager or above" in flat(out)
    assert set(meetings(engine)) == {EARLIER}


# --- topics ------------------------------------------------------------------------------


def test_members_propose_topics_and_take_their_own_off(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _governance(db)
    code, out = podium("review", "topic-add", "CLOUD", "Steering committee", "Backup licence",
                       "--notes", "expires in March", "--as", "sam@example.com")  # fmt: skip
    assert code == 0, out
    item = topics(engine)[0]
    assert (item.title, item.notes, item.proposed_by, item.occurrence_id) == (
        "Backup licence", "expires in March", "sam@example.com", None
    )  # fmt: skip
    assert f"Proposed topic {item.id} for Steering committee's next meeting" in flat(out)
    code, out = podium("review", "topic-add", "CLOUD", "Steering committee", "Peek",
                       "--as", "erin@example.com")  # fmt: skip
    assert code == 1 and "member or above" in flat(out)
    code, out = podium("review", "topic-add", "CLOUD", "Steering committee", " ")
    assert code == 1 and "TOPIC must not be blank" in flat(out)
    code, out = podium("review", "topic-add", "CLOUD", "Steering committee", "x", "--notes",
                       "x" * 10_001)  # fmt: skip
    assert code == 1 and "--notes is at most 10000 characters, not 10001" in flat(out)
    code, out = podium("review", "topic-remove", "CLOUD", "Steering committee", "backup licence",
                       "--as", "tess@example.com")  # fmt: skip
    assert code == 1 and "only whoever proposed an item, or a manager" in flat(out)
    code, out = podium("review", "topic-remove", "CLOUD", "Steering committee", "Lease")
    assert code == 1
    assert f"no topic 'Lease' proposed for Steering committee (open: {item.id} 'Backup" in (
        flat(out)
    )
    assert len(topics(engine)) == 1
    code, out = podium("review", "topic-remove", "CLOUD", "Steering committee", str(item.id),
                       "--as", "sam@example.com")  # fmt: skip
    assert code == 0, out
    assert f"Took topic {item.id} (Backup licence) off Steering committee's agenda." in out
    assert topics(engine) == []


def test_a_topic_already_discussed_stays_with_its_meeting(
    cli_env: None, engine: Engine, db: Session
) -> None:
    cloud = _governance(db)
    steering = reviews.find_review(db, SYSTEM, cloud.id, "Steering committee")
    item = reviews.propose_item(db, SYSTEM, steering.id, title="Lease")
    db.commit()
    reviews.record_occurrence(db, SYSTEM, steering.id, held_on=TODAY)
    db.commit()
    code, out = podium("review", "topic-remove", "CLOUD", "Steering committee", str(item.id))
    assert code == 1 and "already discussed" in flat(out)
    code, out = podium("review", "topic-remove", "CLOUD", "Steering committee", "999")
    assert code == 1 and "agenda item 999 not found" in flat(out)
    assert len(topics(engine)) == 1


# --- decisions ---------------------------------------------------------------------------


def test_add_logs_a_decision_taken_in_a_meeting_about_records_of_the_program(
    cli_env: None, engine: Engine, db: Session
) -> None:
    cloud = _governance(db)
    dana = stakeholders.add_stakeholder(db, SYSTEM, program_id=cloud.id, name="Dana Reyes")
    db.commit()
    code, out = podium(
        "decision", "add", "CLOUD", "--title", "Add a landing-zone engineer",
        "--rationale", "Unblocks security", "--by", "Steering committee",
        "--review", "steering committee", "--link", "DATA-1", "--link", "M1", "--link", "cr-1",
        "--link", f"stakeholder:{dana.id}", "--as", "ana@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert (
        f"Logged D-2 Add a landing-zone engineer in CLOUD: decided by Steering committee on "
        f"{LATER}, in the Steering committee meeting of {LATER}; about DATA-1 Task DATA-1, "
        "M1 Milestone M1, CR-1 Drop client 4, Dana Reyes."
    ) in flat(out)
    logged = decision(engine, 2)
    assert logged is not None
    held = meetings(engine)
    assert (logged.title, logged.rationale, logged.decided_by, logged.decided_on) == (
        "Add a landing-zone engineer", "Unblocks security", "Steering committee", LATER
    )  # fmt: skip
    assert logged.occurrence_id == held[LATER].id and logged.recorded_by == "ana@example.com"
    assert [link["type"] for link in logged.links] == [
        "task", "milestone", "change_request", "stakeholder"
    ]  # fmt: skip
    code, out = podium("decision", "add", "CLOUD", "--title", "Extend the pilot",
                       "--review", "Steering committee", "--on", EARLIER.isoformat())  # fmt: skip
    assert code == 0, out
    older = decision(engine, 3)
    assert older is not None and older.occurrence_id == held[EARLIER].id
    assert older.decided_on == EARLIER and older.decided_by == "system"
    code, out = podium("decision", "add", "CLOUD", "--title", "Freeze the scope")
    assert code == 0 and f"decided by system on {TODAY}." in flat(out)
    # without --by, a person's decision is theirs by name, as the pages name people
    code, out = podium("decision", "add", "CLOUD", "--title", "Hire", "--as", "ana@example.com")
    assert code == 0 and f"decided by Ana Lima on {TODAY}." in flat(out)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--link", "NOPE"), "--link: no task, milestone, CR-n or risk 'NOPE' in CLOUD"),
        (("--link", "risk:999"), "links.0.id: no such risk in this program"),
        (("--link", "CR-9"), "no change request 'CR-9'"),
        (("--on", "2999-01-01"), "is in the future"),
        (("--on", "1999-01-01"), "decided_on: 1999-01-01 is before the program's start"),
        (("--review", "Board"), "no review named 'Board'"),
        (("--review", "Steering committee", "--on", TODAY.isoformat()), "has no meeting held"),
        (("--title", ""), "--title must not be blank"),
        (("--rationale", "x" * 20_001), "--rationale is at most 20000 characters"),
        (("--as", "sam@example.com"), "manager or above"),
    ],
)
def test_add_refuses_bad_input_and_logs_nothing(
    cli_env: None, engine: Engine, db: Session, options: tuple[str, ...], message: str
) -> None:
    _governance(db)
    code, out = podium("decision", "add", "CLOUD", "--title", "Hire", *options)
    assert code == 1
    assert message in flat(out)
    assert count(engine, Decision) == 1


def test_set_corrects_only_what_is_given(cli_env: None, engine: Engine, db: Session) -> None:
    _governance(db)
    code, out = podium(
        "decision", "set", "CLOUD", "d-1", "--title", "Pilot limited to four clients",
        "--no-review", "--link", "DATA-1", "--as", "ana@example.com",
    )  # fmt: skip
    assert code == 0, out
    text = flat(out)
    assert "Updated D-1 Pilot limited to four clients:" in text
    assert f"meeting Steering committee meeting of {LATER} → —" in text
    assert "about — → DATA-1 Task DATA-1" in text
    assert "title Pilot limited to three clients → Pilot limited to four clients" in text
    corrected = decision(engine, 1)
    assert corrected is not None and corrected.occurrence_id is None
    assert corrected.title == "Pilot limited to four clients" and corrected.version == 2
    assert [link["label"] for link in corrected.links] == ["DATA-1 Task DATA-1"]
    assert corrected.rationale == "" and corrected.decided_by == "Steering committee"
    code, out = podium("decision", "set", "CLOUD", "D-1", "--review", "Steering committee",
                       "--on", EARLIER.isoformat(), "--no-links")  # fmt: skip
    assert code == 0, out
    assert f"meeting — → Steering committee meeting of {EARLIER}" in flat(out)
    corrected = decision(engine, 1)
    assert corrected is not None and corrected.links == []
    assert corrected.occurrence_id == meetings(engine)[EARLIER].id
    assert corrected.decided_on == EARLIER
    code, out = podium("decision", "set", "CLOUD", "D-1", "--by", "Steering committee")
    assert code == 0 and "Nothing changed" in flat(out)


def test_set_refuses_an_unknown_key_conflicting_options_and_a_member(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _governance(db)
    for key, args, message in (
        ("D-9", ("--title", "x"), "no decision 'D-9' in CLOUD"),
        ("D-1", (), "nothing to change"),
        ("D-1", ("--by", " "), "--by must not be blank"),
        ("D-1", ("--review", "Steering committee", "--no-review"), "give --review or --no-review"),
        ("D-1", ("--link", "M1", "--no-links"), "give --link or --no-links, not both"),
        ("D-1", ("--title", "x", "--as", "sam@example.com"), "manager or above"),
    ):
        code, out = podium("decision", "set", "CLOUD", key, *args)
        assert code == 1 and message in flat(out), args
    unchanged = decision(engine, 1)
    assert unchanged is not None and unchanged.version == 1


def test_delete_removes_a_decision_only_with_yes(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _governance(db)
    code, out = podium("decision", "delete", "CLOUD", "D-1")
    assert code == 1
    assert (
        "this would delete D-1 Pilot limited to three clients from CLOUD's decision log: run "
        "again with --yes"
    ) in flat(out)
    code, out = podium("decision", "delete", "CLOUD", "D-1", "--yes", "--as", "sam@example.com")
    assert code == 1 and "manager or above" in flat(out)
    assert decision(engine, 1) is not None
    code, out = podium("decision", "delete", "CLOUD", "1", "--yes", "--as", "ana@example.com")
    assert code == 0, out
    assert "Deleted D-1 Pilot limited to three clients from CLOUD's decision log." in flat(out)
    assert decision(engine, 1) is None and count(engine, ChangeRequest) == 1


# --- the API's limits ----------------------------------------------------------------------


def _max_length(model: type[BaseModel], field: str) -> int:
    return next(m.max_length for m in model.model_fields[field].metadata if isinstance(m, MaxLen))


def test_the_limits_are_the_apis() -> None:
    assert {
        "--name": _max_length(ReviewCreate, "name"),
        "--purpose": _max_length(ReviewCreate, "purpose"),
        "--location": _max_length(ReviewCreate, "location"),
        "--notes": _max_length(OccurrenceCreate, "notes"),
        "--present": 200,  # each of OccurrenceCreate.attendees_present
        "--topic": _max_length(ProposedItemCreate, "title"),
        "--topic-notes": _max_length(ProposedItemCreate, "notes"),
        "--title": _max_length(DecisionCreate, "title"),
        "--rationale": _max_length(DecisionCreate, "rationale"),
        "--by": _max_length(DecisionCreate, "decided_by"),
    } == records_cli.TEXT_LENGTHS
    assert {
        field: _max_length(AttendeeBody, field) for field in ("name", "email", "role")
    } == records_cli.ATTENDEE_LENGTHS
    assert _max_length(ReviewCreate, "attendees") == records_cli.MAX_PEOPLE
    assert _max_length(DecisionCreate, "links") == records_cli.MAX_LINKS
    assert records_cli.TIME_PATTERN == TIME
    assert _max_length(OccurrenceCreate, "attendees_present") == records_cli.MAX_PEOPLE
    bounds = ReviewCreate.model_fields["duration_minutes"].metadata
    low = next(m.ge for m in bounds if isinstance(m, Ge))
    assert (low, next(m.le for m in bounds if isinstance(m, Le))) == records_cli.MINUTES
