"""Listing, renaming, discarding and deleting scenarios."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.errors import Conflict
from podium.models import (
    ChangeRequest,
    ChangeRequestStatus,
    Program,
    Role,
    Scenario,
    ScenarioStatus,
    utcnow,
)
from podium.services.actor import Actor, require_role
from podium.services.audit import record_change
from podium.services.common import apply_update, check_version, flush, paginate
from podium.services.scenarios._records import check_active, checked_texts, get_scenario, label

EDITABLE = frozenset({"name", "description"})


def list_scenarios(
    session: Session,
    actor: Actor,
    program_id: int,
    *,
    status: ScenarioStatus | None = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[Scenario], int]:
    """A program's scenarios, newest first (optionally of one status)."""
    require_role(session, actor, program_id, Role.VIEWER)
    query = select(Scenario).where(Scenario.program_id == program_id)
    if status is not None:
        query = query.where(Scenario.status == status)
    return paginate(session, query.order_by(Scenario.number.desc()), limit=limit, offset=offset)


def update_scenario(
    session: Session,
    actor: Actor,
    scenario_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Scenario:
    """Rename or describe an active scenario (managers); its copy takes the new name."""
    scenario = get_scenario(session, actor, scenario_id, needed=Role.MANAGER)
    check_version(scenario, expected_version)
    copy = check_active(scenario)
    updates = checked_texts({k: v for k, v in updates.items() if k in EDITABLE})
    if "name" in updates:
        copy.name = updates["name"]  # as long as a program's name may be (NAME_LENGTH)
    apply_update(
        session,
        actor,
        scenario,
        updates,
        program_id=scenario.program_id,
        expected_version=expected_version,
        label=label(scenario),
    )
    flush(session)
    return scenario


def _drop_copy(session: Session, scenario: Scenario) -> None:
    copy = session.get(Program, scenario.copy_program_id) if scenario.copy_program_id else None
    if copy is not None:
        session.delete(copy)  # the database removes everything in it (ON DELETE CASCADE)
    scenario.copy_program_id = None


def close(session: Session, actor: Actor, scenario: Scenario, status: ScenarioStatus) -> None:
    """Mark a scenario applied or discarded and remove its copy (audited)."""
    before = scenario.status.value
    _drop_copy(session, scenario)
    scenario.status = status
    scenario.closed_at = utcnow()
    scenario.closed_by = actor.email
    record_change(
        session,
        actor,
        program_id=scenario.program_id,
        entity_type="scenario",
        entity_id=scenario.id,
        action="apply" if status == ScenarioStatus.APPLIED else "discard",
        changes={"status": [before, status.value]},
        label=label(scenario),
    )
    flush(session)


def discard_scenario(
    session: Session, actor: Actor, scenario_id: int, *, expected_version: int | None = None
) -> Scenario:
    """Give a scenario up (managers): its copy is deleted; the record stays, discarded."""
    scenario = get_scenario(session, actor, scenario_id, needed=Role.MANAGER)
    check_version(scenario, expected_version)
    check_active(scenario)
    close(session, actor, scenario, ScenarioStatus.DISCARDED)
    return scenario


def delete_scenario(
    session: Session, actor: Actor, scenario_id: int, *, expected_version: int | None = None
) -> None:
    """Remove a scenario and its copy altogether (managers); refused (409
    ``scenario_in_use``) while a proposed change request carries it: approving that
    request would apply nothing."""
    scenario = get_scenario(session, actor, scenario_id, needed=Role.MANAGER)
    check_version(scenario, expected_version)
    carried_by = list(
        session.scalars(
            select(ChangeRequest.number)
            .where(
                ChangeRequest.scenario_id == scenario.id,
                ChangeRequest.status == ChangeRequestStatus.PROPOSED,
            )
            .order_by(ChangeRequest.number)
        )
    )
    if carried_by:
        keys = ", ".join(f"CR-{n}" for n in carried_by)
        raise Conflict(
            f"{keys} {'carries' if len(carried_by) == 1 else 'carry'} scenario {scenario.name}: "
            "decide or withdraw "
            f"{'it' if len(carried_by) == 1 else 'them'} before deleting the scenario",
            code="scenario_in_use",
            details={"change_requests": [f"CR-{n}" for n in carried_by]},
        )
    _drop_copy(session, scenario)
    record_change(
        session,
        actor,
        program_id=scenario.program_id,
        entity_type="scenario",
        entity_id=scenario.id,
        action="delete",
        changes={"name": [scenario.name, None], "status": [scenario.status.value, None]},
        label=label(scenario),
    )
    session.delete(scenario)
    flush(session)
