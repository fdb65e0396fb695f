"""The risk register: filters, the 5×5 matrix with drill-down, raising a risk; one risk's
page with its edit form, mitigation actions, score history and escalations.

Forms are checked with the API's own schemas (a value the API refuses is refused
here with the same rule) and post-redirect-get; the score history chart is
drawn by ECharts (``static/risks.js``) from JSON in the page, with a table of
the same numbers beside it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.risks import ActionCreate, RiskCreate, RiskUpdate
from podium.api.schemas import PathId
from podium.engine.risks import (
    IMPACT_LABELS,
    PROBABILITY_LABELS,
    RISK_LEVELS,
    RISK_RESPONSES,
    RISK_STATUSES,
    EscalationRules,
    score_band,
)
from podium.errors import Conflict, Forbidden, StaleVersion, ValidationFailed
from podium.models import Risk, Role
from podium.services import risks
from podium.services.actor import require_role, role_too_low
from podium.services.risks import RiskFilter
from podium.web.form_errors import GENERAL, Errors, errors_of, validate
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.tasks import checkbox, done, field_value, version_of
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

RISK_FORM = (
    "title",
    "description",
    "cause",
    "effect",
    "probability",
    "impact",
    "level",
    "response",
    "status",
    "owner_id",
    "due_date",
    "project_ids",
    "task_keys",
)
OPTIONAL = ("owner_id", "due_date")
STATUS_LABELS = {
    "open": "Open",
    "mitigating": "Mitigating",
    "closed": "Closed",
    "realized": "Realized (issue)",
}
SHOWS = ("live", "all", "issues", "closed")
Rating = Annotated[int | None, Query(ge=1, le=5)]


def _choices() -> dict[str, Any]:
    return {
        "levels": RISK_LEVELS,
        "responses": RISK_RESPONSES,
        "statuses": RISK_STATUSES,
        "status_labels": STATUS_LABELS,
        "probability_labels": PROBABILITY_LABELS,
        "impact_labels": IMPACT_LABELS,
        "band": score_band,
    }


def _risk_values(form: FormData) -> dict[str, Any]:
    """The form as the API's body: blanks of optional fields are null, links are lists."""
    data: dict[str, Any] = {}
    for name in RISK_FORM:
        if name == "project_ids":
            data[name] = [v for v in form.getlist(name) if isinstance(v, str) and v.isdecimal()]
        elif name in form:
            value = field_value(form, name)
            data[name] = value if value or name not in OPTIONAL else None
    return data


def _shown_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {n: field_value(form, n) for n in RISK_FORM if n != "project_ids"}
    values["project_ids"] = [int(str(v)) for v in form.getlist("project_ids") if str(v).isdecimal()]
    return values


def _filter(
    show: str,
    level: str | None,
    project: int | None,
    owner: int | None,
    q: str | None,
    probability: int | None,
    impact: int | None,
) -> RiskFilter:
    statuses: tuple[str, ...] = {"issues": ("realized",), "closed": ("closed",)}.get(show, ())
    return RiskFilter(
        statuses=statuses,
        live_only=show == "live",
        level=level if level in RISK_LEVELS else None,
        project_id=project,
        owner_id=owner,
        text=(q or "").strip()[:200] or None,
        probability=probability,
        impact=impact,
    )


