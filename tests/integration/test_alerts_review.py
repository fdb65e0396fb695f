"""Alerts raised by commands: the chain names the work that really drives, the alert names
who made the change, and work pushed past its baseline by another project is flagged.

Program start Monday 1 March 2027, Mon–Fri.

The chain (made with the commands): P-1 (16 d) runs 1–22 March, Q-1 (12 d) 1–16 March,
R-1 (1 d, deadline Tuesday 16 March) waits on P-1 with FS -5 (which allows Tuesday 16)
and on Q-1 (Wednesday 17): Q-1 holds R-1, one working day past its deadline.

The baseline plan: PLAT-1 (5 d) 1–5 March; DATA-1 (3 d) after it, 8–10 March; DATA-2
(2 d) after DATA-1, 11–12 March; program milestone M1 after DATA-2, Friday 12 March.
PLAT-1 taking 7 days moves DATA-1 to 10–12 March, DATA-2 to 15–16 and M1 to Tuesday
16 March, each two working days past its baseline.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from podium.models import Alert, Program, Role, WebhookDelivery
from podium.services import webhooks
from podium.services.actor import SYSTEM
from tests.factories import add_member, make_program, make_user
from tests.integration.test_cli_programs import flat, podium

LI = "li@podium.local"


def _ok(*args: str) -> str:
    code, out = podium(*args)
    assert code == 0, out
    return out


def alerts(engine: Engine, *, kind: str | None = None, open_only: bool = True) -> list[Alert]:
    with Session(engine) as session:
        query = select(Alert).order_by(Alert.id)
        if kind is not None:
            query = query.where(Alert.kind == kind)
        if open_only:
            query = query.where(Alert.resolved_at.is_(None))
        return list(session.scalars(query))


def keys(alert: Alert) -> list[str]:
    return [step["key"] for step in alert.chain]


def _chain_program(db: Session) -> None:
    make_user(db, email=LI)
    _ok("program", "create", "CHAIN", "--name", "Chain test", "--start", "2027-03-01",
        "--owner", LI)  # fmt: skip
    for key in ("P", "Q", "R"):
        _ok("project", "add", "CHAIN", key, "--name", f"Project {key}")
    _ok("task", "add", "CHAIN", "--project", "P", "--name", "P one", "--duration", "16")
    _ok("task", "add", "CHAIN", "--project", "Q", "--name", "Q one", "--duration", "12")
    _ok("task", "add", "CHAIN", "--project", "R", "--name", "R one", "--duration", "1",
        "--deadline", "2027-03-16")  # fmt: skip


def test_the_chain_names_the_link_that_holds_the_task_not_the_latest_anchor_plus_lag(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _chain_program(db)
    _ok("task", "link", "CHAIN", "R-1", "--after", "P-1", "--lag", "-5", "--as", LI)
    assert alerts(engine) == []  # R-1 may start Tuesday 16: its deadline holds
    _ok("task", "link", "CHAIN", "R-1", "--after", "Q-1", "--as", LI)
    (missed,) = alerts(engine)
    assert missed.kind.value == "deadline_missed"
    assert missed.title == "R-1 R one finishes 1 working day after its deadline"
    assert keys(missed) == ["Q-1", "R-1"]
    assert missed.projects == ["Q", "R"] and missed.cross_project is True


def test_an_alert_raised_by_a_command_names_who_acted_and_the_system_otherwise(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _chain_program(db)
    _ok("task", "link", "CHAIN", "R-1", "--after", "Q-1", "--as", LI)
    (missed,) = alerts(engine)
    assert missed.triggered_by == LI
    _ok("task", "set", "CHAIN", "R-1", "--deadline", "2027-03-18")  # no --as: the system
    _ok("task", "set", "CHAIN", "R-1", "--deadline", "2027-03-15")
    resolved, again = alerts(engine, open_only=False)
    assert resolved.resolved_at is not None and again.resolved_at is None
    assert again.triggered_by == ""


def test_a_risk_owner_named_by_a_command_is_not_taken_for_who_acted(
    cli_env: None, engine: Engine, db: Session
) -> None:
    """The first person a command resolves acts; the others are people it names."""
    from podium.cli._app import ACTING, actor_for
    from podium.services.scheduling.pending import ACTOR_EMAIL

    make_user(db, email=LI)
    make_user(db, email="sam@podium.local")
    with Session(engine) as session:
        actor_for(session, LI)
        actor_for(session, "sam@podium.local")  # e.g. --owner
        assert (session.info[ACTING], session.info[ACTOR_EMAIL]) == (LI, LI)
    with Session(engine) as session:
        actor_for(session, None)
        actor_for(session, "sam@podium.local")
        assert session.info[ACTING] == "system" and ACTOR_EMAIL not in session.info


# --- work pushed past its baseline ---------------------------------------------------------


def _baseline_program(db: Session) -> None:
    owner = make_user(db, email=LI)
    program = make_program(db, owner=owner, key="CLOUD", start_date=date(2027, 3, 1))
    add_member(db, program, make_user(db, email="erin@podium.local"), Role.MANAGER)
    webhooks.subscribe(
        db, SYSTEM, program.id, url="https://hooks.example.com/", events=[], allow_private=True
    )
    db.commit()
    for key in ("PLAT", "DATA"):
        _ok("project", "add", "CLOUD", key, "--name", f"Project {key}")
    _ok("task", "add", "CLOUD", "--project", "PLAT", "--name", "Landing zone", "--duration", "5")
    _ok("task", "add", "CLOUD", "--project", "DATA", "--name", "Load data", "--duration", "3")
    _ok("task", "add", "CLOUD", "--project", "DATA", "--name", "Check data", "--duration", "2")
    _ok("milestone", "add", "CLOUD", "--name", "Go-live", "--key", "M1")
    _ok("task", "link", "CLOUD", "DATA-1", "--after", "PLAT-1")
    _ok("task", "link", "CLOUD", "DATA-2", "--after", "DATA-1")
    _ok("milestone", "link", "CLOUD", "M1", "--after", "DATA-2")
    _ok("baseline", "take", "CLOUD", "--name", "Plan of record")


def _kinds(engine: Engine, event: str) -> list[str]:
    """The kinds of the alerts in the webhook events queued for ``event``."""
    with Session(engine) as session:
        rows = session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.event == event)
            .order_by(WebhookDelivery.id)
        )
        return sorted(str(row.payload["data"]["kind"]) for row in rows)


def test_an_upstream_slip_flags_the_work_it_pushes_past_its_baseline_across_projects(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _baseline_program(db)
    assert alerts(engine) == []
    _ok("task", "set", "CLOUD", "PLAT-1", "--duration", "7", "--as", "erin@podium.local")
    pushed, milestone = alerts(engine, kind="past_baseline")
    assert (pushed.subject_type, milestone.subject_type) == ("task", "milestone")
    assert pushed.title == (
        "DATA-1 Load data finishes 2 working days past its baseline, pushed by PLAT-1 in PLAT"
    )
    assert pushed.message == (
        "forecast finish 2027-03-12, baseline 2027-03-10; driven by PLAT-1 Landing zone (PLAT)"
    )
    assert pushed.details == {
        "forecast": "2027-03-12",
        "limit": "2027-03-10",
        "days_late": 2,
        "upstream": "PLAT-1",
    }
    assert keys(pushed) == ["PLAT-1", "DATA-1"] and pushed.cross_project is True
    assert milestone.title == "Milestone M1 Go-live is forecast 2 working days past its baseline"
    assert keys(milestone) == ["PLAT-1", "DATA-1", "DATA-2", "M1"]
    # lower than a missed deadline or target; who made the change
    assert {a.severity.value for a in (pushed, milestone)} == {"low"}
    assert {a.triggered_by for a in (pushed, milestone)} == {"erin@podium.local"}
    # DATA-2 is late too, but its own project's DATA-1 holds it: DATA-1's alert tells it
    assert _kinds(engine, "alert.raised") == ["past_baseline"] * 2

    _ok("task", "set", "CLOUD", "PLAT-1", "--duration", "9")
    still = alerts(engine, kind="past_baseline")
    assert [a.id for a in still] == [pushed.id, milestone.id]
    assert still[0].details["days_late"] == 4 and "4 working days" in still[0].title
    _ok("task", "set", "CLOUD", "PLAT-1", "--duration", "16")
    assert {a.severity.value for a in alerts(engine, kind="past_baseline")} == {"medium"}

    _ok("task", "set", "CLOUD", "PLAT-1", "--duration", "5")
    assert alerts(engine) == []
    gone = alerts(engine, kind="past_baseline", open_only=False)
    assert [a.id for a in gone] == [pushed.id, milestone.id]
    assert all(a.resolved_at is not None for a in gone)
    assert _kinds(engine, "alert.resolved") == ["past_baseline"] * 2


def test_a_slip_within_one_project_flags_only_the_program_milestone(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _baseline_program(db)
    _ok("task", "set", "CLOUD", "DATA-1", "--duration", "5")
    (milestone,) = alerts(engine)
    assert (milestone.kind.value, milestone.subject_type) == ("past_baseline", "milestone")
    assert keys(milestone) == ["PLAT-1", "DATA-1", "DATA-2", "M1"]  # the work that drives it
    # DATA-1 is late by its own doing, DATA-2 by DATA-1's: their project's business


def test_a_milestone_past_its_target_is_not_flagged_for_its_baseline_as_well(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _baseline_program(db)
    _ok("task", "set", "CLOUD", "PLAT-1", "--duration", "7")
    _ok("milestone", "set", "CLOUD", "M1", "--target", "2027-03-12")
    current = {(a.kind.value, a.subject_type) for a in alerts(engine)}
    assert current == {("past_baseline", "task"), ("milestone_target_missed", "milestone")}
    code, out = podium("alert", "list", "CLOUD")
    assert code == 0 and "past baseline" in out and "milestone target missed" in flat(out)


def test_work_pushed_past_its_baseline_across_projects_turns_its_project_amber(
    cli_env: None, engine: Engine, db: Session
) -> None:
    """The conflict_alerts health rule judges these alerts as it judges the others: an
    open cross-project alert, from low severity, makes what it is about amber."""
    from podium.services.health import program_health

    _baseline_program(db)
    _ok("task", "set", "CLOUD", "PLAT-1", "--duration", "7")
    with Session(engine) as session:
        program = session.scalar(select(Program).where(Program.key == "CLOUD"))
        assert program is not None
        report = program_health(session, SYSTEM, program.id).report
    data = report.projects["DATA"]
    flagged = [r for r in data.reasons if r.rule == "conflict_alerts"]
    assert flagged and data.status in ("amber", "red")
    assert any("pushed by PLAT-1 in PLAT" in r.message for r in flagged)
    assert report.tasks["DATA-1"].status in ("amber", "red")
