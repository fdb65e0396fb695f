"""Benefits: each KPI's realization against the linear path to its target, charted with its
measurements; members add a measurement, managers define a KPI.

The charts are drawn by ECharts (``static/benefits.js``) from JSON in the page,
with a table of the same readings beside each one.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from podium.api.benefits import BenefitCreate, BenefitUpdate, MeasurementCreate
from podium.api.deps import Db
from podium.api.schemas import PathId
from podium.errors import Conflict, StaleVersion, ValidationFailed
from podium.models import Benefit, BenefitMeasurement, Role
from podium.services import benefits
from podium.services.actor import require_role
from podium.services.benefits import BenefitView
from podium.services.programs import get_program
from podium.web.form_errors import Errors, errors_of, refusal_status, validate
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.tasks import done, field_value, version_of
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

MEASURE_FIELDS = ("measured_on", "value", "source", "note")
DEFINE_FIELDS = (
    "name",
    "unit",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "direction",
    "description",
)
SHOWN_FIELDS = (*DEFINE_FIELDS, "project_ids")  # a refusal said beside its field
MAX_PROJECTS = 100  # contributing projects a benefit may name (podium.api.benefits.Ids)


FLASHES = {"benefit": "Benefit saved.", "deleted": "Benefit deleted."}


def _plain(value: float) -> str:
    """A number as a form field takes it back: ``1200``, ``12.5``."""
    return str(int(value)) if float(value).is_integer() else str(value)


def benefit_values(benefit: Benefit) -> dict[str, Any]:
    """A benefit's editable fields as its edit form shows them."""
    return {
        "name": benefit.name,
        "unit": benefit.unit,
        "direction": benefit.direction,
        "baseline_value": _plain(benefit.baseline_value),
        "baseline_date": benefit.baseline_date.isoformat(),
        "target_value": _plain(benefit.target_value),
        "target_date": benefit.target_date.isoformat(),
        "description": benefit.description,
        "is_goal": benefit.is_goal,
        "project_ids": [p.id for p in benefit.projects],
        "version": str(benefit.version),
    }


def chosen_projects(form: Any) -> list[int]:
    """The contributing projects ticked on a define or edit form (none ticked: none); what
    no checkbox sends (not a number) is left out."""
    sent = [str(v) for v in form.getlist("project_ids")]
    return [int(v) for v in sent if v.isdecimal() and len(v) <= 20]


def _projects_error(errors: Errors) -> Errors:
    """A refused choice of projects said beside the projects in their words: a number no
    project has (``project_ids_0``, as a project not in the program is), or too many."""
    found = {k: v for k, v in errors.items() if not k.startswith("project_ids")}
    if any(k.startswith("project_ids_") for k in errors):
        found["project_ids"] = "No such project in this program."
    elif "project_ids" in errors:
        found["project_ids"] = f"At most {MAX_PROJECTS} projects."
    return found


def later_readings(view: BenefitView) -> list[BenefitMeasurement]:
    """The readings dated after the day the benefit is judged on: not counted yet."""
    return [m for m in view.measurements if m.measured_on > view.realization.as_of]


def chart_data(view: BenefitView) -> dict[str, Any]:
    """What the chart draws: the readings counted, apart from them those dated after the
    day judged on (``later``), the straight path, the trend, the target. The trend is
    the engine's least-squares line, from the first reading it is fitted from to the
    target date, so it crosses the days where the sentence above the chart says."""
    b, r = view.benefit, view.realization
    trend = None
    if r.trend_from is not None and r.trend_at_from is not None and r.trend_at_target is not None:
        trend = [
            [r.trend_from.isoformat(), round(r.trend_at_from, 2)],
            [b.target_date.isoformat(), round(r.trend_at_target, 2)],
        ]
    return {
        "name": b.name,
        "unit": b.unit,
        "measured": [
            [m.measured_on.isoformat(), m.value]
            for m in view.measurements
            if m.measured_on <= r.as_of
        ],
        "later": [[m.measured_on.isoformat(), m.value] for m in later_readings(view)],
        "path": [
            [b.baseline_date.isoformat(), b.baseline_value],
            [b.target_date.isoformat(), b.target_value],
        ],
        "trend": trend,
        "target": b.target_value,
        "as_of": r.as_of.isoformat(),
    }


