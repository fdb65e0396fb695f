"""`podium change raise|set|withdraw` on a real database (SQLite and PostgreSQL).

By hand (program start Monday 4 January 2027, Mon–Fri, no holidays): DATA-1 (5 d,
budget 10,000) runs 4–8 January; DATA-2 (5 d) waits on it (FS) and runs 11–15
January; M1 (target 15 January) waits on DATA-2; SEC-1 (5 d) runs 4–8 January on
its own. Slipping DATA-1 by 3 working days moves DATA-2 to 14–20 January and M1
and the program finish to the 20th: +3 working days. A budget of 12,000 for DATA-1
costs 2,000 more. Sam raises requests (a member), Tess is another member, Erin a
viewer, Ana a manager.
"""

from __future__ import annotations

from datetime import date

import pytest
from annotated_types import MaxLen
from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from podium.api import schedule as schedule_api
from podium.api.change_requests import BudgetChangeIn, ChangeRequestCreate
from podium.api.schedule import ChangeIn
from podium.cli import change_requests as change_cli
from podium.models import (
    ChangeRequest,
    ChangeRequestStatus,
    Dependency,
    Milestone,
    Program,
    Role,
    Task,
)
from podium.services import scenarios
from podium.services.actor import SYSTEM
from podium.services.scheduling import reschedule_program
from tests.factories import (
    add_member,
    make_milestone,
    make_program,
    make_project,
    make_task,
    make_user,
)
from tests.integration.test_cli_programs import flat, podium


def _plan(db: Session) -> Program:
    cloud = make_program(db, key="CLOUD", start_date=date(2027, 1, 4))
    for email, role in (
        ("ana@example.com", Role.MANAGER),
        ("sam@example.com", Role.MEMBER),
        ("tess@example.com", Role.MEMBER),
        ("erin@example.com", Role.VIEWER),
    ):
        name = "Sam Okoro" if email.startswith("sam@") else ""
        add_member(db, cloud, make_user(db, email=email, name=name), role)
    data = make_project(db, cloud, "DATA")
    one = make_task(db, data, "DATA-1", budget=10_000.0)
    two = make_task(db, data, "DATA-2", wbs="2")
    make_task(db, make_project(db, cloud, "SEC"), "SEC-1")
    m1 = make_milestone(db, cloud, "M1")
    m1.target_date = date(2027, 1, 15)
    db.add(Dependency(program_id=cloud.id, predecessor_task_id=one.id, successor_task_id=two.id))
    db.add(
        Dependency(program_id=cloud.id, predecessor_task_id=two.id, successor_milestone_id=m1.id)
    )
    db.commit()
    reschedule_program(db, cloud.id)
    db.commit()
    return cloud


def ids(db: Session) -> dict[str, int]:
    """Each task's and milestone's id by key."""
    found = {t.key: t.id for t in db.scalars(select(Task))}
    return found | {m.key: m.id for m in db.scalars(select(Milestone))}


def requests(engine: Engine) -> dict[int, ChangeRequest]:
    with Session(engine) as session:
        return {cr.number: cr for cr in session.scalars(select(ChangeRequest))}


def link_id(db: Session, before: int, after: int) -> int:
    return db.scalars(
        select(Dependency.id).where(
            Dependency.predecessor_task_id == before, Dependency.successor_task_id == after
        )
    ).one()


# --- raise -------------------------------------------------------------------------------


