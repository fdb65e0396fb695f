"""`podium alert list` and `podium alert show`: an over-allocation reads as the tasks that
collide (they overlap in time; none drives another), every other alert keeps its chain,
and `alert show` words everything an alert carries.

The over-allocations come from the plan of :mod:`tests.integration.test_over_allocation_shared`:
Nadia on PLAT-1 (4–8 Jan 2027) and PLAT-2 (4–6 Jan) is asked for 200 % on 3 working days;
Priya on DATA-1 in ALPHA and BX-1 in BETA, both from 4 January, is asked for 200 % on
the 5 working days of DATA-1, where BX-1 is work in one other program for ALPHA.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from podium.models import Alert, AlertKind, Program, Role, Severity
from tests.factories import add_member, make_program, make_user
from tests.integration.test_cli_programs import facts, flat, podium, table_rows
from tests.integration.test_over_allocation_shared import _plan, _priya_on_bx1

CHAIN = [
    {"type": "task", "id": 1, "key": "PLAT-1", "name": "Assess", "project_key": "PLAT",
     "early_finish": "2027-01-08"},
    {"type": "task", "id": 2, "key": "TRAIN-1", "name": "Train", "project_key": "TRAIN",
     "early_finish": "2027-01-15"},
    {"type": "milestone", "id": 1, "key": "M1", "name": "Trainers ready", "project_key": None,
     "early_finish": "2027-01-15"},
]  # fmt: skip

# one alert of each kind, with what its detector stores (the chain cut short)
EVERY_KIND: dict[AlertKind, dict[str, Any]] = {
    AlertKind.DEADLINE_MISSED: {
        "subject_type": "task", "subject_id": 2, "chain": CHAIN[:2],
        "details": {"forecast": "2027-01-15", "limit": "2027-01-13", "days_late": 2},
    },
    AlertKind.MILESTONE_TARGET_MISSED: {
        "subject_type": "milestone", "subject_id": 1, "chain": CHAIN,
        "details": {"forecast": "2027-01-15", "limit": "2027-01-08", "days_late": 5},
    },
    AlertKind.STARTED_SUCCESSOR_PUSHED: {
        "subject_type": "task", "subject_id": 2, "chain": CHAIN[:2],
        "details": {"actual_start": "2027-01-06", "required_start": "2027-01-11",
                    "days_late": 3, "upstream": "PLAT-1"},
    },
    AlertKind.CONSTRAINT_VIOLATED: {
        "subject_type": "task", "subject_id": 1, "chain": CHAIN[:1],
        "details": {"days_late": 4, "constraint": "fnlt"},
    },
    AlertKind.ACTUAL_AFTER_STATUS_DATE: {
        "subject_type": "task", "subject_id": 1, "chain": CHAIN[:1],
        "details": {"actual_start": "2027-02-01", "status_date": "2027-01-25"},
    },
    AlertKind.PAST_BASELINE: {
        "subject_type": "task", "subject_id": 2, "chain": CHAIN[:2],
        "details": {"forecast": "2027-01-15", "limit": "2027-01-08", "days_late": 5,
                    "upstream": "PLAT-1"},
    },
    AlertKind.OVER_ALLOCATION: {
        "subject_type": "resource", "subject_id": 7, "chain": CHAIN[:2],
        "details": {"resource_id": 7, "resource_key": "nadia", "days": 3,
                    "peak_utilization": 2.0, "other_programs": 0,
                    "periods": [{"start": "2027-01-04", "finish": "2027-01-06", "days": 3,
                                 "peak_demand": 2.0, "capacity": 1.0,
                                 "tasks": ["PLAT-1", "TRAIN-1"], "other_tasks": 0}]},
    },
    AlertKind.RISK_ESCALATED: {
        "subject_type": "risk", "subject_id": 3, "chain": [],
        "details": {"url": "/risks/3", "score": 20, "escalation": "steering"},
    },
    AlertKind.BENEFIT_OFF_TRACK: {
        "subject_type": "benefit", "subject_id": 4, "chain": [],
        "details": {"url": "/programs/1/benefits#benefit-4", "latest_value": 1179,
                    "latest_date": "2026-11-01", "expected_value": 1130.7,
                    "realization_pct": 5.8, "expected_pct": 19.2, "gap_points": -13.4},
    },
}  # fmt: skip


def raise_every_kind(
    db: Session, program: Program, record_ids: dict[str, int] | None = None
) -> dict[AlertKind, int]:
    """One open alert of each kind in the program: its id by kind (``record_ids``: the ids
    of the chain's tasks and milestone by key, when they are stored)."""
    found = {}
    for kind, stored in EVERY_KIND.items():
        chain = [{**s, "id": (record_ids or {}).get(s["key"], s["id"])} for s in stored["chain"]]
        values = {**stored, "chain": chain}
        alert = Alert(
            program_id=program.id,
            kind=kind,
            severity=Severity.HIGH,
            fingerprint=f"{kind.value}:test",
            title=f"A {kind.value.replace('_', ' ')} alert",
            message=f"What the {kind.value} detector says",
            projects=sorted({s["project_key"] for s in values["chain"] if s["project_key"]}),
            cross_project=len(values["chain"]) > 1,
            triggered_by="manager@example.com",
            **values,
        )
        db.add(alert)
        db.flush()
        found[kind] = alert.id
    db.commit()
    return found


def _alert_id(engine: Engine, program: str, resource: str) -> int:
    with Session(engine) as session:
        for a in session.scalars(
            select(Alert)
            .join(Program, Program.id == Alert.program_id)
            .where(Program.key == program, Alert.kind == AlertKind.OVER_ALLOCATION)
        ):
            if a.details["resource_key"] == resource:
                return a.id
    raise AssertionError(f"no over-allocation alert about {resource} in {program}")


# --- podium alert list -----------------------------------------------------------------


def test_alert_list_shows_an_over_allocation_as_the_tasks_that_collide_not_a_chain(
    cli_env: None, engine: Engine, db: Session
) -> None:
    s = _plan(db)
    _priya_on_bx1(db, s)
    code, out = podium("alert", "list", "ALPHA")
    assert code == 0, out
    assert "chain or colliding tasks" in flat(out)
    rows = {cells[2]: cells for first, cells in table_rows(out).items() if first.isdigit()}
    nadia = rows["Nadia over-allocated on 3 days from 4 Jan 2027"]
    priya = rows["Priya over-allocated on 5 days from 4 Jan 2027"]
    assert nadia[1] == "over allocation" and nadia[3] == "PLAT-1 (PLAT), PLAT-2 collide"
    # BX-1 is BETA's: ALPHA's readers learn that other work collides, never which
    assert priya[3] == "DATA-1 (DATA) collides with work in 1 other program"
    assert "→" not in out.split("colliding tasks")[1]


def test_alert_list_shows_every_kind_of_alert_each_with_its_chain_or_collision(
    cli_env: None, engine: Engine, db: Session
) -> None:
    program = make_program(db, key="KINDS")
    ids = raise_every_kind(db, program)
    code, out = podium("alert", "list", "KINDS")
    assert code == 0, out
    assert f"KINDS: {len(EVERY_KIND)} open alerts" in out
    rows = table_rows(out)
    for kind, alert_id in ids.items():
        severity, shown_kind, title, work, by, _seen = rows[str(alert_id)]
        assert (severity, shown_kind) == ("high", kind.value.replace("_", " "))
        assert title == f"A {kind.value.replace('_', ' ')} alert"
        assert by == "manager@example.com"
        expected = {
            AlertKind.MILESTONE_TARGET_MISSED: "PLAT-1 (PLAT) → TRAIN-1 (TRAIN) → M1",
            AlertKind.OVER_ALLOCATION: "PLAT-1 (PLAT), TRAIN-1 (TRAIN) collide",
            AlertKind.RISK_ESCALATED: "—",
            AlertKind.BENEFIT_OFF_TRACK: "—",
            AlertKind.CONSTRAINT_VIOLATED: "PLAT-1 (PLAT)",
            AlertKind.ACTUAL_AFTER_STATUS_DATE: "PLAT-1 (PLAT)",
        }.get(kind, "PLAT-1 (PLAT) → TRAIN-1 (TRAIN)")
        assert work == expected, kind


# --- podium alert show -----------------------------------------------------------------


def test_alert_show_words_an_over_allocations_peak_periods_and_work_elsewhere(
    cli_env: None, engine: Engine, db: Session
) -> None:
    s = _plan(db)
    _priya_on_bx1(db, s)
    alert_id = _alert_id(engine, "ALPHA", "priya")
    code, out = podium("alert", "show", "ALPHA", str(alert_id))
    assert code == 0, out
    assert f"Alert {alert_id} in ALPHA: Priya over-allocated on 5 days from 4 Jan 2027" in out
    said = facts(out)
    assert said["kind"] == "over allocation" and said["severity"] == "high"  # 200 %
    assert said["about"] == "resource priya"
    assert said["message"].startswith("Priya is asked for up to 200% of capacity")
    assert said["projects"] == "DATA" and said["cross-project"] == "yes"  # with BETA's work
    assert said["peak"] == "200% of capacity"
    assert said["over capacity"] == "5 working days"
    assert said["other programs"] == "work in 1 other program"
    assert said["period"] == (
        "4 Jan 2027 – 8 Jan 2027, 5 working days: demand up to 2 against capacity 1 (200%); "
        "DATA-1 and 1 task in other programs"
    )
    assert said["triggered by"] == "system" and said["resolved"] == "no, open"
    assert said["first detected"].endswith(" UTC") and said["last detected"].endswith(" UTC")
    assert "Colliding tasks (1), with work in 1 other program" in out
    assert table_rows(out)["DATA-1"] == ["Task DATA-1", "DATA", "2027-01-08"]
    assert "BX-1" not in out and "BETA" not in out  # other programs are counted, not named


def test_alert_show_of_a_resolved_over_allocation_says_when_it_was_resolved(
    cli_env: None, engine: Engine, db: Session
) -> None:
    s = _plan(db)
    _priya_on_bx1(db, s)
    alert_id = _alert_id(engine, "BETA", "priya")
    assert podium("unassign", "BETA", "BX-1", "priya")[0] == 0
    code, out = podium("alert", "show", "BETA", str(alert_id))
    assert code == 0, out
    resolved = facts(out)["resolved"]
    assert resolved.endswith(" UTC") and resolved[:10] == datetime.now(UTC).date().isoformat()


def test_alert_show_words_the_details_of_every_kind_and_keeps_the_chain_of_the_others(
    cli_env: None, engine: Engine, db: Session
) -> None:
    program = make_program(db, key="KINDS")
    ids = raise_every_kind(db, program)
    said: dict[AlertKind, dict[str, str]] = {}
    for kind, alert_id in ids.items():
        code, out = podium("alert", "show", "KINDS", str(alert_id))
        assert code == 0, out
        assert f"Alert {alert_id} in KINDS: A {kind.value.replace('_', ' ')} alert" in out
        said[kind] = facts(out)
        assert said[kind]["triggered by"] == "manager@example.com"
        if kind == AlertKind.OVER_ALLOCATION:
            assert "Colliding tasks (2)" in out and "Chain" not in out
        elif EVERY_KIND[kind]["chain"]:
            assert f"Chain, upstream → downstream ({len(EVERY_KIND[kind]['chain'])})" in out
            assert table_rows(out)["PLAT-1"] == ["Assess", "PLAT", "2027-01-08"]
        else:
            assert "Chain" not in out and "Colliding" not in out
    target = said[AlertKind.MILESTONE_TARGET_MISSED]
    assert target["about"] == "milestone M1"
    assert (target["forecast finish"], target["target"], target["late by"]) == (
        "2027-01-15",
        "2027-01-08",
        "5 working days",
    )
    assert said[AlertKind.DEADLINE_MISSED]["deadline"] == "2027-01-13"
    assert said[AlertKind.PAST_BASELINE]["baseline finish"] == "2027-01-08"
    assert said[AlertKind.PAST_BASELINE]["driven by"] == "PLAT-1"
    pushed = said[AlertKind.STARTED_SUCCESSOR_PUSHED]
    assert (pushed["actual start"], pushed["may start only on"], pushed["conflict"]) == (
        "2027-01-06",
        "2027-01-11",
        "3 working days",
    )
    assert said[AlertKind.CONSTRAINT_VIOLATED]["constraint"] == "finish no later than"
    assert said[AlertKind.ACTUAL_AFTER_STATUS_DATE]["status date"] == "2027-01-25"
    risk = said[AlertKind.RISK_ESCALATED]
    assert (risk["about"], risk["score"], risk["escalated to"], risk["page"]) == (
        "risk 3",
        "20",
        "the steering agenda",
        "/risks/3",
    )
    benefit = said[AlertKind.BENEFIT_OFF_TRACK]
    assert benefit["latest reading"] == "1,179 on 2026-11-01"
    assert (benefit["realized"], benefit["expected"], benefit["gap"]) == (
        "5.8 %",
        "19.2 %",
        "-13.4 points",
    )


def test_alert_show_of_an_alert_not_in_the_program_or_a_program_one_cannot_see_is_refused(
    cli_env: None, engine: Engine, db: Session
) -> None:
    program = make_program(db, key="KINDS")
    other = make_program(db, key="OTHER")
    ids = raise_every_kind(db, program)
    viewer = make_user(db, email="viewer@example.com")
    add_member(db, other, viewer, Role.VIEWER)
    alert_id = str(ids[AlertKind.OVER_ALLOCATION])
    code, out = podium("alert", "show", "OTHER", alert_id)
    assert code == 1 and f"OTHER has no alert {alert_id}" in flat(out)
    code, out = podium("alert", "show", "KINDS", "999999")
    assert code == 1 and "KINDS has no alert 999999" in flat(out)
    code, out = podium("alert", "show", "KINDS", alert_id, "--as", "viewer@example.com")
    assert code == 1 and "no program with key or id 'KINDS'" in flat(out)
    assert podium("alert", "show", "OTHER", alert_id, "--as", "viewer@example.com")[0] == 1
