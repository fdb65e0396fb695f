"""A risk's mitigation actions corrected on its page: an action's title, owner or due
date changed, or a done one's done date (members; on a closed risk, managers), an action
deleted (managers).

Adding an action and marking it done live with the risk page (``web/risks.py``); the
forms here post the version the action was read at, so a change made meanwhile is
refused (412) rather than overwritten, and check their values with the API's schema.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.risks import ActionUpdate
from podium.api.schemas import PathId
from podium.errors import Conflict, StaleVersion, ValidationFailed
from podium.services import risks
from podium.web.form_errors import GENERAL, errors_of, humanize, validate
from podium.web.risks import _risk
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.tasks import done, field_value, version_of

router = APIRouter(include_in_schema=False)

FIELDS = ("title", "owner_id", "due_date")


@router.post("/risks/{risk_id}/actions/{action_id}")
def save_action(
    request: Request,
    risk_id: PathId,
    action_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Change an action's title, owner or due date, and a done one's done date (members;
    on a closed risk, managers)."""
    action = risks.get_action(db, viewer.actor, risk_id, action_id)  # 404 if not this risk's
    dated = action.done and "done_on" in form  # a form read while it was open has none
    fields = (*FIELDS, "done_on") if dated else FIELDS
    values = {n: field_value(form, n) for n in (*fields, "version")}
    data = {"title": values["title"], "owner_id": values["owner_id"] or None}
    data["due_date"] = values["due_date"] or None
    if dated:
        data["done_on"] = values["done_on"] or None
    body, errors = validate(ActionUpdate, data)
    if not values["title"]:
        errors["title"] = "Required."
    if dated and not values["done_on"]:
        errors["done_on"] = "Required: the day it was done."
    status = 422
    if body is not None and not errors:
        try:
            risks.update_action(
                db,
                viewer.actor,
                risk_id,
                action_id,
                body.model_dump(include=set(fields)),
                expected_version=version_of(form),
            )
            done(db)
            return RedirectResponse(f"/risks/{risk_id}?action=action_saved#actions", 303)
        except (ValidationFailed, Conflict, StaleVersion) as exc:
            db.rollback()
            errors, status = errors_of(exc, fields), exc.status
    return _risk(
        request,
        db,
        viewer,
        risk_id,
        action_errors=errors,
        action_values=values,
        edit_action=action_id,
        status_code=status,
    )


@router.post("/risks/{risk_id}/actions/{action_id}/delete")
def delete_action(
    request: Request,
    risk_id: PathId,
    action_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Delete a mitigation action (managers)."""
    try:
        risks.delete_action(db, viewer.actor, risk_id, action_id, expected_version=version_of(form))
        done(db)
    except StaleVersion as exc:
        db.rollback()
        return _risk(
            request,
            db,
            viewer,
            risk_id,
            action_errors={GENERAL: humanize(exc.message) + "."},
            edit_action=action_id,
            status_code=exc.status,
        )
    return RedirectResponse(f"/risks/{risk_id}?action=action_deleted#actions", 303)