def test_raise_stores_the_changes_and_prints_their_impact(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    key = ids(db)
    code, out = podium(
        "change", "raise", "CLOUD", "--title", "Longer data move", "--rationale", "More clients",
        "--slip", "DATA-1=3", "--budget", "DATA-1=12,000", "--scope", "Two more clients",
        "--rebaseline", "--as", "sam@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert "Raised CR-1 Longer data move in CLOUD, requested by Sam Okoro." in flat(out)
    assert "Impact: finish +3 working days; milestones M1 +3; cost +2,000." in flat(out)
    cr = requests(engine)[1]
    assert (cr.title, cr.rationale, cr.scope_change, cr.rebaseline, cr.status) == (
        "Longer data move", "More clients", "Two more clients", True, ChangeRequestStatus.PROPOSED
    )  # fmt: skip
    assert cr.changes == [{"type": "slip", "task_id": key["DATA-1"], "days": 3}]
    assert cr.budget_changes == [{"task_id": key["DATA-1"], "budget": 12000.0}]
    assert cr.requested_by == "Sam Okoro" and cr.requested_by_user_id is not None  # by name
    with Session(engine) as session:  # the plan itself is unchanged
        assert session.scalars(select(Task.duration).where(Task.key == "DATA-1")).one() == 5


def test_raise_takes_every_kind_of_change_links_removed_first(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    key = ids(db)
    code, out = podium(
        "change", "raise", "CLOUD", "--title", "Rework the plan",
        "--add-link", "SEC-1:DATA-2:SS:2", "--add-link", "DATA-1:DATA-2:FF",
        "--remove-link", "DATA-1:DATA-2", "--delay-start", "SEC-1=2", "--duration", "DATA-2=8",
        "--requested-by", "The data team",
    )  # fmt: skip
    assert code == 0, out
    assert "requested by The data team" in flat(out)
    assert requests(engine)[1].changes == [
        {"type": "remove_dependency", "dependency_id": link_id(db, key["DATA-1"], key["DATA-2"])},
        {"type": "add_dependency", "dependency_type": "SS", "lag": 2,
         "predecessor": {"type": "task", "id": key["SEC-1"]},
         "successor": {"type": "task", "id": key["DATA-2"]}},
        {"type": "add_dependency", "dependency_type": "FF", "lag": 0,
         "predecessor": {"type": "task", "id": key["DATA-1"]},
         "successor": {"type": "task", "id": key["DATA-2"]}},
        {"type": "delay_start", "task_id": key["SEC-1"], "days": 2},
        {"type": "set_duration", "task_id": key["DATA-2"], "days": 8},
    ]  # fmt: skip


def test_raise_carries_a_scenario(cli_env: None, engine: Engine, db: Session) -> None:
    cloud = _plan(db)
    scenario = scenarios.create_scenario(db, SYSTEM, cloud.id, name="Two teams")
    db.commit()
    code, out = podium("change", "raise", "CLOUD", "--title", "Apply two teams",
                       "--scenario", f"s{scenario.number}")  # fmt: skip
    assert code == 0, out
    assert requests(engine)[1].scenario_id == scenario.id
    code, out = podium("change", "raise", "CLOUD", "--title", "x", "--scenario", "S9")
    assert code == 1 and "no scenario 'CLOUD/S9'" in flat(out)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "a change request needs changes to the plan, budget changes or a scope change"),
        (("--slip", "DATA-1"), "--slip takes TASK=DAYS, e.g. PLAT-5=3, not 'DATA-1'"),
        (("--slip", "DATA-1=soon"), "--slip: 'soon' is not a whole number of working days"),
        (("--slip", "DATA-1=10001"), "--slip DATA-1=10001: a slip is 1 to 10000 working days"),
        (("--slip", "M1=2"), "--slip: M1 is a milestone; this change applies to tasks"),
        (("--duration", "NOPE=2"), "--duration: no task or milestone NOPE in this program"),
        (
            ("--duration", "DATA-1=-1"),
            "--duration DATA-1=-1: a duration is 0 to 10000 working days",
        ),
        (("--add-link", "DATA-1"), "--add-link takes PRED:SUCC[:TYPE[:LAG]], e.g. PLAT-3:M1"),
        (("--add-link", "SEC-1:M1:XX"), "--add-link: the type is FS, SS, FF or SF, not 'XX'"),
        (("--add-link", "DATA-1:DATA-2"), "--add-link DATA-1:DATA-2: DATA-1 → DATA-2 is already"),
        (("--remove-link", "SEC-1:M1"), "--remove-link: no dependency SEC-1:M1 in CLOUD"),
        (("--remove-link", "A:B:FS"), "--remove-link takes PRED:SUCC, e.g. PLAT-3:M1"),
        (("--budget", "DATA-1=lots"), "--budget: 'lots' is not an amount"),
        (("--budget", "DATA-1=-5"), "--budget: between 0 and 1,000,000,000,000, not -5"),
        (("--scope", "x", "--title", " "), "--title must not be blank"),
        (("--scope", "x", "--as", "erin@example.com"), "member or above"),
    ],
)
def test_raise_refuses_what_the_api_refuses_and_stores_nothing(
    cli_env: None, engine: Engine, db: Session, args: tuple[str, ...], message: str
) -> None:
    _plan(db)
    code, out = podium("change", "raise", "CLOUD", "--title", "Bad", *args)
    assert code == 1
    assert message in flat(out)
    assert "Traceback" not in out
    assert requests(engine) == {}


