"""Scenarios: the list with the create form, a scenario's page (links to edit its copy,
the comparison side by side, apply and discard) and the way back from a copy's pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.scenarios import ScenarioUpdate
from podium.api.schemas import PathId
from podium.errors import Conflict, NotFound, StaleVersion, ValidationFailed
from podium.models import Role, Scenario, ScenarioStatus
from podium.services import baselines
from podium.services import scenarios as service
from podium.services.actor import Actor, role_in
from podium.services.programs import get_program
from podium.web.form_errors import FIELD_LABELS, GENERAL, errors_of, humanize, validate
from podium.web.governance_choices import FormState
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.tasks import done, field_value, version_of
from podium.web.templating import render

router = APIRouter(include_in_schema=False)
# the actions that ask first: the button opens ``?confirm=<action>`` with the real form
CONFIRMED = frozenset({"apply", "discard", "delete"})


def _can_manage(db: Session, actor: Actor, program_id: int) -> bool:
    role = role_in(db, actor, program_id)
    return role is not None and role.rank >= Role.MANAGER.rank


def _list_page(
    request: Request,
    db: Session,
    viewer: Any,
    program_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    flash: str = "",
    status_code: int = 200,
) -> Response:
    program = get_program(db, viewer.actor, program_id)
    items, _ = service.list_scenarios(db, viewer.actor, program_id)
    copies = {s.id: service.copy_of(s) for s in items if s.copy_program_id}
    return render(
        request,
        "scenarios/list.html",
        {
            "program": program,
            "scenarios": items,
            "copies": copies,
            "can_manage": _can_manage(db, viewer.actor, program_id),
            "errors": errors or {},
            "values": values or {},
            "flash": flash,
        },
        status_code=status_code,
    )


@router.get("/programs/{program_id}/scenarios", name="scenarios")
def scenarios_page(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    deleted: str | None = None,
) -> Response:
    """A program's scenarios, and (for managers) the form that copies the plan into one."""
    flash = "Scenario deleted; the live plan is as it was." if deleted else ""
    return _list_page(request, db, viewer, program_id, flash=flash)