def _register(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    program_id: int,
    *,
    params: dict[str, Any],
    errors: Errors | None = None,
    values: dict[str, Any] | None = None,
    rules_errors: Errors | None = None,
    rules_values: dict[str, Any] | None = None,
    flash: str = "",
    status_code: int = 200,
) -> Response:
    show = params["show"] if params["show"] in SHOWS else "live"
    chosen = _filter(
        show,
        params["level"],
        params["project"],
        params["owner"],
        params["q"],
        params["probability"],
        params["impact"],
    )
    sort = params["sort"] if params["sort"] in risks.RISK_SORTS else "score"
    page = risks.register_page(db, viewer.actor, program_id, chosen, sort=sort)
    rules, rules_version = risks.escalation_rules(db, viewer.actor, program_id)
    kept = {
        k: v
        for k, v in params.items()
        if v not in (None, "") and k not in ("probability", "impact")
    }

    def cell_url(probability: int, impact: int) -> str:
        query = {**kept, "probability": probability, "impact": impact}
        return f"/programs/{program_id}/risks?{urlencode(query)}#register"

    return render(
        request,
        "risks/register.html",
        {
            "page": page,
            "program": page.program,
            "params": {**params, "show": show, "sort": sort},
            "cell_url": cell_url,
            "clear_cell_url": f"/programs/{program_id}/risks?{urlencode(kept)}#register",
            "filtered": any(params.get(k) for k in ("level", "project", "owner", "q"))
            or show != "live",
            "errors": errors or {},
            "values": {
                "probability": "3",
                "impact": "3",
                "level": "project",
                "response": "mitigate",
                "project_ids": [],
            }
            | (values or {}),
            "rules": rules,
            "rules_errors": rules_errors or {},
            "rules_values": rules_values or _rules_values(rules, rules_version),
            "flash": flash,
            **_choices(),
        },
        status_code=status_code,
    )


def _rules_values(rules: EscalationRules, version: int) -> dict[str, Any]:
    def score(value: int | None) -> str:
        return "" if value is None else str(value)

    return {
        "program_score": score(rules.program_score),
        "steering_score": score(rules.steering_score),
        "cross_project": rules.cross_project,
        "version": str(version),
    }


