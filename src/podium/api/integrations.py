"""Calendar feeds (secret iCalendar URLs) and outgoing webhooks of a program."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field, field_validator

from podium.api.dependencies import refuse_null
from podium.api.deps import CurrentActor, Db, ExpectedVersion, Page, commit, paged, set_etag
from podium.api.schemas import ERROR_RESPONSES, PageOut, PathId, Strict
from podium.errors import NotFound
from podium.models import (
    CalendarFeed,
    WebhookDelivery,
    WebhookFormat,
    WebhookSubscription,
    utcnow,
)
from podium.services import feeds, webhooks
from podium.services.webhook_secrets import DEFAULT_GRACE_HOURS, GRACE_HOURS, previous_until

router = APIRouter(tags=["integrations"], responses=ERROR_RESPONSES)
public_router = APIRouter(tags=["integrations"])


class FeedOut(BaseModel):
    id: int
    kind: str
    program_id: int | None
    user_id: int | None
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    active: bool = Field(
        description="whether its URL is served: not revoked, and its maker still has access"
    )


class FeedCreated(FeedOut):
    url: str


def _out(feed: CalendarFeed, *, active: bool = True) -> FeedOut:
    return FeedOut(
        id=feed.id,
        kind="program" if feed.program_id is not None else "personal",
        program_id=feed.program_id,
        user_id=feed.user_id,
        prefix=feed.prefix,
        created_at=feed.created_at,
        revoked_at=feed.revoked_at,
        active=active,
    )


def _created(request: Request, feed: CalendarFeed, secret: str) -> FeedCreated:
    url = str(request.base_url).rstrip("/") + feeds.feed_path(secret)
    return FeedCreated(**_out(feed).model_dump(), url=url)


@router.post(
    "/programs/{program_id}/feeds",
    response_model=FeedCreated,
    status_code=status.HTTP_201_CREATED,
    summary="A secret iCalendar URL of the program's milestones, deadlines and reviews "
    "(shown once)",
)
def create_program_feed(
    program_id: PathId, db: Db, actor: CurrentActor, request: Request
) -> FeedCreated:
    feed, secret = feeds.create_program_feed(db, actor, program_id)
    commit(db)
    return _created(request, feed, secret)


@router.post(
    "/feeds",
    response_model=FeedCreated,
    status_code=status.HTTP_201_CREATED,
    summary="A secret iCalendar URL of my assigned tasks (shown once)",
)
def create_personal_feed(db: Db, actor: CurrentActor, request: Request) -> FeedCreated:
    feed, secret = feeds.create_personal_feed(db, actor)
    commit(db)
    return _created(request, feed, secret)


@router.get("/feeds", response_model=PageOut[FeedOut], summary="The feeds I created")
def list_feeds(db: Db, actor: CurrentActor, page: Page) -> PageOut[FeedOut]:
    return paged(feeds.list_feeds(db, actor), page, lambda f: _out(f, active=feeds.is_live(db, f)))


@router.delete(
    "/feeds/{feed_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke a feed: its URL answers 404 from now on",
)
def revoke_feed(feed_id: PathId, db: Db, actor: CurrentActor) -> Response:
    feeds.revoke_feed(db, actor, feed_id)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@public_router.head("/feeds/{name}", response_class=Response, include_in_schema=False)
def probe_feed(name: str, db: Db) -> Response:
    """What ``GET`` answers, without its body: calendar applications and link checkers
    ask with ``HEAD`` first."""
    return serve_feed(name, db)


@public_router.get(
    "/feeds/{name}",
    response_class=Response,
    summary="An iCalendar feed (the secret in the URL is the only credential)",
)
def serve_feed(name: str, db: Db) -> Response:
    if not name.endswith(".ics"):
        raise NotFound("feed not found")
    feed = feeds.feed_for_secret(db, name.removesuffix(".ics"))
    body = feeds.render_feed(db, feed)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


# --- webhooks ------------------------------------------------------------------------


class WebhookCreate(BaseModel):
    model_config = {"extra": "forbid"}

    url: str = Field(min_length=8, max_length=2000)
    events: list[str] = Field(default_factory=list, description="empty: every event")
    format: WebhookFormat = WebhookFormat.JSON


class WebhookUpdate(Strict):
    """The fields to change; leave out what stays."""

    url: str | None = Field(default=None, min_length=8, max_length=2000)
    events: list[str] | None = Field(default=None, description="empty: every event")
    format: WebhookFormat | None = None
    active: bool | None = Field(
        default=None,
        description="false pauses the webhook: nothing is queued or sent until it is true again",
    )

    _not_null = field_validator("url", "events", "format", "active")(refuse_null)


class WebhookOut(BaseModel):
    id: int
    program_id: int
    url: str
    events: list[str]
    format: WebhookFormat
    active: bool
    created_by: str = Field(
        description="who added it (an email, kept as written): the webhook belongs to the "
        "program and keeps sending when they leave it"
    )
    created_at: datetime
    secret_rolled_at: datetime | None = Field(
        description="when its signing secret was last rolled (null: never)"
    )
    previous_secret_expires_at: datetime | None = Field(
        description="until when the secret replaced by the last roll signs every delivery "
        "too (a second v1 in X-Podium-Signature); null: only the current secret signs"
    )
    version: int


class WebhookCreated(WebhookOut):
    secret: str = Field(description="the signing secret, shown in this answer only")


class WebhookSecretRoll(Strict):
    """How long the secret being replaced keeps signing."""

    grace_hours: int = Field(
        default=DEFAULT_GRACE_HOURS,
        strict=True,
        description="hours the replaced secret signs too, beside the new one: "
        + ", ".join(str(h) for h in GRACE_HOURS)
        + " (0: it stops at once, for a secret that leaked)",
    )


class DeliveryOut(BaseModel):
    id: int
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


def _hook(s: WebhookSubscription) -> WebhookOut:
    return WebhookOut(
        id=s.id,
        program_id=s.program_id,
        url=s.url,
        events=list(s.events),
        format=s.format,
        active=s.active,
        created_by=s.created_by,
        created_at=s.created_at,
        secret_rolled_at=s.secret_rolled_at,
        previous_secret_expires_at=previous_until(s, utcnow()),
        version=s.version,
    )


@router.get("/programs/{program_id}/webhooks", response_model=PageOut[WebhookOut])
def list_webhooks(
    program_id: PathId, db: Db, actor: CurrentActor, page: Page
) -> PageOut[WebhookOut]:
    return paged(webhooks.list_subscriptions(db, actor, program_id), page, _hook)


@router.post(
    "/programs/{program_id}/webhooks",
    response_model=WebhookCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Subscribe a URL to the program's events (manager); the answer holds the secret",
)
def create_webhook(
    program_id: PathId, body: WebhookCreate, db: Db, actor: CurrentActor, request: Request
) -> WebhookCreated:
    subscription = webhooks.subscribe(
        db,
        actor,
        program_id,
        url=body.url,
        events=body.events,
        format=body.format,
        allow_private=request.app.state.settings.webhooks_allow_private,
    )
    commit(db)
    return WebhookCreated(**_hook(subscription).model_dump(), secret=subscription.secret)


@router.get("/webhooks/{webhook_id}", response_model=WebhookOut, summary="One webhook (manager)")
def get_webhook(webhook_id: PathId, db: Db, actor: CurrentActor, response: Response) -> WebhookOut:
    subscription = webhooks.get_subscription(db, actor, webhook_id)
    set_etag(response, subscription.version)
    return _hook(subscription)


@router.patch(
    "/webhooks/{webhook_id}",
    response_model=WebhookOut,
    summary="Change a webhook's URL, events or format, or pause and resume it (manager)",
)
def update_webhook(
    webhook_id: PathId,
    body: WebhookUpdate,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    request: Request,
    response: Response,
) -> WebhookOut:
    subscription = webhooks.update_subscription(
        db,
        actor,
        webhook_id,
        body.model_dump(exclude_unset=True),
        expected_version=version,
        allow_private=request.app.state.settings.webhooks_allow_private,
    )
    commit(db)
    set_etag(response, subscription.version)
    return _hook(subscription)


@router.post(
    "/webhooks/{webhook_id}/secret",
    response_model=WebhookCreated,
    summary="Roll a webhook's signing secret (manager): the answer holds the new secret, "
    "shown once; the replaced one signs too for grace_hours",
)
def roll_webhook_secret(
    webhook_id: PathId,
    db: Db,
    actor: CurrentActor,
    version: ExpectedVersion,
    response: Response,
    body: WebhookSecretRoll | None = None,
) -> WebhookCreated:
    subscription = webhooks.roll_secret(
        db,
        actor,
        webhook_id,
        grace_hours=(body or WebhookSecretRoll()).grace_hours,
        expected_version=version,
    )
    commit(db)
    set_etag(response, subscription.version)
    return WebhookCreated(**_hook(subscription).model_dump(), secret=subscription.secret)


@router.delete("/webhooks/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_webhook(webhook_id: PathId, db: Db, actor: CurrentActor) -> Response:
    webhooks.delete_subscription(db, actor, webhook_id)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=PageOut[DeliveryOut])
def list_webhook_deliveries(
    webhook_id: PathId, db: Db, actor: CurrentActor, page: Page
) -> PageOut[DeliveryOut]:
    """A webhook's delivery log, newest first."""
    found = webhooks.list_deliveries(db, actor, webhook_id, limit=page.limit, offset=page.offset)
    return PageOut(
        items=[_delivery(d) for d in found],
        total=webhooks.count_deliveries(db, actor, webhook_id),
        limit=page.limit,
        offset=page.offset,
    )


def _delivery(d: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.id,
        event=d.event,
        status=d.status.value,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        created_at=d.created_at,
        delivered_at=d.delivered_at,
    )


@router.post(
    "/webhooks/{webhook_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Queue a ping to the subscription (sent by the webhook worker)",
)
def test_webhook(webhook_id: PathId, db: Db, actor: CurrentActor) -> dict[str, str]:
    webhooks.send_test(db, actor, webhook_id)
    commit(db)
    return {"status": "queued"}
