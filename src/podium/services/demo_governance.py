"""The demo program's governance, as the weeks so far happened.

A weekly dependency check (Tuesdays) and a biweekly steering committee
(Thursdays) with their attendees; their last few meetings recorded and dated
back, with decisions logged in them; stakeholders on the power/interest grid;
a rejected change request, and one awaiting decision whose impact moves the
"Pilot complete" milestone. The last dependency check saw M1 three working days
earlier than it is forecast now, so the next agenda opens on that slip.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine.governance import Cadence, occurrences_between
from podium.models import Milestone, Program, ReviewFrequency, Task, User
from podium.models.governance import Decision, ReviewOccurrence
from podium.services.actor import Actor
from podium.services.governance import change_requests, decisions, reviews, stakeholders
from podium.services.governance.reviews import AttendeeIn
from podium.services.overview import program_calendar
from podium.services.scheduling import reschedule_pending

OWNER, MANAGER, MEMBER = "maria@podium.local", "li@podium.local", "sam@podium.local"

STAKEHOLDERS: list[dict[str, Any]] = [
    {
        "name": "Maria Lopez",
        "role": "Program sponsor",
        "organization": "Client services",
        "email": OWNER,
        "influence": 5,
        "interest": 5,
        "reports": ["status_report", "review_agenda", "decision_log", "retrospective"],
    },
    {
        "name": "Dana Reyes",
        "role": "Chief operating officer",
        "organization": "Executive board",
        "influence": 5,
        "interest": 3,
        "reports": ["status_report", "change_requests"],
    },
    {
        "name": "Tom Becker",
        "role": "Chief financial officer",
        "organization": "Finance",
        "influence": 4,
        "interest": 2,
        "reports": ["status_report"],
        "notes": "Signs off any change that moves the budget by more than 5 %.",
    },
    {
        "name": "Support team leads",
        "role": "Run the service after migration",
        "organization": "Customer support",
        "influence": 2,
        "interest": 5,
        "reports": ["status_report", "review_agenda"],
    },
    {
        "name": "Client advisory board",
        "role": "Voice of the migrating clients",
        "organization": "Clients",
        "influence": 3,
        "interest": 4,
        "reports": ["status_report"],
    },
    {
        "name": "Cloud vendor account team",
        "role": "Platform supplier",
        "organization": "Vendor",
        "influence": 2,
        "interest": 2,
        "reports": [],
    },
]


def _moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _hold(
    session: Session,
    actor: Actor,
    review_id: int,
    day: date,
    *,
    present: list[str],
    notes: str,
) -> ReviewOccurrence:
    """Record a past meeting and date it back (its agenda boundary is the meeting)."""
    occurrence = reviews.record_occurrence(
        session, actor, review_id, held_on=day, attendees_present=present, notes=notes
    )
    occurrence.created_at = _moment(day, 10)
    occurrence.agenda["generated_at"] = _moment(day, 8).isoformat()
    session.flush()
    return occurrence


def _decide(
    session: Session,
    actor: Actor,
    program: Program,
    occurrence: ReviewOccurrence,
    title: str,
    rationale: str,
    decided_by: str,
    links: list[dict[str, Any]],
) -> Decision:
    decision = decisions.record_decision(
        session,
        actor,
        program_id=program.id,
        title=title,
        rationale=rationale,
        decided_by=decided_by,
        decided_on=occurrence.held_on,
        occurrence_id=occurrence.id,
        links=links,
    )
    decision.created_at = _moment(occurrence.held_on, 11)
    return decision


def load_demo_governance(session: Session, program: Program) -> None:
    """Fill the demo program's reviews, decisions, stakeholders and change requests."""
    today = program.status_date or program.start_date
    people = {u.email: u for u in session.scalars(select(User))}
    owner, manager, member = (Actor.of(people[e]) for e in (OWNER, MANAGER, MEMBER))
    tasks = {
        t.key: t.id for t in session.scalars(select(Task).where(Task.program_id == program.id))
    }
    m1 = session.scalar(
        select(Milestone).where(Milestone.program_id == program.id, Milestone.key == "M1")
    )
    reschedule_pending(session)  # the progress replayed so far, so meetings saw real forecasts

    tuesday = program.start_date + timedelta(days=(1 - program.start_date.weekday()) % 7)
    check = reviews.create_review(
        session,
        manager,
        program_id=program.id,
        name="Weekly dependency check",
        purpose="Project leads walk the cross-project dependencies, slipped milestones "
        "and change requests before they reach the steering committee.",
        frequency=ReviewFrequency.WEEKLY,
        first_date=tuesday,
        time_of_day="09:30",
        duration_minutes=45,
        location="Room 3.12 and video",
        sections=["milestones", "conflicts", "change_requests", "risks", "proposed"],
        attendees=[
            AttendeeIn(email=MANAGER, role="chair"),
            AttendeeIn(email=MEMBER, role="data transfer lead"),
            AttendeeIn(name="Priya Natarajan", role="security lead"),
            AttendeeIn(name="Jonas Weber", role="platform lead"),
            AttendeeIn(name="Aisha Khan", role="training lead"),
        ],
    )
    thursday = program.start_date + timedelta(days=10)  # the second week's Thursday
    steering = reviews.create_review(
        session,
        owner,
        program_id=program.id,
        name="Steering committee",
        purpose="Sponsor and executives decide escalations and change requests.",
        frequency=ReviewFrequency.BIWEEKLY,
        first_date=thursday,
        time_of_day="14:00",
        duration_minutes=90,
        location="Board room",
        attendees=[
            AttendeeIn(email=OWNER, role="sponsor, chair"),
            AttendeeIn(name="Dana Reyes", role="COO"),
            AttendeeIn(name="Tom Becker", role="CFO"),
            AttendeeIn(email=MANAGER, role="program manager"),
        ],
    )

    checks = occurrences_between(reviews.cadence_of(check), tuesday, today - timedelta(days=1))
    boards = occurrences_between(Cadence(thursday, "biweekly"), thursday, today - timedelta(days=1))
    held_checks = [
        _hold(
            session,
            manager,
            check.id,
            day,
            present=["Li Wei", "Sam Okoro", "Priya Natarajan", "Jonas Weber"],
            notes=note,
        )
        for day, note in zip(
            checks[-3:],
            [
                "Landing zone build on track; pen test booking confirmed.",
                "Pilot start slipped two days; training lead to re-plan train-the-trainers.",
                "Pilot running slower than planned; M1 at risk. Sam to draft a change request.",
            ],
            strict=False,
        )
    ]
    held_boards = [
        _hold(
            session,
            owner,
            steering.id,
            day,
            present=["Maria Lopez", "Dana Reyes", "Tom Becker", "Li Wei"],
            notes=note,
        )
        for day, note in zip(
            boards[-2:],
            [
                "Scope of the pilot and the security gate agreed.",
                "Penetration test stays in scope; vendor monitoring is a gate for wave 2.",
            ],
            strict=False,
        )
    ]
    if len(held_boards) == 2:
        _decide(
            session,
            owner,
            program,
            held_boards[0],
            "Pilot limited to three clients",
            "Three clients cover every hosting pattern; "
            "more would delay the landing zone sign-off.",
            "Steering committee",
            [{"type": "task", "id": tasks["PLAT-5"]}],
        )
        _decide(
            session,
            owner,
            program,
            held_boards[0],
            "No client data moves before the security sign-off",
            "Contractual obligation to every client; the data transfer waits on SEC-5.",
            "Steering committee",
            [{"type": "task", "id": tasks["SEC-5"]}, {"type": "task", "id": tasks["DATA-4"]}],
        )
        rejected = change_requests.create_change_request(
            session,
            manager,
            program_id=program.id,
            title="Drop the external penetration test",
            rationale="Saves two weeks on the security track.",
            requested_by="Li Wei",
            changes=[{"type": "set_duration", "task_id": tasks["SEC-4"], "days": 0}],
            budget_changes=[{"task_id": tasks["SEC-4"], "budget": 0}],
            scope_change="No external penetration test before the security sign-off.",
        )
        rejected.created_at = _moment(held_boards[1].held_on - timedelta(days=3), 9)
        change_requests.reject_change_request(
            session,
            owner,
            rejected.id,
            rationale="Two clients require an external test in their contracts.",
            decided_by="Steering committee",
            decided_on=held_boards[1].held_on,
            occurrence_id=held_boards[1].id,
        )
        rejected.decided_at = _moment(held_boards[1].held_on, 15)
        _decide(
            session,
            owner,
            program,
            held_boards[1],
            "Vendor monitoring must be live before migration wave 2",
            "Support cannot take on clients it cannot see.",
            "Steering committee",
            [{"type": "task", "id": tasks["VEND-5"]}, {"type": "task", "id": tasks["DATA-5"]}],
        )
    if held_checks:
        last = held_checks[-1]
        _decide(
            session,
            manager,
            program,
            last,
            "Training starts only once the pilot is complete",
            "Trainers must train on the platform clients will use.",
            "Li Wei",
            [{"type": "task", "id": tasks["TRAIN-3"]}, {"type": "task", "id": tasks["PLAT-5"]}],
        )
    # the last meetings saw M1 earlier than it is forecast now (by 3 and 5 working days
    # of the program's calendar, its holidays included, as the agenda counts them)
    calendar = program_calendar(session, program)
    for occurrence, days in ((held_checks[-1:], 3), (held_boards[-1:], 5)):
        if occurrence and m1 is not None and m1.early_finish is not None:
            seen = calendar.add_workdays(m1.early_finish, -days)
            snapshot = {**occurrence[0].agenda["snapshot"]["milestones"], "M1": seen.isoformat()}
            occurrence[0].agenda = {**occurrence[0].agenda, "snapshot": {"milestones": snapshot}}

    for spec in STAKEHOLDERS:
        stakeholders.add_stakeholder(session, manager, program_id=program.id, **spec)

    awaiting = change_requests.create_change_request(
        session,
        member,
        program_id=program.id,
        title="Extend the pilot to five clients",
        rationale="Two more clients with legacy databases would surface migration problems "
        "in the pilot rather than in wave 1.",
        requested_by="Sam Okoro",
        changes=[{"type": "slip", "task_id": tasks["PLAT-5"], "days": 5}],
        budget_changes=[{"task_id": tasks["PLAT-5"], "budget": 27000}],
        scope_change="Pilot covers five clients instead of three.",
    )
    awaiting.created_at = _moment(today - timedelta(days=3), 15)
    reviews.propose_item(
        session,
        member,
        steering.id,
        title="A second landing-zone engineer",
        notes="Would take the platform track off the critical path.",
    )
    session.flush()