def _page(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    program_id: int,
    *,
    errors: dict[int, Errors] | None = None,
    values: dict[int, dict[str, str]] | None = None,
    define_errors: Errors | None = None,
    define_values: dict[str, Any] | None = None,
    edit_errors: dict[int, Errors] | None = None,
    edit_values: dict[int, dict[str, Any]] | None = None,
    flash: str = "",
    status_code: int = 200,
) -> Response:
    program = get_program(db, viewer.actor, program_id)
    role = require_role(db, viewer.actor, program_id, Role.VIEWER)
    views = benefits.list_benefits(db, viewer.actor, program_id)
    return render(
        request,
        "benefits/page.html",
        {
            "program": program,
            "projects": program.projects,  # in their order, to pick the contributing ones
            "views": views,
            "charts": {v.benefit.id: chart_data(v) for v in views},
            "later": {v.benefit.id: later_readings(v) for v in views},
            "can_measure": role.rank >= Role.MEMBER.rank,
            "can_manage": role.rank >= Role.MANAGER.rank,
            "errors": errors or {},
            "values": values or {},
            "define_errors": define_errors or {},
            "define_values": {"direction": "up"} | (define_values or {}),
            "edit_errors": edit_errors or {},
            "edit_values": {v.benefit.id: benefit_values(v.benefit) for v in views}
            | (edit_values or {}),
            "flash": flash,
        },
        status_code=status_code,
    )


@router.get("/programs/{program_id}/benefits", name="benefits")
def benefits_page(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    measured: str | None = None,
    defined: str | None = None,
    saved: Annotated[str | None, Query(max_length=12)] = None,
) -> Response:
    """Every KPI with its realization, chart and readings."""
    flash = (
        "Measurement recorded."
        if measured
        else "Benefit defined."
        if defined
        else FLASHES.get(saved or "", "")
    )
    return _page(request, db, viewer, program_id, flash=flash)


