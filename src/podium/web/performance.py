"""Performance: a program's health and its trend, earned value, S-curves and baseline variance.

The page is rendered on the server; the S-curves are drawn by ECharts
(``static/performance.js``) from JSON embedded in the page, and a table of the
same numbers sits under the chart. Managers record today's health, take a
baseline and make another one current with small CSRF-checked forms that post
and redirect back (no JavaScript needed).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from podium.api.baselines import BaselineCreate, BaselineUpdate
from podium.api.deps import Db
from podium.api.schemas import PathId
from podium.errors import Conflict, NotFound, StaleVersion, ValidationFailed
from podium.models import Role
from podium.services import baselines, health
from podium.services.pages_performance import curve_points, performance_page
from podium.services.performance import why_cpi_undefined, why_spi_undefined
from podium.services.programs import get_program
from podium.web.form_errors import Errors, errors_of, validate
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.tasks import done, field_value, version_of
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

BaselineParam = Annotated[int | None, Query(ge=1, le=2**31)]


def _page(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    program_id: int,
    *,
    baseline_id: int | None = None,
    errors: Errors | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    view = performance_page(db, viewer.actor, program_id, baseline_id=baseline_id)
    context: dict[str, Any] = {
        "view": view,
        "program": view.program,
        "chart": (
            {
                **curve_points(view.curves),
                "status_date": view.status_date.isoformat(),
                "names": {p.key: p.name for p in view.projects},
            }
            if view.curves is not None
            else None
        ),
        "errors": errors or {},
        "values": values or {},
        # why an index is undefined, row by row (no baseline, no budget, nothing spent …)
        "why_spi": why_spi_undefined,
        "why_cpi": why_cpi_undefined,
    }
    return render(request, "performance/page.html", context, status_code=status_code)


def _back(program_id: int, anchor: str, baseline_id: int | None = None) -> Response:
    query = f"?baseline={baseline_id}" if baseline_id else ""
    return RedirectResponse(f"/programs/{program_id}/performance{query}#{anchor}", status_code=303)


@router.get("/programs/{program_id}/performance", name="performance")
def performance(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    baseline: BaselineParam = None,
) -> Response:
    """Health, earned value and S-curves at the status date; variance against a baseline."""
    return _page(request, db, viewer, program_id, baseline_id=baseline)


@router.post("/programs/{program_id}/performance/health-snapshots")
def record_health(
    program_id: PathId, db: Db, viewer: CurrentViewer, _form: CheckedForm
) -> Response:
    """Keep today's health for the trend (managers; one snapshot per status date)."""
    get_program(db, viewer.actor, program_id, needed=Role.MANAGER)
    health.record_snapshot(db, viewer.actor, program_id)
    done(db)
    return _back(program_id, "health-trend")


@router.post("/programs/{program_id}/performance/baselines")
def take_baseline(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Snapshot the plan as scheduled now; it becomes the current baseline (managers)."""
    get_program(db, viewer.actor, program_id, needed=Role.MANAGER)
    values = {"name": field_value(form, "name")}
    body, errors = validate(BaselineCreate, values)
    if not values["name"]:
        errors = {"name": "Give the baseline a name."}
    if body is not None and not errors:
        try:
            taken = baselines.take_baseline(db, viewer.actor, program_id, name=body.name)
            taken_id = taken.id
            done(db)
            return _back(program_id, "variance", taken_id)
        except (ValidationFailed, Conflict) as exc:
            db.rollback()
            errors = errors_of(exc, ("name",))
    return _page(request, db, viewer, program_id, errors=errors, values=values, status_code=422)


@router.post("/programs/{program_id}/performance/baselines/{baseline_id}/current")
def make_current(
    program_id: PathId, baseline_id: PathId, db: Db, viewer: CurrentViewer, _form: CheckedForm
) -> Response:
    """Measure against this baseline from now on (managers)."""
    baseline = baselines.get_baseline(db, viewer.actor, baseline_id, needed=Role.MANAGER)
    if baseline.program_id != program_id:
        raise NotFound(f"baseline {baseline_id} is not a baseline of this program")
    baselines.update_baseline(db, viewer.actor, baseline_id, {"is_current": True})
    done(db)
    return _back(program_id, "variance", baseline_id)


@router.post("/programs/{program_id}/performance/baselines/{baseline_id}/delete")
def delete_baseline(
    program_id: PathId, baseline_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Delete a baseline (managers); its snapshot goes, the live plan stays."""
    baseline = baselines.get_baseline(db, viewer.actor, baseline_id, needed=Role.MANAGER)
    if baseline.program_id != program_id:
        raise NotFound(f"baseline {baseline_id} is not a baseline of this program")
    baselines.delete_baseline(db, viewer.actor, baseline_id, expected_version=version_of(form))
    done(db)
    return _back(program_id, "variance")


@router.post("/programs/{program_id}/performance/baselines/{baseline_id}/rename")
def rename_baseline(
    request: Request,
    program_id: PathId,
    baseline_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Rename a baseline (managers); its snapshot stays as taken."""
    baseline = baselines.get_baseline(db, viewer.actor, baseline_id, needed=Role.MANAGER)
    if baseline.program_id != program_id:
        raise NotFound(f"baseline {baseline_id} is not a baseline of this program")
    name = field_value(form, "name")
    body, errors = validate(BaselineUpdate, {"name": name})
    if not name:
        errors = {"name": "Give the baseline a name."}
    status = 422
    if body is not None and not errors:
        try:
            baselines.update_baseline(
                db,
                viewer.actor,
                baseline_id,
                {"name": body.name},
                expected_version=version_of(form),
            )
            done(db)
            return _back(program_id, "variance", baseline_id)
        except (ValidationFailed, Conflict, StaleVersion) as exc:
            db.rollback()
            errors, status = errors_of(exc, ("name",)), exc.status
    message = next(iter(errors.values()))
    return _page(
        request,
        db,
        viewer,
        program_id,
        errors={f"rename-{baseline_id}": message},
        values={f"rename-{baseline_id}": name},
        status_code=status,
    )