@router.post("/programs/{program_id}/scenarios")
def create(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Copy the live plan into a new scenario and open it."""
    values = {k: str(form.get(k) or "").strip() for k in ("name", "description")}
    try:  # the service checks the name and description, each error beside its field
        scenario = service.create_scenario(
            db, viewer.actor, program_id, name=values["name"], description=values["description"]
        )
    except (ValidationFailed, Conflict) as exc:
        db.rollback()
        return _list_page(
            request,
            db,
            viewer,
            program_id,
            errors=errors_of(exc, ("name", "description")),
            values=values,
            status_code=exc.status,
        )
    scenario_id = scenario.id
    done(db)
    return RedirectResponse(f"/scenarios/{scenario_id}", status_code=303)


def _in_words(conflicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The live plan's changes as a page says them: "(actual start, % complete)", not
    the stored fields' names the service lists."""
    said = []
    for conflict in conflicts:
        fields = conflict.get("fields") or []
        if fields:
            stored = f"({', '.join(fields)})"
            words = ", ".join(FIELD_LABELS.get(f, f.replace("_", " ")) for f in fields)
            message = str(conflict.get("message", "")).replace(stored, f"({words})", 1)
            conflict = {**conflict, "message": message}
        said.append(conflict)
    return said


def _scenario_page(
    request: Request,
    db: Session,
    viewer: Any,
    scenario: Scenario,
    *,
    baseline_id: int | None = None,
    conflicts: list[dict[str, Any]] | None = None,
    refusal: str | None = None,
    form: FormState | None = None,
    flash: str = "",
    confirm: str | None = None,
    status_code: int = 200,
) -> Response:
    program = get_program(db, viewer.actor, scenario.program_id)
    active = scenario.status == ScenarioStatus.ACTIVE and scenario.copy_program_id is not None
    compare = (
        service.compare_scenario(db, viewer.actor, scenario.id, baseline_id=baseline_id)
        if active
        else None
    )
    # the live plan may have moved since the copy: say so before anyone tries to apply
    stale = service.find_conflicts(db, scenario) if active and refusal is None else []
    return render(
        request,
        "scenarios/page.html",
        {
            "program": program,
            "scenario": scenario,
            "stale": _in_words(stale),
            "copy": service.copy_of(scenario) if active else None,
            "compare": compare,
            "baselines": baselines.list_baselines(db, viewer.actor, program.id),
            "baseline_id": baseline_id,
            "can_manage": _can_manage(db, viewer.actor, program.id),
            "conflicts": _in_words(conflicts or []),
            "applied": service.applied_in_words((scenario.outcome or {}).get("applied")),
            "refusal": refusal,
            "edit": form
            or FormState(values={"name": scenario.name, "description": scenario.description}),
            "flash": flash,
            "confirm": confirm if confirm in CONFIRMED else None,
        },
        status_code=status_code,
    )


@router.get("/scenarios/{scenario_id}", name="scenario")
def scenario_page(
    request: Request,
    scenario_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    baseline_id: str | None = None,
    saved: str | None = None,
    confirm: str | None = None,
) -> Response:
    """The scenario: where to edit it, the comparison with the live plan, apply or discard;
    with ``confirm`` (``apply``, ``discard``, ``delete``), the step that asks before it."""
    scenario = service.get_scenario(db, viewer.actor, scenario_id)
    chosen = int(baseline_id) if baseline_id and baseline_id.isdecimal() else None
    flash = "Scenario saved." if saved else ""
    return _scenario_page(
        request, db, viewer, scenario, baseline_id=chosen, flash=flash, confirm=confirm
    )


@router.get("/programs/{program_id}/scenario")
def scenario_of_copy(program_id: PathId, db: Db, viewer: CurrentViewer) -> Response:
    """From any page of a scenario's copy back to the scenario's page."""
    get_program(db, viewer.actor, program_id)
    scenario = service.scenario_of_copy(db, program_id)
    if scenario is None:
        raise NotFound(f"program {program_id} is not a scenario")
    return RedirectResponse(f"/scenarios/{scenario.id}", status_code=303)


@router.post("/scenarios/{scenario_id}/apply")
def apply(
    request: Request, scenario_id: PathId, db: Db, viewer: CurrentViewer, _form: CheckedForm
) -> Response:
    """Apply the scenario to the live plan; refused with the conflicts if the plan moved."""
    try:
        service.apply_scenario(db, viewer.actor, scenario_id)
    except Conflict as exc:
        db.rollback()
        scenario = service.get_scenario(db, viewer.actor, scenario_id)
        details = exc.details if isinstance(exc.details, dict) else {}
        return _scenario_page(
            request,
            db,
            viewer,
            scenario,
            conflicts=details.get("conflicts", []),
            refusal=exc.message,
            status_code=409,
        )
    done(db)
    return RedirectResponse(f"/scenarios/{scenario_id}", status_code=303)


@router.post("/scenarios/{scenario_id}/discard")
def discard(scenario_id: PathId, db: Db, viewer: CurrentViewer, _form: CheckedForm) -> Response:
    """Give the scenario up: its copy is deleted."""
    scenario = service.discard_scenario(db, viewer.actor, scenario_id)
    program_id = scenario.program_id
    done(db)
    return RedirectResponse(f"/programs/{program_id}/scenarios", status_code=303)


@router.post("/scenarios/{scenario_id}")
def rename(
    request: Request, scenario_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Rename or describe an active scenario (managers); its copy takes the new name."""
    values = {k: field_value(form, k) for k in ("name", "description", "version")}
    body, errors = validate(
        ScenarioUpdate, {"name": values["name"], "description": values["description"]}
    )
    if not values["name"]:
        errors["name"] = "Required."
    status = 422
    if body is not None and not errors:
        try:
            service.update_scenario(
                db,
                viewer.actor,
                scenario_id,
                body.model_dump(exclude_unset=True),
                expected_version=version_of(form),
            )
            done(db)
            return RedirectResponse(f"/scenarios/{scenario_id}?saved=1", status_code=303)
        except (ValidationFailed, Conflict, StaleVersion) as exc:
            db.rollback()
            errors, status = errors_of(exc, ("name", "description")), exc.status
    scenario = service.get_scenario(db, viewer.actor, scenario_id)
    return _scenario_page(
        request, db, viewer, scenario, form=FormState(errors, values), status_code=status
    )


@router.post("/scenarios/{scenario_id}/delete")
def delete(
    request: Request, scenario_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Remove a scenario and its copy altogether (managers); the live plan is untouched."""
    scenario = service.get_scenario(db, viewer.actor, scenario_id)
    program_id = scenario.program_id
    try:
        service.delete_scenario(db, viewer.actor, scenario_id, expected_version=version_of(form))
    except StaleVersion as exc:
        db.rollback()
        scenario = service.get_scenario(db, viewer.actor, scenario_id)
        return _scenario_page(
            request,
            db,
            viewer,
            scenario,
            form=FormState({GENERAL: humanize(exc.message) + "."}),
            status_code=exc.status,
        )
    done(db)
    return RedirectResponse(f"/programs/{program_id}/scenarios?deleted=1", status_code=303)