@router.post("/benefits/{benefit_id}/measurements")
def add_measurement(
    request: Request, benefit_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Record a reading (members); back to the benefit's card."""
    benefit = benefits.get_benefit(db, viewer.actor, benefit_id)
    program_id = benefit.program_id
    values = {n: field_value(form, n) for n in MEASURE_FIELDS}
    body, errors = validate(MeasurementCreate, values)
    for name in ("measured_on", "value"):
        if not values[name]:
            errors[name] = "Required."
    if body is not None and not errors:
        try:
            benefits.add_measurement(db, viewer.actor, benefit_id, **body.model_dump())
            done(db)
            return RedirectResponse(
                f"/programs/{program_id}/benefits?measured=1#benefit-{benefit_id}", status_code=303
            )
        except (ValidationFailed, Conflict) as exc:
            db.rollback()
            errors = errors_of(exc, MEASURE_FIELDS)
    return _page(
        request,
        db,
        viewer,
        program_id,
        errors={benefit_id: errors},
        values={benefit_id: values},
        status_code=422,
    )


@router.post("/benefits/{benefit_id}/measurements/{measurement_id}/delete")
def delete_measurement(
    benefit_id: PathId, measurement_id: PathId, db: Db, viewer: CurrentViewer, _form: CheckedForm
) -> Response:
    """Remove a reading (managers)."""
    program_id = benefits.get_benefit(db, viewer.actor, benefit_id).program_id
    benefits.delete_measurement(db, viewer.actor, benefit_id, measurement_id)
    done(db)
    return RedirectResponse(
        f"/programs/{program_id}/benefits#benefit-{benefit_id}", status_code=303
    )


@router.post("/programs/{program_id}/benefits")
def define_benefit(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Define a KPI (managers)."""
    values: dict[str, Any] = {n: field_value(form, n) for n in DEFINE_FIELDS}
    values["is_goal"] = "1" in form.getlist("is_goal")
    values["project_ids"] = chosen_projects(form)
    data = {
        k: (v if v != "" or k in ("unit", "description", "name") else None)
        for k, v in values.items()
    }
    body, errors = validate(BenefitCreate, {**data, "program_id": program_id})
    errors = _projects_error(errors)
    for name in ("name", "baseline_value", "target_value", "target_date"):
        if not values[name]:
            errors[name] = "Required."
    if body is not None and not errors:
        try:
            created = benefits.create_benefit(db, viewer.actor, **body.model_dump())
            created_id = created.id
            done(db)
            return RedirectResponse(
                f"/programs/{program_id}/benefits?defined=1#benefit-{created_id}", status_code=303
            )
        except (ValidationFailed, Conflict) as exc:
            db.rollback()
            errors = errors_of(exc, SHOWN_FIELDS)
    return _page(
        request,
        db,
        viewer,
        program_id,
        define_errors=errors,
        define_values=values,
        status_code=422,
    )


EDIT_FIELDS = DEFINE_FIELDS
TEXTS = ("unit", "description", "name")  # blank is a value, not "unset"


@router.get("/benefits/{benefit_id}")
def benefit_page(benefit_id: PathId, db: Db, viewer: CurrentViewer) -> Response:
    """A benefit's place on its program's Benefits tab (the address a refused edit
    leaves in the browser, or a bookmark)."""
    benefit = benefits.get_benefit(db, viewer.actor, benefit_id)
    return RedirectResponse(benefits.benefit_url(benefit), status_code=303)


@router.post("/benefits/{benefit_id}")
def edit_benefit(
    request: Request, benefit_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Change a KPI's definition (managers); back to its card."""
    program_id = benefits.get_benefit(db, viewer.actor, benefit_id, needed=Role.MANAGER).program_id
    values: dict[str, Any] = {n: field_value(form, n) for n in EDIT_FIELDS}
    values["is_goal"] = "1" in form.getlist("is_goal")
    # the form lists every project: those ticked replace the contributing ones
    values["project_ids"] = chosen_projects(form)
    values["version"] = field_value(form, "version")
    data = {k: v for k, v in values.items() if k != "version" and (v != "" or k in TEXTS)}
    body, errors = validate(BenefitUpdate, data)
    errors = _projects_error(errors)
    status_code = 422
    for name in ("name", "baseline_value", "baseline_date", "target_value", "target_date"):
        if not values[name]:
            errors[name] = "Required."
    if body is not None and not errors:
        try:
            benefits.update_benefit(
                db,
                viewer.actor,
                benefit_id,
                body.model_dump(exclude_unset=True),
                expected_version=version_of(form),
            )
            done(db)
            return RedirectResponse(
                f"/programs/{program_id}/benefits?saved=benefit#benefit-{benefit_id}",
                status_code=303,
            )
        except (ValidationFailed, Conflict, StaleVersion) as exc:
            db.rollback()
            errors = errors_of(exc, SHOWN_FIELDS)
            status_code = refusal_status(exc)  # 412 when someone else saved first
    return _page(
        request,
        db,
        viewer,
        program_id,
        edit_errors={benefit_id: errors},
        edit_values={benefit_id: values},
        status_code=status_code,
    )


@router.post("/benefits/{benefit_id}/delete")
def delete_benefit(
    request: Request, benefit_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Remove a KPI and its readings (managers)."""
    program_id = benefits.get_benefit(db, viewer.actor, benefit_id).program_id
    try:
        benefits.delete_benefit(db, viewer.actor, benefit_id, expected_version=version_of(form))
        done(db)
    except StaleVersion as exc:
        db.rollback()
        return _page(
            request,
            db,
            viewer,
            program_id,
            edit_errors={benefit_id: errors_of(exc, ())},
            status_code=exc.status,
        )
    return RedirectResponse(f"/programs/{program_id}/benefits?saved=deleted", status_code=303)
