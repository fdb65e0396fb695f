"""The Integrations tab's page: the viewer's calendar feeds of the program and the
program's webhooks (managers), and the forms that make and revoke feeds."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.schemas import PathId
from podium.errors import NotFound
from podium.models import CalendarFeed, Role
from podium.services import feeds, webhooks
from podium.services.actor import role_in
from podium.services.events import EVENTS
from podium.services.programs import get_program
from podium.web.form_errors import Errors
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.tasks import done
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

EVENT_LABELS = {
    "alert.raised": "An alert is raised",
    "alert.resolved": "An alert is resolved",
    "milestone.forecast_changed": "A milestone's forecast moves",
    "risk.escalated": "A risk is escalated or de-escalated",
    "change_request.decided": "A change request is decided",
    "report.issued": "A status report is issued",
}
SAVED = {
    "revoked": "Feed revoked: its URL answers 404 from now on.",
    "deleted": "Webhook deleted with its delivery log.",
    "test": "Test event queued: the webhook worker sends it on its next pass.",
    "paused": "Webhook paused: no event is queued or sent until it is resumed.",
    "resumed": "Webhook resumed: what was waiting is sent on the worker's next pass.",
    "changed": "Webhook changed: its secret and delivery log stay.",
}


def feed_url(request: Request, secret: str) -> str:
    """The feed's full address on this server (what a calendar application subscribes to)."""
    return str(request.base_url).rstrip("/") + feeds.feed_path(secret)


def _can_manage(db: Db, viewer: CurrentViewer, program_id: int) -> bool:
    role = role_in(db, viewer.actor, program_id)
    return role is not None and role.rank >= Role.MANAGER.rank


def render_tab(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    program_id: int,
    *,
    new_feed: dict[str, Any] | None = None,
    new_hook: dict[str, Any] | None = None,
    hook_errors: Errors | None = None,
    hook_values: dict[str, Any] | None = None,
    flash: str = "",
    revoking: int | None = None,
    status_code: int = 200,
) -> Response:
    """The tab, with what a form just made shown once, or a refused form's errors."""
    program = get_program(db, viewer.actor, program_id)
    mine = [f for f in feeds.list_feeds(db, viewer.actor) if feeds.is_live(db, f)]
    can_manage = _can_manage(db, viewer, program_id)
    hooks = webhooks.list_subscriptions(db, viewer.actor, program_id) if can_manage else []
    logs = webhooks.summarize_deliveries(db, viewer.actor, program_id) if can_manage else {}
    creators = webhooks.creators(db, viewer.actor, program_id, hooks) if can_manage else {}
    return render(
        request,
        "integrations/page.html",
        {
            "program": program,
            "program_feeds": [f for f in mine if f.program_id == program_id],
            "personal_feeds": [f for f in mine if f.user_id is not None],
            "new_feed": new_feed,
            "can_manage": can_manage,
            "hooks": hooks,
            "logs": logs,
            "creators": creators,
            "new_hook": new_hook,
            "event_labels": EVENT_LABELS,
            "events": EVENTS,
            "hook_errors": hook_errors or {},
            "hook_values": hook_values or {"events": []},
            "flash": flash,
            "revoking": revoking,
            "scenario_copy": program.scenario_of_id is not None,
        },
        status_code=status_code,
    )


@router.get("/programs/{program_id}/integrations", name="integrations")
def integrations_page(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    saved: Annotated[str | None, Query(max_length=12)] = None,
    revoke: Annotated[int | None, Query(ge=1, description="the feed to confirm revoking")] = None,
) -> Response:
    """The viewer's calendar feeds of the program, and the program's webhooks (managers);
    with ``revoke``, the confirmation of revoking that feed in its row."""
    return render_tab(
        request, db, viewer, program_id, flash=SAVED.get(saved or "", ""), revoking=revoke
    )


# --- calendar feeds ----------------------------------------------------------------


def _created_feed(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    program_id: int,
    made: tuple[CalendarFeed, str],
) -> Response:
    feed, secret = made
    shown = {"id": feed.id, "kind": "program" if feed.program_id else "personal"}
    done(db)
    shown["url"] = feed_url(request, secret)
    return render_tab(request, db, viewer, program_id, new_feed=shown, status_code=201)


@router.post("/programs/{program_id}/integrations/feeds")
def create_program_feed(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, _form: CheckedForm
) -> Response:
    """A secret iCalendar URL of the program's milestones, deadlines and reviews (shown once)."""
    made = feeds.create_program_feed(db, viewer.actor, program_id)
    return _created_feed(request, db, viewer, program_id, made)


@router.post("/programs/{program_id}/integrations/feeds/personal")
def create_personal_feed(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, _form: CheckedForm
) -> Response:
    """A secret iCalendar URL of the viewer's assigned tasks, in every program (shown once)."""
    get_program(db, viewer.actor, program_id)
    made = feeds.create_personal_feed(db, viewer.actor)
    return _created_feed(request, db, viewer, program_id, made)


@router.post("/programs/{program_id}/integrations/feeds/{feed_id}/revoke")
def revoke_feed(
    program_id: PathId, feed_id: PathId, db: Db, viewer: CurrentViewer, _form: CheckedForm
) -> Response:
    """Revoke one of the viewer's feeds."""
    feed: CalendarFeed = feeds.revoke_feed(db, viewer.actor, feed_id)
    if feed.program_id not in (None, program_id):
        raise NotFound(f"feed {feed_id} not found in this program")
    done(db)
    return RedirectResponse(
        f"/programs/{program_id}/integrations?saved=revoked#feeds", status_code=303
    )
