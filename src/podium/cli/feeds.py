"""``podium feed``: secret calendar feeds of a program's dates or a person's tasks."""

from __future__ import annotations

import re
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from podium.cli._app import (
    actor_for,
    app,
    console,
    fail,
    print_problems,
    require_current_schema,
)
from podium.cli.integration_common import AsUser, moment
from podium.errors import PodiumError
from podium.services.uow import unit_of_work

feed_app = typer.Typer(
    help="Calendar feeds: secret iCalendar URLs of a program's dates or a person's tasks.",
    no_args_is_help=True,
)
app.add_typer(feed_app, name="feed")

BaseUrl = Annotated[
    str,
    typer.Option(
        envvar="PODIUM_BASE_URL", help="the address people reach Podium at (for the feed URL)"
    ),
]


@feed_app.command("create")
def feed_create(
    program: Annotated[
        str | None, typer.Argument(help="program key or id (not with --personal)")
    ] = None,
    personal: Annotated[
        bool, typer.Option("--personal", help="a feed of the user's own assigned tasks")
    ] = False,
    as_user: AsUser = None,
    base_url: BaseUrl = "http://127.0.0.1:8000",
) -> None:
    """Make a secret feed URL (printed once); it lives as long as its user can see the data."""
    from podium.services import feeds, programs

    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", base_url):
        raise fail(f"--base-url must be an http:// or https:// address, not {base_url!r}")

    if as_user is None:
        raise fail("a feed belongs to a person: give --as EMAIL")
    if personal == (program is not None):
        raise fail("give a PROGRAM, or --personal for the user's own tasks")
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            if program is None:
                feed, secret = feeds.create_personal_feed(session, actor)
                what = f"the tasks assigned to {actor.email}"
            else:
                found = programs.find_program(session, actor, program)
                feed, secret = feeds.create_program_feed(session, actor, found.id)
                what = f"{found.key}'s milestones, deadlines and reviews"
            feed_id = feed.id
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Feed {feed_id}: {what}. The URL is shown only this once:")
    console.print(base_url.rstrip("/") + feeds.feed_path(secret), soft_wrap=True, markup=False)
    console.print("Subscribe to it from a calendar application (Add calendar → From URL).")


@feed_app.command("list")
def feed_list(as_user: AsUser = None) -> None:
    """The feeds a user made (their URLs are not kept, only their first characters)."""
    from podium.models import Program
    from podium.services import feeds

    if as_user is None:
        raise fail("whose feeds? give --as EMAIL")
    require_current_schema()
    table = Table("id", "kind", "program", "starts", "created", "revoked", "served")
    with unit_of_work() as session:
        made = feeds.list_feeds(session, actor_for(session, as_user))
        for f in made:
            program = session.get(Program, f.program_id) if f.program_id else None
            table.add_row(
                str(f.id),
                "program" if f.program_id else "personal",
                program.key if program else "",
                f.prefix + "…",
                moment(f.created_at),
                moment(f.revoked_at),
                "yes" if feeds.is_live(session, f) else "no",
            )
    if not made:
        console.print(
            escape(
                f"{as_user} has made no feed yet: `podium feed create PROGRAM --as {as_user}` "
                "(or --personal) makes one."
            )
        )
        return
    table.title = f"{len(made)} feed{'s' if len(made) != 1 else ''} of {as_user}"
    table.title_justify = "left"
    console.print(table)


@feed_app.command("revoke")
def feed_revoke(
    feed_id: Annotated[int, typer.Argument(help="the feed's id (podium feed list)")],
    as_user: AsUser = None,
) -> None:
    """Revoke a feed: its URL answers 404 from now on."""
    from podium.services import feeds

    require_current_schema()
    try:
        with unit_of_work() as session:
            feeds.revoke_feed(session, actor_for(session, as_user), feed_id)
    except PodiumError as exc:
        raise fail(exc.message) from exc
    console.print(f"Revoked feed {feed_id}.")
