"""`podium stakeholder …` and `podium lesson …` on a real database (SQLite and PostgreSQL).

Ana manages CLOUD, Sam and Tess are members, Erin a viewer; Omar has an account
but no role in CLOUD. OPS is another program.
"""

from __future__ import annotations

import pytest
from annotated_types import MaxLen
from pydantic import BaseModel
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from podium.api.governance import StakeholderCreate
from podium.api.retrospective import LessonIn
from podium.cli import lessons as lesson_cli
from podium.cli import stakeholders as stakeholder_cli
from podium.models import Program, Role
from podium.models.governance import Lesson, Stakeholder
from podium.services.actor import SYSTEM
from podium.services.governance import retrospective, stakeholders
from tests.factories import add_member, make_program, make_user
from tests.integration.test_cli_programs import flat, podium, table_rows


def _cloud(db: Session) -> Program:
    """CLOUD with its members, Maria (5/5) and Dana (5/3) on the grid, and OPS."""
    cloud = make_program(db, key="CLOUD")
    for email, name, role in (
        ("ana@example.com", "Ana Lima", Role.MANAGER),
        ("sam@example.com", "Sam Okoro", Role.MEMBER),
        ("tess@example.com", "Tess Hall", Role.MEMBER),
        ("erin@example.com", "Erin Walsh", Role.VIEWER),
    ):
        add_member(db, cloud, make_user(db, email=email, name=name), role)
    make_user(db, email="omar@example.com", name="Omar Haddad")
    make_program(db, key="OPS", name="Operations")
    stakeholders.add_stakeholder(
        db, SYSTEM, program_id=cloud.id, name="Maria Lopez", role="Program sponsor",
        influence=5, interest=5, reports=["status_report", "decision_log"],
    )  # fmt: skip
    stakeholders.add_stakeholder(
        db, SYSTEM, program_id=cloud.id, name="Dana Reyes", role="COO", influence=5, interest=3
    )
    db.commit()
    return cloud


def people(engine: Engine) -> dict[str, Stakeholder]:
    with Session(engine) as session:
        return {s.name: s for s in session.scalars(select(Stakeholder))}


def lessons(engine: Engine) -> list[Lesson]:
    with Session(engine) as session:
        return list(session.scalars(select(Lesson).order_by(Lesson.id)))


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


# --- stakeholders ------------------------------------------------------------------------


def test_list_shows_the_grid_the_most_influential_first(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _cloud(db)
    code, out = podium("stakeholder", "list", "CLOUD")
    assert code == 0, out
    assert "2 stakeholders of CLOUD" in out
    rows = list(table_rows(out).values())
    maria, dana = people(engine)["Maria Lopez"], people(engine)["Dana Reyes"]
    assert table_rows(out)[str(maria.id)][:7] == [
        "Maria Lopez", "Program sponsor", "", "5", "5", "Manage closely",
        "status-report, decision-log",
    ]  # fmt: skip
    assert rows[1][0] == "Dana Reyes" and table_rows(out)[str(dana.id)][6] == "—"
    code, out = podium("stakeholder", "list", "OPS")
    assert code == 0 and "No stakeholder in OPS yet" in flat(out)
    code, out = podium("stakeholder", "list", "NOPE")
    assert code == 1 and "no program with key or id 'NOPE'" in flat(out)


def test_add_stores_every_field_and_links_a_users_account(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _cloud(db)
    code, out = podium(
        "stakeholder", "add", "CLOUD", "Omar Haddad", "--role", "Head of support",
        "--organization", "Customer support", "--email", "OMAR@example.com",
        "--influence", "2", "--interest", "5", "--report", "status-report",
        "--report", "review_agenda", "--notes", "Runs the service afterwards",
        "--as", "ana@example.com",
    )  # fmt: skip
    assert code == 0, out
    omar = people(engine)["Omar Haddad"]
    assert (
        f"Added stakeholder {omar.id} Omar Haddad to CLOUD (influence 2, interest 5: keep "
        "informed; receives status-report, review-agenda; linked to their Podium account)."
    ) in flat(out)
    assert (omar.role, omar.organization, omar.email, omar.notes) == (
        "Head of support", "Customer support", "OMAR@example.com", "Runs the service afterwards"
    )  # fmt: skip
    assert (omar.influence, omar.interest, omar.reports) == (
        2,
        5,
        ["status_report", "review_agenda"],
    )
    assert omar.user_id is not None
    code, out = podium("stakeholder", "add", "CLOUD", "Client advisory board")
    assert code == 0, out
    board = people(engine)["Client advisory board"]
    assert (board.influence, board.interest, board.reports, board.user_id) == (3, 3, [], None)
    assert "(influence 3, interest 3: manage closely; receives no report)." in flat(out)
    code, out = podium("stakeholder", "add", "CLOUD", "  ")
    assert code == 1 and "NAME must not be blank" in flat(out)
    assert len(people(engine)) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--influence", "6"), "--influence is between 1 and 5, not 6"),
        (("--interest", "0"), "--interest is between 1 and 5, not 0"),
        (("--report", "gossip"), "--report is one of status_report, review_agenda"),
        (("--email", "x" * 321), "--email is at most 320 characters, not 321"),
        (("--as", "sam@example.com"), "manager or above"),
        (("--as", "omar@example.com"), "no program with key or id"),
    ],
)
def test_add_refuses_what_the_api_refuses(
    cli_env: None, engine: Engine, db: Session, args: tuple[str, ...], message: str
) -> None:
    _cloud(db)
    code, out = podium("stakeholder", "add", "CLOUD", "Tom Becker", *args)
    assert code == 1
    assert message in flat(out)
    assert count(engine, Stakeholder) == 2


