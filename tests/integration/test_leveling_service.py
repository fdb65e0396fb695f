"""Leveling a stored program: the preview, applying it as holds, and what never moves."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.errors import Conflict, Forbidden, NotFound, ValidationFailed
from podium.models import Alert, AlertKind, LevelingPreview, Milestone, Role, Task
from podium.models import Dependency as DependencyRow
from podium.services import programs
from podium.services.actor import SYSTEM, Actor
from podium.services.resources import assignments, catalog, holds, leveling, previews
from podium.services.uow import complete
from tests.factories import add_member, make_program, make_project, make_task, make_user


def day(d: int) -> date:
    return date(2027, 1, d)


def _contested(db: Session) -> tuple[int, Task, Task, Milestone]:
    """PLAT-1 (5 d) and SEC-1 (3 d) both need Ana from Mon 4 Jan; SEC-1 → M1 (target Fri 8)."""
    # over-allocations are alerted from the status date on (today without one)
    program = make_program(db, key="LEV", start_date=day(4), status_date=day(4))
    plat, sec = make_project(db, program, "PLAT"), make_project(db, program, "SEC")
    a = make_task(db, plat, "PLAT-1")
    b = make_task(db, sec, "SEC-1", duration=3)
    m1 = Milestone(program_id=program.id, key="M1", name="Secure", target_date=day(8))
    db.add(m1)
    db.flush()
    db.add(
        DependencyRow(program_id=program.id, predecessor_task_id=b.id, successor_milestone_id=m1.id)
    )
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana")
    for task in (a, b):
        assignments.create_assignment(db, SYSTEM, task_id=task.id, resource_id=ana.id)
    complete(db)
    return program.id, a, b, m1


def _over_alerts(db: Session, program_id: int) -> int:
    return len(
        list(
            db.scalars(
                select(Alert.id).where(
                    Alert.program_id == program_id,
                    Alert.kind == AlertKind.OVER_ALLOCATION,
                    Alert.resolved_at.is_(None),
                )
            )
        )
    )


def test_the_preview_delays_the_task_with_more_float_and_writes_nothing(db: Session) -> None:
    program_id, a, _b, _m1 = _contested(db)
    outcome = leveling.level_program(db, SYSTEM, program_id)
    # SEC-1 drives M1 and has less float: it goes first (Mon 4–Wed 6), PLAT-1 waits
    assert [
        (m["key"], m["start_after"], m["finish_after"], m["finish_delay_days"])
        for m in outcome.moves
    ] == [("PLAT-1", day(7), day(13), 3)]
    assert outcome.milestones == []  # M1 keeps Wed 6
    assert (outcome.over_allocated_days_before, outcome.over_allocated_days_after) == (3, 0)
    assert (outcome.finish_before, outcome.finish_after) == (day(8), day(13))
    assert outcome.unchanged_tasks == 1 and not outcome.applied
    assert outcome.other_programs == []  # Ana works for this program only
    db.refresh(a)
    assert a.leveled_start is None and a.early_start == day(4)


def test_applying_stores_holds_the_schedule_keeps_and_resolves_the_alert(db: Session) -> None:
    program_id, a, b, _ = _contested(db)
    assert _over_alerts(db, program_id) == 1
    preview = leveling.level_program(db, SYSTEM, program_id)
    leveling.level_program(
        db, SYSTEM, program_id, apply=True, schedule_token=preview.schedule_token
    )
    complete(db)
    db.refresh(a)
    db.refresh(b)
    assert (a.leveled_start, a.early_start, a.early_finish) == (day(7), day(7), day(13))
    assert b.leveled_start is None and b.early_start == day(4)
    assert _over_alerts(db, program_id) == 0
    assert holds.check_applied(db, program_id) == []
    # a later edit keeps the leveled dates; clearing the holds brings the conflict back
    db.refresh(b)
    b.name = "Security review"
    complete(db)
    db.refresh(a)
    assert a.early_start == day(7)
    assert holds.clear_leveling(db, SYSTEM, program_id) == 1
    complete(db)
    db.refresh(a)
    assert a.early_start == day(4) and _over_alerts(db, program_id) == 1


def test_apply_is_refused_when_the_plan_changed_since_the_preview(db: Session) -> None:
    program_id, a, _, _ = _contested(db)
    preview = leveling.level_program(db, SYSTEM, program_id)
    db.refresh(a)
    a.duration = 6
    complete(db)
    with pytest.raises(Conflict, match="changed since"):
        leveling.level_program(
            db, SYSTEM, program_id, apply=True, schedule_token=preview.schedule_token
        )


def test_started_work_never_moves(db: Session) -> None:
    program = make_program(db, key="LEV", start_date=day(4), status_date=day(5))
    plat = make_project(db, program, "PLAT")
    started = make_task(db, plat, "PLAT-1", actual_start=day(4), percent_complete=20)
    waiting = make_task(db, plat, "PLAT-2", duration=2)
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana")
    for task in (waiting, started):
        assignments.create_assignment(db, SYSTEM, task_id=task.id, resource_id=ana.id)
    complete(db)
    outcome = leveling.level_program(db, SYSTEM, program.id, method="optimal", time_limit=5)
    assert [m["key"] for m in outcome.moves] == ["PLAT-2"]
    assert outcome.optimal and outcome.over_allocated_days_after == 0


def test_weights_name_tasks_milestones_or_projects(db: Session) -> None:
    program_id, *_ = _contested(db)
    outcome = leveling.level_program(
        db, SYSTEM, program_id, method="optimal", time_limit=5, weights={"PLAT": 10}
    )
    # with PLAT weighted, SEC-1 waits instead and M1 moves past its target
    assert [m["key"] for m in outcome.moves] == ["SEC-1"]
    assert [(m["key"], m["misses_target"]) for m in outcome.milestones] == [("M1", True)]
    with pytest.raises(ValidationFailed, match="weights"):
        leveling.level_program(db, SYSTEM, program_id, method="optimal", weights={"NOPE": 1})
    with pytest.raises(ValidationFailed, match="optimal"):
        leveling.level_program(db, SYSTEM, program_id, weights={"PLAT": 1})
    with pytest.raises(ValidationFailed, match="time_limit") as refused:
        leveling.level_program(db, SYSTEM, program_id, time_limit=0)
    assert refused.value.details[0]["message"] == "more than 0 and at most 120 seconds"


def test_only_managers_level(db: Session) -> None:
    program_id, *_ = _contested(db)
    from podium.models import Program

    program = db.get(Program, program_id)
    assert program is not None
    member = make_user(db)
    add_member(db, program, member, Role.MEMBER)
    with pytest.raises(Forbidden):
        leveling.level_program(db, Actor.of(member), program_id)


@pytest.mark.parametrize("method", ["heuristic", "optimal"])
def test_a_person_shared_with_another_program_is_leveled_around_its_work(
    db: Session, method: str
) -> None:
    # ERP-1 (another program) has Ana Mon 4 – Wed 6; here LEV-1 (2 d) needs her from Mon 4
    erp = make_program(db, key="ERP", start_date=day(4), status_date=day(4))
    lev = make_program(db, key="LEV", start_date=day(4), status_date=day(4))
    theirs = make_task(db, make_project(db, erp, "ERP"), "ERP-1", duration=3)
    ours = make_task(db, make_project(db, lev, "PLAT"), "PLAT-1", duration=2)
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana")
    for task in (theirs, ours):
        assignments.create_assignment(db, SYSTEM, task_id=task.id, resource_id=ana.id)
    complete(db)
    outcome = leveling.level_program(db, SYSTEM, lev.id, method=method, time_limit=2, apply=True)
    assert [(m["key"], m["start_after"], m["finish_after"]) for m in outcome.moves] == [
        ("PLAT-1", day(7), day(8))
    ]
    assert (outcome.over_allocated_days_before, outcome.over_allocated_days_after) == (2, 0)
    assert outcome.other_programs == ["ERP"]
    complete(db)
    db.refresh(theirs)
    db.refresh(ours)
    assert (theirs.early_start, theirs.leveled_start) == (day(4), None)  # never moved
    assert (ours.early_start, ours.early_finish) == (day(7), day(8))
    assert _over_alerts(db, lev.id) == _over_alerts(db, erp.id) == 0


def test_applying_a_kept_preview_stores_exactly_it_without_leveling_again(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    program_id, a, b, _ = _contested(db)
    preview = leveling.level_program(db, SYSTEM, program_id)
    complete(db)
    assert preview.preview_id is not None

    def no_second_run(*_args: object) -> None:
        raise AssertionError("applying a kept preview must not level again")

    monkeypatch.setattr(leveling, "_run", no_second_run)
    applied = leveling.level_program(
        db, SYSTEM, program_id, apply=True, preview_id=preview.preview_id
    )
    complete(db)
    assert applied.applied and applied.preview_id == preview.preview_id
    assert applied.moves == preview.moves and applied.finish_after == preview.finish_after
    db.refresh(a)
    db.refresh(b)
    assert (a.leveled_start, a.early_start, a.early_finish) == (day(7), day(7), day(13))
    assert b.leveled_start is None and _over_alerts(db, program_id) == 0


def test_a_kept_preview_is_refused_once_the_plan_changed_or_for_another_program(
    db: Session,
) -> None:
    program_id, a, _, _ = _contested(db)
    preview = leveling.level_program(db, SYSTEM, program_id)
    complete(db)
    assert preview.preview_id is not None
    other = make_program(db, key="ERP")
    with pytest.raises(NotFound, match="no leveling preview"):
        leveling.level_program(db, SYSTEM, other.id, apply=True, preview_id=preview.preview_id)
    db.refresh(a)
    a.duration = 6
    complete(db)
    with pytest.raises(Conflict, match="changed since"):
        leveling.level_program(db, SYSTEM, program_id, apply=True, preview_id=preview.preview_id)
    db.rollback()
    db.refresh(a)
    assert a.leveled_start is None


def test_a_program_keeps_its_latest_previews_only(db: Session) -> None:
    program_id, *_ = _contested(db)
    ids = [leveling.level_program(db, SYSTEM, program_id).preview_id for _ in range(7)]
    complete(db)
    kept = db.scalars(
        select(LevelingPreview.id).where(LevelingPreview.program_id == program_id)
    ).all()
    assert sorted(kept) == ids[-previews.KEPT_PREVIEWS :]
    with pytest.raises(NotFound):
        leveling.level_program(db, SYSTEM, program_id, apply=True, preview_id=ids[0])


def test_a_program_with_kept_previews_is_deleted_with_them(db: Session) -> None:
    program_id, *_ = _contested(db)
    leveling.level_program(db, SYSTEM, program_id)
    complete(db)
    programs.delete_program(db, SYSTEM, program_id)
    complete(db)
    assert db.scalars(select(LevelingPreview.id)).all() == []


@pytest.mark.parametrize(("setting", "expected"), [(None, None), ("1", 1), ("3", 3)])
@pytest.mark.parametrize("method", ["heuristic", "optimal"])
def test_the_operator_chooses_how_many_threads_a_leveling_run_uses(
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
    setting: str | None,
    expected: int | None,
    method: str,
) -> None:
    from podium.config import get_settings

    program_id, *_ = _contested(db)
    seen: list[int | None] = []
    engine = {"heuristic": "level", "optimal": "level_optimal"}[method]
    real = getattr(leveling, engine)

    def counted(*args: Any, threads: int | None = None, **kwargs: Any) -> Any:
        seen.append(threads)
        return real(*args, threads=threads, **kwargs)

    monkeypatch.setattr(leveling, engine, counted)
    if setting is None:
        monkeypatch.delenv("PODIUM_LEVELING_THREADS", raising=False)
    else:
        monkeypatch.setenv("PODIUM_LEVELING_THREADS", setting)
    get_settings.cache_clear()
    try:
        outcome = leveling.level_program(
            db,
            SYSTEM,
            program_id,
            method=method,
            time_limit=1.0,  # type: ignore[arg-type]
        )
    finally:
        get_settings.cache_clear()
    assert seen == [expected]
    assert [m["key"] for m in outcome.moves] == ["PLAT-1"]
