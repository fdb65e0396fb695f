"""Over-allocation alerts of programs sharing a resource: a change in one program
touches the alerts of the others only about the resources it looked at again.

The plan (start Monday 4 January 2027, status date the same day, Mon–Fri):
ALPHA's PLAT-1 (5 d, 4–8 Jan) and PLAT-2 (3 d, 4–6 Jan) both take Nadia full time, so
she is over-allocated 4–6 January (an ALPHA alert); DATA-1 (5 d, 4–8 Jan) takes Priya
alone (no overload). BETA's BX-1 and BX-2 (10 d each, 4–15 Jan) both take Bob (a BETA
alert). Putting Priya on BX-1 too books her twice 4–8 January: an alert in each program.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Alert, AlertKind, Program, Resource, Task, WebhookDelivery
from podium.services import webhooks
from podium.services.actor import SYSTEM
from podium.services.resources import assignments, catalog
from podium.services.uow import complete
from tests.factories import make_program, make_project, make_task


@dataclass
class Shared:
    alpha: Program
    beta: Program
    tasks: dict[str, Task]
    people: dict[str, Resource]


def _plan(db: Session) -> Shared:
    day = date(2027, 1, 4)
    alpha = make_program(db, key="ALPHA", start_date=day, status_date=day)
    beta = make_program(db, key="BETA", start_date=day, status_date=day)
    for program in (alpha, beta):  # the events each alert raised and resolved are kept
        webhooks.subscribe(
            db, SYSTEM, program.id, url="http://127.0.0.1:9/hook", events=[], allow_private=True
        )
    plat, data = make_project(db, alpha, "PLAT"), make_project(db, alpha, "DATA")
    bx = make_project(db, beta, "BX")
    tasks = {
        "PLAT-1": make_task(db, plat, "PLAT-1"),
        "PLAT-2": make_task(db, plat, "PLAT-2", duration=3),
        "DATA-1": make_task(db, data, "DATA-1"),
        "BX-1": make_task(db, bx, "BX-1", duration=10),
        "BX-2": make_task(db, bx, "BX-2", duration=10),
    }
    people = {
        key: catalog.create_resource(db, SYSTEM, key=key, name=key.title())
        for key in ("nadia", "priya", "bob")
    }
    for task, person in (
        ("PLAT-1", "nadia"),
        ("PLAT-2", "nadia"),
        ("DATA-1", "priya"),
        ("BX-1", "bob"),
        ("BX-2", "bob"),
    ):
        _assign(db, tasks[task], people[person])
    complete(db)
    return Shared(alpha, beta, tasks, people)


def _assign(db: Session, task: Task, person: Resource) -> None:
    assignments.create_assignment(db, SYSTEM, task_id=task.id, resource_id=person.id)


def _open(db: Session, program: Program) -> dict[int, int]:
    """The program's open over-allocation alerts: alert id by resource id."""
    db.expire_all()
    return {
        a.subject_id: a.id
        for a in db.scalars(
            select(Alert).where(
                Alert.program_id == program.id,
                Alert.kind == AlertKind.OVER_ALLOCATION,
                Alert.resolved_at.is_(None),
            )
        )
    }


def _ever(db: Session) -> list[tuple[int, int]]:
    """Every over-allocation alert ever raised, open or resolved: (program, resource)."""
    return sorted(
        (a.program_id, a.subject_id)
        for a in db.scalars(select(Alert).where(Alert.kind == AlertKind.OVER_ALLOCATION))
    )


def _events(db: Session, event: str) -> list[int]:
    return sorted(
        d.payload["data"]["alert_id"]
        for d in db.scalars(select(WebhookDelivery).where(WebhookDelivery.event == event))
    )


def _priya_on_bx1(db: Session, s: Shared) -> None:
    _assign(db, s.tasks["BX-1"], s.people["priya"])
    complete(db)


def test_booking_a_shared_person_leaves_the_other_programs_alerts_about_others_open(
    db: Session,
) -> None:
    s = _plan(db)
    nadia, priya, bob = (s.people[k].id for k in ("nadia", "priya", "bob"))
    alpha, beta = _open(db, s.alpha), _open(db, s.beta)
    assert set(alpha) == {nadia} and set(beta) == {bob}

    _priya_on_bx1(db, s)

    # Priya is over in both; Nadia's alert in ALPHA and Bob's in BETA are the same ones,
    # still open: nothing about them changed
    after_alpha, after_beta = _open(db, s.alpha), _open(db, s.beta)
    assert set(after_alpha) == {nadia, priya} and after_alpha[nadia] == alpha[nadia]
    assert set(after_beta) == {bob, priya} and after_beta[bob] == beta[bob]