def test_set_changes_only_what_is_given_and_says_how_to_engage_now(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _cloud(db)
    code, out = podium(
        "stakeholder", "set", "CLOUD", "dana reyes", "--influence", "2", "--role",
        "Chief operating officer", "--report", "change-requests", "--as", "ana@example.com",
    )  # fmt: skip
    assert code == 0, out
    dana = people(engine)["Dana Reyes"]
    text = flat(out)
    assert f"Updated stakeholder {dana.id} Dana Reyes:" in text
    assert "role COO → Chief operating officer" in text
    assert "influence 5 → 2" in text and "reports — → change-requests" in text
    assert "engage Manage closely → Keep informed" in text
    assert (dana.role, dana.influence, dana.interest, dana.reports, dana.version) == (
        "Chief operating officer", 2, 3, ["change_requests"], 2
    )  # fmt: skip
    maria = people(engine)["Maria Lopez"]
    code, out = podium("stakeholder", "set", "CLOUD", str(maria.id), "--no-reports")
    assert code == 0 and "reports status-report, decision-log → —" in flat(out)
    assert people(engine)["Maria Lopez"].reports == []
    code, out = podium("stakeholder", "set", "CLOUD", "Maria Lopez", "--influence", "5")
    assert code == 0 and "Nothing changed" in flat(out)


def test_set_and_delete_refuse_an_unknown_or_ambiguous_stakeholder_and_bad_input(
    cli_env: None, engine: Engine, db: Session
) -> None:
    cloud = _cloud(db)
    twin = stakeholders.add_stakeholder(db, SYSTEM, program_id=cloud.id, name="dana reyes")
    db.commit()
    for who, args, message in (
        ("Tom", ("--influence", "2"), "no stakeholder 'Tom' in CLOUD"),
        ("Dana Reyes", ("--influence", "2"), "2 stakeholders are named 'Dana Reyes': give the"),
        ("Maria Lopez", (), "nothing to change"),
        ("Maria Lopez", ("--report", "decision-log", "--no-reports"), "give --report or"),
        ("Maria Lopez", ("--name", ""), "--name must not be blank"),
        ("Maria Lopez", ("--interest", "9"), "--interest is between 1 and 5, not 9"),
        ("Maria Lopez", ("--interest", "2", "--as", "sam@example.com"), "manager or above"),
    ):
        code, out = podium("stakeholder", "set", "CLOUD", who, *args)
        assert code == 1 and message in flat(out), args
    assert people(engine)["Maria Lopez"].version == 1
    code, out = podium("stakeholder", "delete", "CLOUD", "Dana Reyes")
    assert code == 1 and f"({people(engine)['Dana Reyes'].id}, {twin.id})" in flat(out)
    code, out = podium("stakeholder", "delete", "CLOUD", "Maria Lopez", "--as", "erin@example.com")
    assert code == 1 and "manager or above" in flat(out)
    assert count(engine, Stakeholder) == 3


def test_delete_removes_a_stakeholder_by_number_or_name(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _cloud(db)
    maria = people(engine)["Maria Lopez"]
    code, out = podium("stakeholder", "delete", "CLOUD", str(maria.id), "--as", "ana@example.com")
    assert code == 0, out
    assert f"Removed stakeholder {maria.id} Maria Lopez from CLOUD." in out
    code, out = podium("stakeholder", "delete", "CLOUD", "DANA REYES")
    assert code == 0, out
    assert people(engine) == {}
    code, out = podium("stakeholder", "delete", "OPS", "Maria Lopez")
    assert code == 1 and "no stakeholder 'Maria Lopez' in OPS" in flat(out)


# --- lessons -------------------------------------------------------------------------------


def test_members_record_lessons_and_everyone_reads_them(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _cloud(db)
    code, out = podium("lesson", "list", "CLOUD")
    assert code == 0 and "No lesson in CLOUD yet" in flat(out)
    code, out = podium("lesson", "add", "CLOUD", "Weekly dependency checks caught slips early",
                       "--category", "went-well", "--as", "sam@example.com")  # fmt: skip
    assert code == 0, out
    first = lessons(engine)[0]
    assert (first.category, first.text, first.recorded_by) == (
        "went_well", "Weekly dependency checks caught slips early", "sam@example.com"
    )  # fmt: skip
    assert (
        f"Recorded lesson {first.id} in CLOUD (what went well): Weekly dependency checks caught"
    ) in flat(out)
    code, out = podium("lesson", "add", "CLOUD", "Book the landing zone early")
    assert code == 0, out
    assert lessons(engine)[1].category == "improve" and "(what to do differently)" in out
    code, out = podium("lesson", "list", "CLOUD")
    assert code == 0, out
    rows = table_rows(out)
    assert "2 lessons of CLOUD" in out
    assert rows[str(first.id)][:3] == [
        "What went well", "Weekly dependency checks caught slips early", "sam@example.com"
    ]  # fmt: skip
    assert rows[str(lessons(engine)[1].id)][2] == "system"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("  ",), "TEXT must not be blank"),
        (("x" * 20_001,), "TEXT is at most 20000 characters, not 20001"),
        (("Plan less", "--category", "meh"), "--category is one of went-well, improve"),
        (("Plan less", "--as", "erin@example.com"), "member or above"),
        (("Plan less", "--as", "nobody@example.com"), "no user with email nobody@example.com"),
    ],
)
def test_add_refuses_bad_input_and_records_nothing(
    cli_env: None, engine: Engine, db: Session, args: tuple[str, ...], message: str
) -> None:
    _cloud(db)
    code, out = podium("lesson", "add", "CLOUD", *args)
    assert code == 1
    assert message in flat(out)
    assert lessons(engine) == []


