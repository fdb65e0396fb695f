"""Calendar feeds (secret iCalendar URLs) and outgoing webhooks of a program."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from podium.api.deps import CurrentActor, Db, commit
from podium.api.schemas import ERROR_RESPONSES
from podium.errors import NotFound
from podium.models import CalendarFeed
from podium.services import feeds

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


class FeedCreated(FeedOut):
    url: str


def _out(feed: CalendarFeed) -> FeedOut:
    return FeedOut(
        id=feed.id,
        kind="program" if feed.program_id is not None else "personal",
        program_id=feed.program_id,
        user_id=feed.user_id,
        prefix=feed.prefix,
        created_at=feed.created_at,
        revoked_at=feed.revoked_at,
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
    program_id: int, db: Db, actor: CurrentActor, request: Request
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


@router.get("/feeds", response_model=list[FeedOut], summary="The feeds I created")
def list_feeds(db: Db, actor: CurrentActor) -> list[FeedOut]:
    return [_out(feed) for feed in feeds.list_feeds(db, actor)]


@router.delete(
    "/feeds/{feed_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke a feed: its URL answers 404 from now on",
)
def revoke_feed(feed_id: int, db: Db, actor: CurrentActor) -> Response:
    feeds.revoke_feed(db, actor, feed_id)
    commit(db)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


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
