"""`podium risk action set|delete` and `podium risk rules` on a real database.

The register (program CLOUD, projects DATA and SEC) under the default rules (program
level at score 15, a risk linked to two projects too, the steering agenda at 20):

- R1 "Auditors booked late", 4 × 4 = 16, project level, DATA: at program level;
- R2 "Data centre lease ends", 5 × 4 = 20, raised at program level: on the steering agenda;
- R3 "Residency rules differ", 2 × 3 = 6, DATA and SEC: at program level (two projects);
- R4 "Vendor API late", 3 × 4 = 12, task level (SEC-1): not escalated;
- R5 "Old firewall", 5 × 5 = 25, closed: never escalated, whatever the rules.

R1 has two actions: "Book the auditors" (mia, due 1 February 2027) and "Ask for dates"
(done today: a done date is never in the future). lea is a manager, mia a member, vic a
viewer, bo a user outside the program.
"""

from __future__ import annotations

from datetime import date

import pytest
from annotated_types import MaxLen
from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

import podium.cli.risk_rules
from podium.api.risks import ActionCreate, ActionUpdate, RulesIn
from podium.cli.risk_actions import TITLE_LENGTH
from podium.cli.risk_rules import HIGHEST, LOWEST
from podium.models import AuditEntry, Program, Risk, RiskAction, RiskRules, Role
from podium.services import risks
from podium.services.actor import SYSTEM
from podium.services.common import today
from tests.factories import add_member, make_program, make_project, make_task, make_user
from tests.integration.test_cli_programs import flat, podium

DONE_ON = today()


@pytest.fixture
def register(cli_env: None, db: Session) -> Program:
    """CLOUD's register as in the module's docstring."""
    cloud = make_program(db, key="CLOUD")
    data, sec = make_project(db, cloud, "DATA"), make_project(db, cloud, "SEC")
    review = make_task(db, sec, "SEC-1")
    users = {
        name: make_user(db, email=f"{name}@example.com", name=name.title())
        for name in ("lea", "mia", "vic", "bo")
    }
    for name, role in (("lea", Role.MANAGER), ("mia", Role.MEMBER), ("vic", Role.VIEWER)):
        add_member(db, cloud, users[name], role)
    for title, p, i, level, projects, tasks, status in (
        ("Auditors booked late", 4, 4, "project", [data.id], [], "open"),
        ("Data centre lease ends", 5, 4, "program", [], [], "open"),
        ("Residency rules differ", 2, 3, "project", [data.id, sec.id], [], "open"),
        ("Vendor API late", 3, 4, "task", [], [review.id], "open"),
        ("Old firewall", 5, 5, "project", [sec.id], [], "closed"),
    ):
        risks.create_risk(
            db, SYSTEM, program_id=cloud.id, title=title, probability=p, impact=i,
            level=level, project_ids=projects, task_ids=tasks, status=status,
        )  # fmt: skip
    first = risk(db, 1)
    risks.add_action(
        db, SYSTEM, first.id, title="Book the auditors", owner_id=users["mia"].id,
        due_date=date(2027, 2, 1),
    )  # fmt: skip
    asked = risks.add_action(db, SYSTEM, first.id, title="Ask for dates")
    risks.update_action(db, SYSTEM, first.id, asked.id, {"done": True, "done_on": DONE_ON})
    db.commit()
    return cloud


def risk(session: Session, number: int) -> Risk:
    return session.scalars(select(Risk).where(Risk.number == number)).one()


def action_id(engine: Engine, title: str) -> int:
    with Session(engine) as session:
        return session.scalars(select(RiskAction.id).where(RiskAction.title == title)).one()


def stored_action(engine: Engine, ident: int) -> RiskAction | None:
    with Session(engine) as session:
        found = session.get(RiskAction, ident)
        if found is not None:
            _ = found.owner  # loaded while the session is open
        return found


def escalations(engine: Engine) -> dict[str, str]:
    """Each risk's escalation, by key."""
    with Session(engine) as session:
        return {r.key: r.escalation for r in session.scalars(select(Risk))}


def audited(engine: Engine, entity_type: str) -> list[tuple[str, str, dict[str, list[object]]]]:
    """(action, who, changes) of each audit entry on that kind of record, oldest first."""
    with Session(engine) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == entity_type).order_by(AuditEntry.id)
        )
        return [(e.action, e.user_email, e.changes) for e in entries]