def test_only_whoever_recorded_a_lesson_or_a_manager_removes_it(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _cloud(db)
    ops = db.scalars(select(Program).where(Program.key == "OPS")).one()
    code, out = podium("lesson", "add", "CLOUD", "Plan less", "--as", "sam@example.com")
    assert code == 0, out
    mine = lessons(engine)[0]
    elsewhere = retrospective.add_lesson(db, SYSTEM, ops.id, text="Other program")
    db.commit()
    for who, message in (
        ("tess@example.com", "only whoever recorded a lesson, or a manager, can remove it"),
        ("erin@example.com", "member or above"),
    ):
        code, out = podium("lesson", "delete", "CLOUD", str(mine.id), "--as", who)
        assert code == 1 and message in flat(out), who
    code, out = podium("lesson", "delete", "CLOUD", str(elsewhere.id))
    assert code == 1 and f"no lesson {elsewhere.id} in CLOUD" in flat(out)
    assert len(lessons(engine)) == 2
    code, out = podium("lesson", "delete", "CLOUD", str(mine.id), "--as", "sam@example.com")
    assert code == 0, out
    assert f"Removed lesson {mine.id} (Plan less) from CLOUD." in out
    code, out = podium("lesson", "add", "CLOUD", "Plan more", "--as", "tess@example.com")
    assert code == 0, out
    theirs = lessons(engine)[-1]
    code, out = podium("lesson", "delete", "CLOUD", str(theirs.id), "--as", "ana@example.com")
    assert code == 0, out
    assert [lesson.text for lesson in lessons(engine)] == ["Other program"]


# --- the API's limits ----------------------------------------------------------------------


def _max_length(model: type[BaseModel], field: str) -> int:
    return next(m.max_length for m in model.model_fields[field].metadata if isinstance(m, MaxLen))


def test_the_limits_are_the_apis() -> None:
    assert {
        option: _max_length(StakeholderCreate, field)
        for option, field in stakeholder_cli.FIELDS.items()
    } == stakeholder_cli.TEXT_LENGTHS
    assert _max_length(LessonIn, "text") == lesson_cli.TEXT_LENGTH
