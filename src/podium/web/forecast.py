"""Forecast: the program's Monte Carlo forecast — confidence table, distributions, drivers, trend.

The page shows the newest stored forecast (or the one picked with
``?forecast=<id>``); ECharts (``static/forecast.js``) draws the histogram and
cumulative curve, the tornado and the P80 trend from JSON embedded in the
page, and the same numbers are in tables. Managers run a new forecast with a
small CSRF-checked form that posts and redirects back.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.schemas import PathId
from podium.errors import NotFound, ValidationFailed
from podium.models import Role
from podium.services import forecasts
from podium.services.actor import role_in
from podium.services.programs import get_program
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.tasks import done, field_value
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

ForecastParam = Annotated[int | None, Query(ge=1, le=2**31)]


def _page(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    program_id: int,
    *,
    forecast_id: int | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    program = get_program(db, viewer.actor, program_id)
    stored = forecasts.list_forecasts(db, viewer.actor, program_id)
    shown = stored[0] if stored else None
    if forecast_id is not None:
        shown = next((f for f in stored if f.id == forecast_id), None)
        if shown is None:
            raise NotFound(f"forecast {forecast_id} is not a forecast of this program")
    role = role_in(db, viewer.actor, program_id)
    results = shown.results if shown is not None else None
    chart: dict[str, Any] | None = None
    if results is not None:
        chart = {
            "outcomes": {
                "": {"label": "Program finish", **_curve(results["program"])},
                **{
                    m["key"]: {"label": f"{m['key']} {m['name']}", **_curve(m)}
                    for m in results["milestones"]
                },
            },
            "tornado": [
                {
                    "label": f"{d['key']} {d['name']}".strip(),
                    "correlation": d["correlation"],
                    "kind": d["kind"],
                }
                for d in results["tornado"]
            ],
            "trend": [
                {
                    "date": f.created_at.date().isoformat(),
                    "id": f.id,
                    "p80": _iso(f.program_p80),
                    "finish": _iso(f.program_finish),
                }
                for f in reversed(stored)
            ],
        }
    context: dict[str, Any] = {
        "program": program,
        "forecast": shown,
        # the plan was written since: its dates read an older plan
        "plan_changed": shown is not None and forecasts.plan_changed_since(db, shown),
        "results": results,
        "unused_estimates": (
            forecasts.unused_estimates_in_words(shown.inputs["unused_estimates"])
            if shown is not None and shown.inputs.get("unused_estimates")
            else None
        ),
        "stored": stored,
        "chart": chart,
        "can_run": role is not None and role.rank >= Role.MANAGER.rank,
        "errors": errors or {},
        "values": values or {},
        "as_date": date.fromisoformat,
    }
    return render(request, "forecast/page.html", context, status_code=status_code)


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def _curve(outcome: dict[str, Any]) -> dict[str, Any]:
    return {
        "bins": outcome["histogram"],
        "p50": outcome["p50"],
        "p80": outcome["p80"],
        "p90": outcome["p90"],
        "finish": outcome["finish"],
        "target": outcome["target"],
    }


@router.get("/programs/{program_id}/forecast", name="forecast")
def forecast_page(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    forecast: ForecastParam = None,
) -> Response:
    """The newest (or a chosen) forecast of the program."""
    return _page(request, db, viewer, program_id, forecast_id=forecast)


def _number(form_value: str, cast: type, default: Any) -> Any:
    if not form_value:
        return default
    try:
        return cast(form_value)
    except ValueError:
        return form_value  # refused by the service's checks with a field message


# the form's fields that show their own error; any other refusal is said above the form
BESIDE_A_FIELD = ("iterations", "seed", "default_uncertainty")


@router.post("/programs/{program_id}/forecast")
def run_forecast(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Run and store a forecast (managers), then show it."""
    get_program(db, viewer.actor, program_id, needed=Role.MANAGER)
    values = {
        name: field_value(form, name)
        for name in ("iterations", "seed", "distribution", "default_uncertainty")
    }
    errors: dict[str, str] = {}
    iterations = _number(values["iterations"], int, 5000)
    seed = _number(values["seed"], int, None)
    uncertainty = _number(values["default_uncertainty"], float, 20.0)
    for name, value in (
        ("iterations", iterations),
        ("seed", seed),
        ("default_uncertainty", uncertainty),
    ):
        if isinstance(value, str):
            errors[name] = "Enter a number."
    if not errors:
        settings = forecasts.ForecastSettings(
            iterations=iterations,
            seed=seed,
            distribution=values["distribution"] or "pert",
            default_uncertainty=uncertainty / 100,
            include_risks=form.get("include_risks") == "on",
        )
        try:
            stored = forecasts.run_forecast(db, viewer.actor, program_id, settings)
            stored_id = stored.id
            done(db)
            return RedirectResponse(
                f"/programs/{program_id}/forecast?forecast={stored_id}", status_code=303
            )
        except ValidationFailed as exc:
            db.rollback()
            for item in exc.details or []:
                if isinstance(item, dict) and item.get("field") in BESIDE_A_FIELD:
                    errors[item["field"]] = f"Must be {item['message']}."
            if "default_uncertainty" in errors:  # the form asks for a percentage
                errors["default_uncertainty"] = "Must be between 0 and 90 (± % of the duration)."
            if not errors:  # about the plan (its estimates, its dates) or no field shown
                errors["general"] = exc.message[:1].upper() + exc.message[1:]
    return _page(request, db, viewer, program_id, errors=errors, values=values, status_code=422)
