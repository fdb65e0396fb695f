"""A webhook on the Integrations tab (managers): adding one, its delivery log, and the
forms that change, pause, resume, test and delete it or roll its signing secret."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.integrations import WebhookCreate
from podium.api.schemas import PathId
from podium.errors import NotFound, StaleVersion, ValidationFailed
from podium.models import WebhookFormat, WebhookSubscription, utcnow
from podium.services import webhooks
from podium.services.events import EVENTS
from podium.services.programs import get_program
from podium.services.webhook_secrets import DEFAULT_GRACE_HOURS, previous_until
from podium.web.form_errors import Errors, errors_of, validate
from podium.web.integrations.page import EVENT_LABELS, SAVED, render_tab
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.tasks import checkbox, done, field_value, version_of, whole_number
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

ROLLED = {
    True: "Signing secret rolled: deliveries carry a signature under each secret until "
    "the old one stops.",
    False: "Signing secret rolled: the old secret no longer signs anything.",
}
HOOK_FIELDS = ("url", "events", "slack")
GRACE_LABELS = {  # webhook_secrets.GRACE_HOURS, in words
    0: "Now (if it leaked)",
    1: "In 1 hour",
    24: "In 24 hours",
    72: "In 3 days",
    168: "In 7 days",
}


def _hook_in(db: Db, viewer: CurrentViewer, program_id: int, hook_id: int) -> WebhookSubscription:
    hook = webhooks.get_subscription(db, viewer.actor, hook_id)
    if hook.program_id != program_id:
        raise NotFound(f"webhook {hook_id} not found in this program")
    return hook


@router.post("/programs/{program_id}/integrations/webhooks")
def add_webhook(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Subscribe a URL to the program's events (managers); its signing secret is shown once."""
    values, fields, errors = _hook_form(form)
    if fields is not None:
        try:
            hook = webhooks.subscribe(
                db,
                viewer.actor,
                program_id,
                url=fields["url"],
                events=fields["events"],
                format=fields["format"],
                allow_private=request.app.state.settings.webhooks_allow_private,
            )
            shown = {"id": hook.id, "url": hook.url, "secret": hook.secret}
            done(db)
            return render_tab(request, db, viewer, program_id, new_hook=shown, status_code=201)
        except ValidationFailed as exc:
            db.rollback()
            errors = errors_of(exc, HOOK_FIELDS)
    return render_tab(
        request,
        db,
        viewer,
        program_id,
        hook_errors=errors,
        hook_values=values,
        status_code=422,
    )


@router.get("/programs/{program_id}/integrations/webhooks/{hook_id}", name="webhook_log")
def webhook_log(
    request: Request,
    program_id: PathId,
    hook_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    saved: Annotated[str | None, Query(max_length=12)] = None,
    delete: Annotated[bool, Query(description="ask to confirm deleting it")] = False,
    roll: Annotated[bool, Query(description="ask to confirm rolling its secret")] = False,
) -> Response:
    """One webhook's delivery log, newest first (managers); with ``delete``, the
    confirmation of deleting it; with ``roll``, the form that rolls its signing secret."""
    hook = _hook_in(db, viewer, program_id, hook_id)
    return _log_page(
        request,
        db,
        viewer,
        hook,
        flash=SAVED.get(saved or "", ""),
        confirm=delete,
        confirm_roll=roll and not delete,
    )


def _log_page(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    hook: WebhookSubscription,
    *,
    flash: str = "",
    confirm: bool = False,
    confirm_roll: bool = False,
    new_secret: str = "",
    grace_hours: int = DEFAULT_GRACE_HOURS,
    error: str = "",
    edit_values: dict[str, Any] | None = None,
    edit_errors: Errors | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "integrations/webhook.html",
        {
            "program": get_program(db, viewer.actor, hook.program_id),
            "hook": hook,
            "creator": webhooks.creators(db, viewer.actor, hook.program_id, [hook])[hook.id],
            "previous_until": previous_until(hook, utcnow()),
            "confirm_roll": confirm_roll,
            "new_secret": new_secret,
            "grace_hours": grace_hours,
            "grace_labels": GRACE_LABELS,
            "deliveries": webhooks.list_deliveries(db, viewer.actor, hook.id),
            "event_labels": EVENT_LABELS,
            "flash": flash,
            "confirm_delete": confirm,
            "error": error,
            "events": list(EVENTS),
            "edit_values": edit_values if edit_values is not None else _hook_values(hook),
            "edit_errors": edit_errors or {},
        },
        status_code=status_code,
    )


def _hook_values(hook: WebhookSubscription) -> dict[str, Any]:
    """The edit form's values as the webhook has them (every event: none ticked)."""
    chosen = [] if set(hook.events) >= set(EVENTS) else list(hook.events)
    return {"url": hook.url, "events": chosen, "slack": hook.format == WebhookFormat.SLACK}


def _hook_form(form: FormData) -> tuple[dict[str, Any], dict[str, Any] | None, Errors]:
    """A webhook form's values, the fields they make (``None`` if they are not valid),
    and what is wrong with them."""
    values: dict[str, Any] = {
        "url": field_value(form, "url"),
        "events": [str(e) for e in form.getlist("events")],
        "slack": checkbox(form, "slack"),
    }
    format = WebhookFormat.SLACK if values["slack"] else WebhookFormat.JSON
    body, errors = validate(
        WebhookCreate, {"url": values["url"], "events": values["events"], "format": format}
    )
    if not values["url"]:
        errors["url"] = "Required."
    fields = None if body is None or errors else body.model_dump()
    return values, fields, errors