def test_a_change_to_finished_work_names_the_option_that_asked_for_it(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    db.scalars(select(Task).where(Task.key == "SEC-1")).one().actual_finish = date(2027, 1, 8)
    db.commit()
    code, out = podium("change", "raise", "CLOUD", "--title", "x", "--slip", "DATA-1=1",
                       "--slip", "SEC-1=2", "--budget", "SEC-1=5")  # fmt: skip
    assert code == 1
    assert "error: --slip SEC-1=2: SEC-1 is finished" in flat(out)
    assert requests(engine) == {}


def test_a_budget_on_a_summary_task_is_refused_naming_the_option(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _plan(db)
    data = db.scalars(select(Task).where(Task.key == "DATA-1")).one()
    make_task(db, data.project, "DATA-3", parent=data, wbs="1.1")  # DATA-1 is a summary now
    code, out = podium("change", "raise", "CLOUD", "--title", "x", "--budget", "DATA-2=5",
                       "--budget", "DATA-1=5")  # fmt: skip
    assert code == 1
    assert "error: --budget DATA-1=5: DATA-1 is a summary task: change its sub-tasks" in flat(out)
    assert requests(engine) == {}


# --- set and withdraw ----------------------------------------------------------------------


def _raised(db: Session) -> None:
    """CR-1, raised by Sam: DATA-1 slips 3 days and costs 12,000."""
    _plan(db)
    code, out = podium(
        "change", "raise", "CLOUD", "--title", "Longer data move", "--slip", "DATA-1=3",
        "--budget", "DATA-1=12000", "--as", "sam@example.com",
    )  # fmt: skip
    assert code == 0, out


def test_set_replaces_the_changes_given_and_keeps_the_rest(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _raised(db)
    key = ids(db)
    code, out = podium(
        "change", "set", "CLOUD", "cr-1", "--title", "Longer data move (wave 1)",
        "--slip", "DATA-1=1", "--duration", "DATA-2=6", "--rebaseline", "--as", "sam@example.com",
    )  # fmt: skip
    assert code == 0, out
    text = flat(out)
    assert "Updated CR-1 Longer data move (wave 1):" in text
    assert "title Longer data move → Longer data move (wave 1)" in text
    assert "rebaseline no → yes" in text and "plan changes 1 change → 2 changes" in text
    assert "Impact: finish +2 working days; milestones M1 +2; cost +2,000." in text
    cr = requests(engine)[1]
    assert cr.changes == [
        {"type": "slip", "task_id": key["DATA-1"], "days": 1},
        {"type": "set_duration", "task_id": key["DATA-2"], "days": 6},
    ]
    assert cr.budget_changes == [{"task_id": key["DATA-1"], "budget": 12000.0}]  # kept
    assert cr.rebaseline and cr.version == 2
    # the same number of changes, one of them edited: it says so (not "nothing changed")
    code, out = podium("change", "set", "CLOUD", "CR-1", "--slip", "DATA-1=2",
                       "--duration", "DATA-2=6", "--as", "sam@example.com")  # fmt: skip
    assert code == 0, out
    assert "plan changes 2 changes → 2 changes, edited" in flat(out), out
    assert requests(engine)[1].changes[0]["days"] == 2
    code, out = podium("change", "set", "CLOUD", "CR-1", "--slip", "DATA-1=1",
                       "--duration", "DATA-2=6", "--as", "sam@example.com")  # fmt: skip
    assert code == 0 and requests(engine)[1].changes[0]["days"] == 1, out
    code, out = podium("change", "set", "CLOUD", "CR-1", "--no-budgets", "--scope", "Wave 1 only",
                       "--as", "ana@example.com")  # fmt: skip
    assert code == 0, out
    assert "budget changes 1 change → 0 changes" in flat(out)
    assert "Impact: finish +2 working days; milestones M1 +2." in flat(out)
    cr = requests(engine)[1]
    assert cr.budget_changes == [] and cr.scope_change == "Wave 1 only" and len(cr.changes) == 2
    code, out = podium("change", "set", "CLOUD", "CR-1", "--no-changes")
    assert code == 0 and "Impact: no date or cost moves." in flat(out)
    assert requests(engine)[1].changes == []


def test_set_refuses_other_members_decided_requests_and_bad_options(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _raised(db)
    for args, message in (
        (("--title", "x", "--as", "tess@example.com"), "only whoever raised a change request"),
        (("--title", "x", "--as", "erin@example.com"), "member or above"),
        ((), "nothing to change"),
        (("--requested-by", ""), "--requested-by must not be blank"),
        (("--slip", "DATA-1=1", "--no-changes"), "give plan changes or --no-changes, not both"),
        (("--budget", "DATA-1=1", "--no-budgets"), "give --budget or --no-budgets, not both"),
        (("--slip", "SEC-1=x"), "--slip: 'x' is not a whole number of working days"),
    ):
        code, out = podium("change", "set", "CLOUD", "CR-1", *args)
        assert code == 1 and message in flat(out), args
    code, out = podium("change", "set", "CLOUD", "CR-7", "--title", "x")
    assert code == 1 and "no change request 'CR-7'" in flat(out)
    assert requests(engine)[1].version == 1
    code, out = podium("change", "reject", "CLOUD", "CR-1", "--rationale", "Not now")
    assert code == 0, out
    code, out = podium("change", "set", "CLOUD", "CR-1", "--title", "x")
    assert code == 1 and "CR-1 is already rejected" in flat(out)


def test_withdraw_leaves_the_plan_as_it_is(cli_env: None, engine: Engine, db: Session) -> None:
    _raised(db)
    for who, message in (
        ("tess@example.com", "only whoever raised a change request, or a manager"),
        ("erin@example.com", "member or above"),
    ):
        code, out = podium("change", "withdraw", "CLOUD", "CR-1", "--as", who)
        assert code == 1 and message in flat(out), who
    assert requests(engine)[1].status == ChangeRequestStatus.PROPOSED
    code, out = podium("change", "withdraw", "CLOUD", "1", "--as", "sam@example.com")
    assert code == 0, out
    assert "Withdrew CR-1 Longer data move in CLOUD: the plan is unchanged." in flat(out)
    cr = requests(engine)[1]
    assert cr.status == ChangeRequestStatus.WITHDRAWN and cr.decided_by == "Sam Okoro"
    with Session(engine) as session:
        assert session.scalars(select(Task.duration).where(Task.key == "DATA-1")).one() == 5
    code, out = podium("change", "withdraw", "CLOUD", "CR-1")
    assert code == 1 and "CR-1 is already withdrawn" in flat(out)


# --- the API's limits ----------------------------------------------------------------------


def _max_length(model: type[BaseModel], field: str) -> int:
    return next(m.max_length for m in model.model_fields[field].metadata if isinstance(m, MaxLen))


def test_the_limits_are_the_apis() -> None:
    assert {
        "--title": _max_length(ChangeRequestCreate, "title"),
        "--rationale": _max_length(ChangeRequestCreate, "rationale"),
        "--requested-by": _max_length(ChangeRequestCreate, "requested_by"),
        "--scope": _max_length(ChangeRequestCreate, "scope_change"),
    } == change_cli.CR_TEXT_LENGTHS
    assert _max_length(ChangeRequestCreate, "changes") == change_cli.MAX_CHANGES
    assert _max_length(ChangeRequestCreate, "budget_changes") == change_cli.MAX_CHANGES
    # the days are checked by the change's own validator, against the API's bound
    assert schedule_api.MAX_DAYS == change_cli.MAX_DAYS
    lag = ChangeIn.model_fields["lag"].metadata
    assert next(m.le for m in lag if hasattr(m, "le")) == change_cli.MAX_DAYS
    budget = BudgetChangeIn.model_fields["budget"].metadata
    assert next(m.le for m in budget if hasattr(m, "le")) == change_cli.MAX_BUDGET