def _id_or_none(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdecimal() and 0 < int(raw) < 2**31 else None


@router.get("/programs/{program_id}/risks", name="risks")
def register(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    show: str = "live",
    level: str | None = None,
    project: Annotated[str | None, Query(max_length=12)] = None,
    owner: Annotated[str | None, Query(max_length=12)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    probability: Rating = None,
    impact: Rating = None,
    sort: str = "score",
    saved: Annotated[str | None, Query(max_length=12)] = None,
) -> Response:
    """The register with filters and the matrix; a matrix cell drills down to its risks.

    The filter form sends blanks for "any": they are no filter.
    """
    params = {
        "show": show,
        "level": level or None,
        "project": _id_or_none(project),
        "owner": _id_or_none(owner),
        "q": q,
        "probability": probability,
        "impact": impact,
        "sort": sort,
    }
    flash = _rules_saved(saved)
    return _register(request, db, viewer, program_id, params=params, flash=flash)


RULE_SCORES = ("program_score", "steering_score")


def _rules_saved(saved: str | None) -> str:
    """The note after saving the escalation rules; ``saved`` is how many live risks changed
    level (a bare ``rules``: not said)."""
    if not saved:
        return ""
    moved = int(saved) if saved.isdecimal() else None
    if moved is None:
        return "Escalation rules saved; every live risk was re-evaluated."
    changed = (
        "no live risk changed level"
        if moved == 0
        else (f"{moved} live risk{'' if moved == 1 else 's'} changed level")
    )
    return f"Escalation rules saved and every live risk re-evaluated: {changed}."


@router.post("/programs/{program_id}/risks/escalation-rules")
def save_escalation_rules(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Change when risks escalate (managers); an empty threshold switches that rule off."""
    values: dict[str, Any] = {n: field_value(form, n) for n in (*RULE_SCORES, "version")}
    values["cross_project"] = checkbox(form, "cross_project")
    errors: Errors = {}
    config: dict[str, Any] = {"cross_project": values["cross_project"]}
    for name in RULE_SCORES:
        raw = values[name]
        if raw and not (raw.isdecimal() and 1 <= int(raw) <= 25):
            errors[name] = "A whole score from 1 to 25, or empty for off."
        config[name] = int(raw) if raw.isdecimal() else None
    if not errors:
        try:
            _rules, _version, moved = risks.update_escalation_rules(
                db, viewer.actor, program_id, config, expected_version=version_of(form)
            )
            done(db)
            return RedirectResponse(
                f"/programs/{program_id}/risks?saved={moved}#escalation-rules", status_code=303
            )
        except (ValidationFailed, Conflict, StaleVersion) as exc:
            db.rollback()
            errors = errors_of(exc, RULE_SCORES)
    return _register(
        request,
        db,
        viewer,
        program_id,
        params=dict.fromkeys(("level", "project", "owner", "q", "probability", "impact"))
        | {"show": "live", "sort": "score"},
        rules_errors=errors,
        rules_values=values,
        status_code=422,
    )


@router.post("/programs/{program_id}/risks")
def raise_risk(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Raise a risk (members); its page opens on success."""
    require_role(db, viewer.actor, program_id, Role.MEMBER)  # before reading the form
    data = _risk_values(form)
    keys = str(data.pop("task_keys", "") or "").replace(";", ",").split(",")
    body, errors = validate(RiskCreate, {**data, "program_id": program_id})
    if not data.get("title"):
        errors["title"] = "Required."
    if body is not None and not errors:
        try:
            fields = body.model_dump()
            fields["task_ids"] = risks.task_ids_by_keys(db, program_id, keys)
            risk = risks.create_risk(db, viewer.actor, **fields)
            risk_id = risk.id
            done(db)
            return RedirectResponse(f"/risks/{risk_id}?raised=1", status_code=303)
        except (ValidationFailed, Conflict) as exc:
            db.rollback()
            errors = errors_of(exc, RISK_FORM)
    params = {
        "show": "live",
        "level": None,
        "project": None,
        "owner": None,
        "q": None,
        "probability": None,
        "impact": None,
        "sort": "score",
    }
    return _register(
        request,
        db,
        viewer,
        program_id,
        params=params,
        errors=errors,
        values=_shown_values(form),
        status_code=422,
    )


# --- one risk -----------------------------------------------------------------------------


def _values_of(risk: Risk) -> dict[str, Any]:
    return {
        "title": risk.title,
        "description": risk.description,
        "cause": risk.cause,
        "effect": risk.effect,
        "probability": str(risk.probability),
        "impact": str(risk.impact),
        "level": risk.level,
        "response": risk.response,
        "status": risk.status,
        "owner_id": str(risk.owner_id or ""),
        "due_date": risk.due_date.isoformat() if risk.due_date else "",
        "project_ids": [p.id for p in risk.projects],
        "task_keys": ", ".join(t.key for t in risk.tasks),
    }


def _risk(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    risk_id: int,
    *,
    errors: Errors | None = None,
    values: dict[str, Any] | None = None,
    action_errors: Errors | None = None,
    action_values: dict[str, Any] | None = None,
    edit_action: int | None = None,
    flash: str = "",
    status_code: int = 200,
) -> Response:
    page = risks.risk_page(db, viewer.actor, risk_id)
    editing = next((a for a in page.risk.actions if a.id == edit_action), None)
    if editing is not None and not action_values:
        action_values = {
            "title": editing.title,
            "owner_id": editing.owner_id or "",
            "due_date": editing.due_date.isoformat() if editing.due_date else "",
            "done_on": editing.done_on.isoformat() if editing.done_on else "",
            "version": editing.version,
        }
    chart = {
        "points": [
            {
                "at": h.at.isoformat(),
                "score": h.score,
                "probability": h.probability,
                "impact": h.impact,
                "status": h.status,
            }
            for h in page.history
        ],
    }
    return render(
        request,
        "risks/risk.html",
        {
            "page": page,
            "risk": page.risk,
            "program": page.program,
            "errors": errors or {},
            "values": _values_of(page.risk) | (values or {}),
            "action_errors": action_errors or {},
            "action_values": action_values or {},
            "action_editing": editing,
            "chart": chart,
            "flash": flash,
            "today": datetime.now(UTC).date(),
            **_choices(),
        },
        status_code=status_code,
    )


FLASHES = {
    "raised": "Risk raised. The program's escalation rules were applied.",
    "saved": "Saved. The score history and escalation are up to date.",
    "action": "Action added.",
    "done": "Action updated.",
    "action_saved": "Action saved.",
    "action_deleted": "Action deleted.",
}


@router.get("/risks/{risk_id}", name="risk")
def show_risk(
    request: Request,
    risk_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    raised: str | None = None,
    saved: str | None = None,
    action: str | None = None,
    edit_action: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """One risk: its fields (members edit), actions, score history, escalations;
    ``edit_action`` opens that action in the action form."""
    flash = next(
        (
            FLASHES.get(v, FLASHES[k])
            for k, v in (("raised", raised), ("saved", saved), ("action", action))
            if v
        ),
        "",
    )
    return _risk(request, db, viewer, risk_id, flash=flash, edit_action=edit_action)


@router.post("/risks/{risk_id}")
def save_risk(
    request: Request, risk_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Save the risk's form (members; closing or editing a closed risk: managers)."""
    page = risks.risk_page(db, viewer.actor, risk_id)
    if not page.can_edit:
        raise role_too_low(db, page.program.id, page.role, "it may read this risk, not change it")
    data = _risk_values(form)
    keys = str(data.pop("task_keys", "") or "").replace(";", ",").split(",")
    data.pop("program_id", None)
    if "note" in form:
        data["note"] = field_value(form, "note") or None
    body, errors = validate(RiskUpdate, data)
    if not data.get("title"):
        errors["title"] = "Required."
    if body is not None and not errors:
        try:
            updates = body.model_dump(exclude_unset=True)
            note = updates.pop("note", None) or ""
            updates["task_ids"] = risks.task_ids_by_keys(db, page.program.id, keys)
            risks.update_risk(
                db, viewer.actor, risk_id, updates, expected_version=version_of(form), note=note
            )
            done(db)
            return RedirectResponse(f"/risks/{risk_id}?saved=1", status_code=303)
        except StaleVersion as exc:  # what was typed stays on the form, to compare and redo
            db.rollback()
            return _risk(
                request,
                db,
                viewer,
                risk_id,
                errors=errors_of(exc, RISK_FORM),
                values=_shown_values(form),
                status_code=exc.status,
            )
        except (ValidationFailed, Conflict) as exc:
            db.rollback()
            errors = errors_of(exc, RISK_FORM)
        except Forbidden as exc:
            db.rollback()
            errors = {GENERAL: exc.message[:1].upper() + exc.message[1:] + "."}
    return _risk(
        request, db, viewer, risk_id, errors=errors, values=_shown_values(form), status_code=422
    )


@router.post("/risks/{risk_id}/actions")
def add_action(
    request: Request, risk_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Plan a mitigation action (members)."""
    values = {n: field_value(form, n) for n in ("title", "owner_id", "due_date")}
    body, errors = validate(
        ActionCreate, {k: (v or None) if k != "title" else v for k, v in values.items()}
    )
    if not values["title"]:
        errors["title"] = "Required."
    if body is not None and not errors:
        try:
            risks.add_action(db, viewer.actor, risk_id, **body.model_dump())
            done(db)
            return RedirectResponse(f"/risks/{risk_id}?action=1#actions", status_code=303)
        except (ValidationFailed, Conflict) as exc:
            db.rollback()
            errors = errors_of(exc, ("title", "owner_id", "due_date"))
    return _risk(
        request, db, viewer, risk_id, action_errors=errors, action_values=values, status_code=422
    )


@router.post("/risks/{risk_id}/actions/{action_id}/done")
def toggle_action(
    request: Request,
    risk_id: PathId,
    action_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Mark an action done, or not done again (members)."""
    is_done = field_value(form, "done") == "1"
    try:
        risks.update_action(
            db,
            viewer.actor,
            risk_id,
            action_id,
            {"done": is_done},
            expected_version=version_of(form),
        )
    except StaleVersion as exc:
        db.rollback()
        return _risk(
            request,
            db,
            viewer,
            risk_id,
            action_errors={GENERAL: errors_of(exc, ())[GENERAL]},
            status_code=exc.status,
        )
    done(db)
    return RedirectResponse(f"/risks/{risk_id}?action=1#actions", status_code=303)


@router.post("/risks/{risk_id}/delete")
def delete_risk(
    request: Request, risk_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Remove a risk from the register (managers)."""
    risk = risks.get_risk(db, viewer.actor, risk_id)
    program_id = risk.program_id
    try:
        risks.delete_risk(db, viewer.actor, risk_id, expected_version=version_of(form))
    except StaleVersion as exc:
        db.rollback()
        return _risk(
            request, db, viewer, risk_id, errors=errors_of(exc, RISK_FORM), status_code=exc.status
        )
    done(db)
    return RedirectResponse(f"/programs/{program_id}/risks", status_code=303)