@router.post("/programs/{program_id}/integrations/webhooks/{hook_id}/edit")
def edit_webhook(
    request: Request,
    program_id: PathId,
    hook_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Change a webhook's URL, events or format (managers); its secret and log stay."""
    hook = _hook_in(db, viewer, program_id, hook_id)
    values, fields, errors = _hook_form(form)
    status_code = 422
    if fields is not None:
        try:
            webhooks.update_subscription(
                db,
                viewer.actor,
                hook_id,
                fields,
                expected_version=version_of(form),
                allow_private=request.app.state.settings.webhooks_allow_private,
            )
            done(db)
            return RedirectResponse(
                f"/programs/{program_id}/integrations/webhooks/{hook_id}?saved=changed",
                status_code=303,
            )
        except ValidationFailed as exc:
            db.rollback()
            db.refresh(hook)
            errors = errors_of(exc, HOOK_FIELDS)
        except StaleVersion:
            db.rollback()
            db.refresh(hook)
            errors = {
                "_form": "This webhook was changed by someone else meanwhile: reload it "
                "to see the change, then make yours again."
            }
            status_code = 412
    return _log_page(
        request, db, viewer, hook, edit_values=values, edit_errors=errors, status_code=status_code
    )


def _set_active(
    request: Request,
    program_id: int,
    hook_id: int,
    db: Db,
    viewer: CurrentViewer,
    form: FormData,
    *,
    active: bool,
) -> Response:
    hook = _hook_in(db, viewer, program_id, hook_id)
    try:
        webhooks.update_subscription(
            db, viewer.actor, hook_id, {"active": active}, expected_version=version_of(form)
        )
        done(db)
    except StaleVersion:
        db.rollback()
        db.refresh(hook)
        error = "This webhook was changed by someone else meanwhile: here it is as it is now."
        return _log_page(request, db, viewer, hook, error=error, status_code=412)
    saved = "resumed" if active else "paused"
    return RedirectResponse(
        f"/programs/{program_id}/integrations/webhooks/{hook_id}?saved={saved}", status_code=303
    )


@router.post("/programs/{program_id}/integrations/webhooks/{hook_id}/pause")
def pause_webhook(
    request: Request,
    program_id: PathId,
    hook_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Pause a webhook (managers): nothing is queued or sent until it is resumed."""
    return _set_active(request, program_id, hook_id, db, viewer, form, active=False)


@router.post("/programs/{program_id}/integrations/webhooks/{hook_id}/resume")
def resume_webhook(
    request: Request,
    program_id: PathId,
    hook_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Resume a paused webhook (managers)."""
    return _set_active(request, program_id, hook_id, db, viewer, form, active=True)


@router.post("/programs/{program_id}/integrations/webhooks/{hook_id}/secret")
def roll_secret(
    request: Request,
    program_id: PathId,
    hook_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Roll a webhook's signing secret (managers): the new one is shown once, on this
    answer; the replaced one signs too for the grace period chosen."""
    hook = _hook_in(db, viewer, program_id, hook_id)
    grace = whole_number(field_value(form, "grace_hours"))
    if grace is None or grace not in GRACE_LABELS:
        return _log_page(
            request,
            db,
            viewer,
            hook,
            confirm_roll=True,
            error="Choose when the current secret stops signing.",
            status_code=422,
        )
    try:
        webhooks.roll_secret(
            db, viewer.actor, hook_id, grace_hours=grace, expected_version=version_of(form)
        )
    except StaleVersion:
        db.rollback()
        db.refresh(hook)
        error = (
            "This webhook was changed by someone else meanwhile (its secret may have been "
            "rolled already): here it is as it is now. Roll it again if it still needs it."
        )
        return _log_page(request, db, viewer, hook, error=error, status_code=412)
    secret = hook.secret
    done(db)
    return _log_page(request, db, viewer, hook, new_secret=secret, flash=ROLLED[grace > 0])


@router.post("/programs/{program_id}/integrations/webhooks/{hook_id}/test")
def send_test(
    program_id: PathId, hook_id: PathId, db: Db, viewer: CurrentViewer, _form: CheckedForm
) -> Response:
    """Queue a ``ping`` to the webhook (managers); back to its delivery log."""
    _hook_in(db, viewer, program_id, hook_id)
    webhooks.send_test(db, viewer.actor, hook_id)
    done(db)
    return RedirectResponse(
        f"/programs/{program_id}/integrations/webhooks/{hook_id}?saved=test", status_code=303
    )


@router.post("/programs/{program_id}/integrations/webhooks/{hook_id}/delete")
def delete_webhook(
    program_id: PathId, hook_id: PathId, db: Db, viewer: CurrentViewer, _form: CheckedForm
) -> Response:
    """Remove a webhook and its delivery log (managers)."""
    _hook_in(db, viewer, program_id, hook_id)
    webhooks.delete_subscription(db, viewer.actor, hook_id)
    done(db)
    return RedirectResponse(
        f"/programs/{program_id}/integrations?saved=deleted#webhooks", status_code=303
    )