def test_the_cli_takes_what_the_api_schemas_take() -> None:
    assert MaxLen(TITLE_LENGTH) in ActionCreate.model_fields["title"].metadata
    ActionUpdate.model_validate({"title": "x" * TITLE_LENGTH})
    with pytest.raises(ValidationError):
        ActionUpdate.model_validate({"title": "x" * (TITLE_LENGTH + 1)})
    for name in ("program_score", "steering_score"):
        for score in (LOWEST, HIGHEST):
            RulesIn.model_validate({name: score})
        for score in (LOWEST - 1, HIGHEST + 1):
            with pytest.raises(ValidationError):
                RulesIn.model_validate({name: score})


# --- risk action set --------------------------------------------------------------------


def test_action_set_changes_only_what_is_given_and_prints_old_and_new(
    register: Program, engine: Engine
) -> None:
    booked = action_id(engine, "Book the auditors")
    code, out = podium(
        "risk", "action", "set", "CLOUD", "R1", str(booked), "--title", " Book the [auditors] ",
        "--owner", "LEA@example.com", "--due", "2027-02-15", "--as", "mia@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert f"Updated action {booked} on R1: Book the [auditors]:" in out
    assert "title  Book the auditors → Book the [auditors]" in out
    assert "owner  Mia → Lea" in out and "due    2027-02-01 → 2027-02-15" in out
    action = stored_action(engine, booked)
    assert action is not None and action.owner is not None
    assert (action.title, action.owner.email, action.due_date, action.version) == (
        "Book the [auditors]", "lea@example.com", date(2027, 2, 15), 2,
    )  # fmt: skip
    (change,) = [a for a in audited(engine, "risk action") if a[1] == "mia@example.com"]
    assert change[0] == "update" and set(change[2]) == {"title", "owner_id", "due_date"}

    code, out = podium("risk", "action", "set", "CLOUD", "1", str(booked), "--no-owner", "--no-due")
    assert code == 0, out
    assert "owner  Lea → —" in out and "due    2027-02-15 → —" in out and "title" not in out
    action = stored_action(engine, booked)
    assert action is not None and (action.owner_id, action.due_date) == (None, None)
    assert action.title == "Book the [auditors]" and not action.done


def test_action_set_of_what_it_already_is_changes_nothing(
    register: Program, engine: Engine
) -> None:
    booked = action_id(engine, "Book the auditors")
    code, out = podium(
        "risk", "action", "set", "CLOUD", "R1", str(booked), "--title", "Book the auditors",
        "--owner", "mia@example.com", "--due", "2027-02-01",
    )  # fmt: skip
    assert code == 0, out
    assert flat(out) == (
        f"Nothing changed: action {booked} on R1: Book the auditors already has those settings."
    )
    action = stored_action(engine, booked)
    assert action is not None and action.version == 1
    assert [a for a in audited(engine, "risk action") if a[0] == "update"] == [
        ("update", "system", {"done": [False, True], "done_on": [None, DONE_ON.isoformat()]})
    ]  # only the fixture's


def test_action_set_refuses_bad_input_an_outsider_owner_and_a_viewer(
    register: Program, engine: Engine
) -> None:
    booked = action_id(engine, "Book the auditors")
    asked = action_id(engine, "Ask for dates")
    long = "x" * (TITLE_LENGTH + 1)
    for args, message in (
        (("R1", str(booked)),
         "nothing to change: give --title, --owner, --no-owner, --due or --no-due"),
        (("R1", str(booked), "--title", "  "), "--title must not be blank"),
        (("R1", str(booked), "--title", long), "--title is at most 300 characters, not 301"),
        (("R1", str(booked), "--title", "a\x00b"), "--title contains a NUL character"),
        (("R1", str(booked), "--due", "2027-02-30"), "--due must be YYYY-MM-DD, not '2027-02-30'"),
        (("R1", str(booked), "--due", "2027-02-03", "--no-due"), "give --due or --no-due"),
        (("R1", str(booked), "--owner", "mia@example.com", "--no-owner"),
         "give --owner or --no-owner, not both"),
        (("R1", str(booked), "--owner", "bo@example.com"),
         "--owner: bo@example.com is not a member of this program"),
        (("R1", str(booked), "--owner", "nobody@example.com"),
         "no user with email nobody@example.com"),
        (("R1", str(booked), "--title", "x", "--as", "vic@example.com"),
         "your role in CLOUD is viewer; member or above is needed"),
        (("R2", str(booked), "--title", "x"), f"action {booked} of risk R2 not found"),
        (("R1", "999999", "--title", "x"), "action 999999 of risk R1 not found"),
        (("R9", str(booked), "--title", "x"), "no risk 'R9' in CLOUD"),
    ):  # fmt: skip
        code, out = podium("risk", "action", "set", "CLOUD", *args)
        assert code == 1, (args, out)
        assert message in flat(out), args
    code, out = podium("risk", "action", "set", "NOPE", "R1", str(booked), "--title", "x")
    assert code == 1 and "NOPE" in out
    code, out = podium("risk", "action", "set", "CLOUD", "R1", "one", "--title", "x")
    assert code == 2  # not a number: Typer's usage error
    for ident, title in ((booked, "Book the auditors"), (asked, "Ask for dates")):
        action = stored_action(engine, ident)
        assert action is not None and (action.title, action.version) == (
            title,
            1 + (ident == asked),
        )


def test_action_add_names_an_owner_who_is_not_a_member(register: Program, engine: Engine) -> None:
    code, out = podium(
        "risk", "action", "add", "CLOUD", "R1", "--title", "Call the auditors", "--owner",
        "bo@example.com",
    )  # fmt: skip
    assert code == 1
    assert "--owner: bo@example.com is not a member of this program" in flat(out)
    code, out = podium("risk", "action", "add", "CLOUD", "R1", "--title", "x" * 301)
    assert code == 1 and "--title is at most 300 characters, not 301" in flat(out)
    with Session(engine) as session:
        assert len(risk(session, 1).actions) == 2


# --- risk action delete -----------------------------------------------------------------


def test_action_delete_asks_for_yes_needs_a_manager_then_removes_it(
    register: Program, engine: Engine
) -> None:
    booked = action_id(engine, "Book the auditors")
    asked = action_id(engine, "Ask for dates")
    code, out = podium(
        "risk", "action", "delete", "CLOUD", "R1", str(asked), "--as", "lea@example.com"
    )
    assert code == 1
    assert (
        f"this would delete action {asked} on R1 (Ask for dates, done on {DONE_ON}): run again "
        "with --yes to delete it"
    ) in flat(out)
    for who, role in (("mia", "member"), ("vic", "viewer")):
        code, out = podium(
            "risk", "action", "delete", "CLOUD", "R1", str(booked), "--yes", "--as",
            f"{who}@example.com",
        )  # fmt: skip
        assert code == 1
        assert f"your role in CLOUD is {role}; manager or above is needed" in flat(out)
    assert stored_action(engine, booked) is not None
    assert stored_action(engine, asked) is not None

    code, out = podium(
        "risk", "action", "delete", "CLOUD", "R1", str(booked), "--yes", "--as", "lea@example.com"
    )
    assert code == 0, out
    assert flat(out) == (
        f"Deleted action {booked} on R1 (Book the auditors, open); 0 open action(s) left on R1."
    )
    assert stored_action(engine, booked) is None and stored_action(engine, asked) is not None
    assert ("delete", "lea@example.com") in [a[:2] for a in audited(engine, "risk action")]
    code, out = podium("risk", "action", "delete", "CLOUD", "R1", str(booked), "--yes")
    assert code == 1 and f"action {booked} of risk R1 not found" in flat(out)
    code, out = podium("risk", "action", "delete", "CLOUD", "R2", str(asked), "--yes")
    assert code == 1 and f"action {asked} of risk R2 not found" in flat(out)
    assert stored_action(engine, asked) is not None


# --- risk rules -------------------------------------------------------------------------


DEFAULTS = (
    "A live risk goes to program level when it scores 15 or more, or when it is linked to "
    "more than one project; a program-level risk scoring 20 or more goes on the steering "
    "agenda."
)


def stored_rules(engine: Engine) -> tuple[int | None, bool, int | None, int] | None:
    with Session(engine) as session:
        row = session.scalar(select(RiskRules))
        if row is None:
            return None
        return row.program_score, row.cross_project, row.steering_score, row.version


def test_rules_are_said_in_a_sentence_to_anyone_who_can_read_the_program(
    register: Program, engine: Engine
) -> None:
    code, out = podium("risk", "rules", "CLOUD", "--as", "vic@example.com")
    assert code == 0, out
    assert flat(out) == (
        "CLOUD escalation rules (the defaults: no one has changed them): " + DEFAULTS
    )
    assert escalations(engine) == {
        "R1": "program", "R2": "steering", "R3": "program", "R4": "none", "R5": "none",
    }  # fmt: skip
    code, out = podium("risk", "rules", "NOPE")
    assert code == 1 and "NOPE" in out
    code, out = podium("risk", "rules", "CLOUD", "--as", "bo@example.com")
    assert code == 1  # not a member: the program is not even shown
    assert stored_rules(engine) is None


def test_changing_the_rules_re_evaluates_every_live_risk_and_names_those_that_moved(
    register: Program, engine: Engine
) -> None:
    code, out = podium(
        "risk", "rules", "CLOUD", "--program-score", "10", "--no-cross-project",
        "--as", "lea@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert flat(out) == (
        "Changed CLOUD's escalation rules: program score 15 → 10; cross-project yes → no. "
        "A live risk goes to program level when it scores 10 or more; a program-level risk "
        "scoring 20 or more goes on the steering agenda. "
        "2 live risks moved: R4 task level → program level, R3 program level → project level."
    )
    assert stored_rules(engine) == (10, False, 20, 1)
    assert escalations(engine) == {
        "R1": "program", "R2": "steering", "R3": "none", "R4": "program", "R5": "none",
    }  # fmt: skip
    assert audited(engine, "risk rules") == [
        ("update", "lea@example.com", {"program_score": [15, 10], "cross_project": [True, False]})
    ]

    code, out = podium("risk", "rules", "CLOUD", "--no-steering-score", "--no-program-score")
    assert code == 0, out
    assert "program score 10 → off; steering score 20 → off." in flat(out)
    assert (
        "A live risk goes to program level never on its own (both rules are off); no risk goes "
        "on the steering agenda on its own."
    ) in flat(out)
    assert (
        "3 live risks moved: R2 the steering agenda → program level, R1 program level → project "
        "level, R4 program level → task level."
    ) in flat(out)
    assert stored_rules(engine) == (None, False, None, 2)
    assert set(escalations(engine).values()) == {"none"}

    code, out = podium(
        "risk", "rules", "CLOUD", "--program-score", "25", "--cross-project", "--steering-score",
        "25",
    )  # fmt: skip
    assert code == 0, out
    assert "1 live risk moved: R3 project level → program level." in flat(out)
    assert stored_rules(engine) == (25, True, 25, 3)


def test_rules_asked_as_they_are_change_nothing(register: Program, engine: Engine) -> None:
    code, out = podium(
        "risk", "rules", "CLOUD", "--program-score", "15", "--cross-project", "--as",
        "lea@example.com",
    )  # fmt: skip
    assert code == 0, out
    assert flat(out) == "Nothing changed: CLOUD's escalation rules already say so. " + DEFAULTS
    assert stored_rules(engine) is None and audited(engine, "risk rules") == []


def test_rules_refuse_bad_scores_both_ways_at_once_and_anyone_but_a_manager(
    register: Program, engine: Engine
) -> None:
    for args, message in (
        (("--program-score", "0"), "--program-score must be a score from 1 to 25, not 0"),
        (("--steering-score", "26"), "--steering-score must be a score from 1 to 25, not 26"),
        (("--program-score", "12", "--no-program-score"),
         "give --program-score or --no-program-score, not both"),
        (("--steering-score", "12", "--no-steering-score"),
         "give --steering-score or --no-steering-score, not both"),
        (("--program-score", "12", "--as", "mia@example.com"),
         "your role in CLOUD is member; manager or above is needed"),
        (("--no-cross-project", "--as", "vic@example.com"),
         "your role in CLOUD is viewer; manager or above is needed"),
        (("--cross-project", "--as", "mia@example.com"),  # as they are: still not theirs
         "your role in CLOUD is member; manager or above is needed"),
    ):  # fmt: skip
        code, out = podium("risk", "rules", "CLOUD", *args)
        assert code == 1, (args, out)
        assert message in flat(out), args
    code, out = podium("risk", "rules", "CLOUD", "--program-score", "high")
    assert code == 2  # not a number: Typer's usage error
    assert stored_rules(engine) is None
    assert escalations(engine)["R3"] == "program"