def test_a_change_in_one_program_leaves_the_others_alerts_about_people_it_does_not_book(
    db: Session,
) -> None:
    s = _plan(db)
    _priya_on_bx1(db, s)
    alpha, beta = _open(db, s.alpha), _open(db, s.beta)
    bob = s.people["bob"].id

    # ALPHA halves Nadia on PLAT-2 (BETA shares Priya with it, not Bob)
    (nadia_on_plat2,) = [
        x.assignment
        for x in assignments.list_assignments(db, SYSTEM, program_id=s.alpha.id)
        if x.assignment.task_id == s.tasks["PLAT-2"].id
    ]
    assignments.update_assignment(db, SYSTEM, nadia_on_plat2.id, {"units": 0.5})
    complete(db)
    assert _open(db, s.beta) == beta and bob in beta
    assert _open(db, s.alpha) == alpha  # Nadia at 150 % is still over: the same alert

    # and when only DATA-1 moves (Priya's work), BETA's Bob alert is left as it is
    db.refresh(s.tasks["DATA-1"])
    s.tasks["DATA-1"].duration = 4
    complete(db)
    assert _open(db, s.beta) == beta
    assert _open(db, s.alpha) == alpha


def test_taking_a_shared_person_off_resolves_the_overload_in_the_program_still_booking_her(
    db: Session,
) -> None:
    s = _plan(db)
    _priya_on_bx1(db, s)
    alpha, beta = _open(db, s.alpha), _open(db, s.beta)
    nadia, priya, bob = (s.people[k].id for k in ("nadia", "priya", "bob"))

    (priya_on_bx1,) = [
        x.assignment
        for x in assignments.list_assignments(db, SYSTEM, program_id=s.beta.id)
        if x.assignment.resource_id == priya
    ]
    assignments.delete_assignment(db, SYSTEM, priya_on_bx1.id)
    complete(db)

    # BETA no longer books Priya, yet ALPHA, which does, is looked at again for her
    assert priya in alpha and priya not in _open(db, s.alpha)
    assert _open(db, s.alpha) == {nadia: alpha[nadia]}
    assert _open(db, s.beta) == {bob: beta[bob]}
    assert sorted(_events(db, "alert.resolved")) == sorted([alpha[priya], beta[priya]])


def test_alerts_nothing_changed_keep_their_ids_and_are_never_raised_again(db: Session) -> None:
    s = _plan(db)
    nadia, priya, bob = (s.people[k].id for k in ("nadia", "priya", "bob"))
    first = {**_open(db, s.alpha), **{-k: v for k, v in _open(db, s.beta).items()}}

    _priya_on_bx1(db, s)
    (nadia_on_plat2,) = [
        x.assignment
        for x in assignments.list_assignments(db, SYSTEM, program_id=s.alpha.id)
        if x.assignment.task_id == s.tasks["PLAT-2"].id
    ]
    assignments.update_assignment(db, SYSTEM, nadia_on_plat2.id, {"units": 0.5})
    complete(db)
    (priya_on_bx1,) = [
        x.assignment
        for x in assignments.list_assignments(db, SYSTEM, program_id=s.beta.id)
        if x.assignment.resource_id == priya
    ]
    assignments.delete_assignment(db, SYSTEM, priya_on_bx1.id)
    complete(db)

    assert _open(db, s.alpha) == {nadia: first[nadia]}
    assert _open(db, s.beta) == {bob: first[-bob]}
    # one alert per program and person over the whole story, each raised once
    alpha, beta = s.alpha.id, s.beta.id
    assert _ever(db) == sorted([(alpha, nadia), (alpha, priya), (beta, bob), (beta, priya)])
    raised = _events(db, "alert.raised")
    assert len(raised) == len(set(raised)) == 4
    assert first[nadia] in raised and first[-bob] in raised
    resolved = _events(db, "alert.resolved")
    assert first[nadia] not in resolved and first[-bob] not in resolved and len(resolved) == 2
