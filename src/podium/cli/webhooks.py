"""``podium webhook``: a program's outgoing webhooks, their delivery log, the delivery worker."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import DBAPIError

from podium.cli._app import (
    ProgramRef,
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

webhook_app = typer.Typer(
    help="Outgoing webhooks: subscriptions, the delivery log, the delivery worker.",
    no_args_is_help=True,
)
app.add_typer(webhook_app, name="webhook")
# the worker's first spelling, `podium webhooks deliver`, keeps working
app.add_typer(webhook_app, name="webhooks", hidden=True)

STATUS_STYLE = {"delivered": "green", "pending": "yellow", "failed": "bold red"}


@webhook_app.command("list")
def webhook_list(program: ProgramRef, as_user: AsUser = None) -> None:
    """A program's webhooks with their delivery counts."""
    from podium.services import programs, webhooks

    require_current_schema()
    table = Table("id", "url", "events", "format", "delivered", "waiting", "given up", "latest")
    for column in table.columns[1:3]:
        column.overflow = "fold"  # a URL is read whole
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = programs.find_program(session, actor, program)
            hooks = webhooks.list_subscriptions(session, actor, found.id)
            logs = webhooks.summarize_deliveries(session, actor, found.id)
            for h in hooks:
                log = logs.get(h.id)
                last = log.last if log else None
                table.add_row(
                    str(h.id),
                    escape(h.url if h.active else f"{h.url} (paused)"),
                    ", ".join(h.events),
                    h.format.value,
                    str(log.delivered if log else 0),
                    str(log.pending if log else 0),
                    str(log.failed if log else 0),
                    f"{last.event} {last.status.value}" if last else "",
                )
            key = found.key
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    if not hooks:
        console.print(f"No webhook in {key} yet: add one with `podium webhook add {key} URL`.")
        return
    table.title = f"{key}: {len(hooks)} webhook{'s' if len(hooks) != 1 else ''}"
    table.title_justify = "left"
    console.print(table)


@webhook_app.command("add")
def webhook_add(
    program: ProgramRef,
    url: Annotated[str, typer.Argument(help="the receiver's http(s) URL")],
    event: Annotated[
        list[str] | None,
        typer.Option(help="an event to send (repeatable); none: every event"),
    ] = None,
    slack: Annotated[bool, typer.Option("--slack", help="send Slack-compatible messages")] = False,
    as_user: AsUser = None,
) -> None:
    """Subscribe a URL to a program's events; prints the signing secret."""
    from podium.config import get_settings
    from podium.models import WebhookFormat
    from podium.services import programs, webhooks

    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = programs.find_program(session, actor, program)
            hook = webhooks.subscribe(
                session,
                actor,
                found.id,
                url=url,
                events=list(event or []),
                format=WebhookFormat.SLACK if slack else WebhookFormat.JSON,
                allow_private=get_settings().webhooks_allow_private,
            )
            hook_id, secret, events, key = hook.id, hook.secret, list(hook.events), found.key
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Webhook {hook_id} on {key}: {', '.join(events)} → {url}", markup=False)
    console.print("Signing secret (the receiver checks X-Podium-Signature with it):")
    console.print(secret, soft_wrap=True, markup=False)


def _change_webhook(
    webhook_id: int, as_user: str | None, changes: dict[str, object], done: str
) -> None:
    from podium.config import get_settings
    from podium.services import webhooks

    require_current_schema()
    try:
        with unit_of_work() as session:
            hook = webhooks.update_subscription(
                session,
                actor_for(session, as_user),
                webhook_id,
                changes,
                expected_version=None,
                allow_private=get_settings().webhooks_allow_private,
            )
            url, events, kind = hook.url, ", ".join(hook.events), hook.format.value
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Webhook {webhook_id} {done}: {events} → {url} ({kind})", markup=False)


@webhook_app.command("pause")
def webhook_pause(
    webhook_id: Annotated[int, typer.Argument(help="the webhook's id (podium webhook list)")],
    as_user: AsUser = None,
) -> None:
    """Pause a webhook: no event is queued or sent until it is resumed."""
    _change_webhook(webhook_id, as_user, {"active": False}, "paused")


@webhook_app.command("resume")
def webhook_resume(
    webhook_id: Annotated[int, typer.Argument(help="the webhook's id (podium webhook list)")],
    as_user: AsUser = None,
) -> None:
    """Resume a paused webhook: what was queued before the pause is sent."""
    _change_webhook(webhook_id, as_user, {"active": True}, "resumed")


@webhook_app.command("set")
def webhook_set(
    webhook_id: Annotated[int, typer.Argument(help="the webhook's id (podium webhook list)")],
    url: Annotated[str | None, typer.Option(help="a new receiver URL")] = None,
    event: Annotated[
        list[str] | None,
        typer.Option(help="the events to send (repeatable), replacing the ones it had"),
    ] = None,
    every_event: Annotated[
        bool, typer.Option("--every-event", help="send every event (not with --event)")
    ] = False,
    message_format: Annotated[
        str | None, typer.Option("--format", help="json, or slack for Slack-compatible messages")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Change a webhook's URL, events or message format; its secret and log stay."""
    from podium.models import WebhookFormat

    changes: dict[str, object] = {}
    if url is not None:
        changes["url"] = url
    if event and every_event:
        raise fail("give --event or --every-event, not both")
    if event or every_event:
        changes["events"] = list(event or [])
    if message_format is not None:
        formats = [f.value for f in WebhookFormat]
        if message_format not in formats:
            raise fail(f"--format must be one of {', '.join(formats)}, not {message_format!r}")
        changes["format"] = WebhookFormat(message_format)
    if not changes:
        raise fail("nothing to change: give --url, --event, --every-event or --format")
    _change_webhook(webhook_id, as_user, changes, "changed")


@webhook_app.command("roll-secret")
def webhook_roll_secret(
    webhook_id: Annotated[int, typer.Argument(help="the webhook's id (podium webhook list)")],
    grace_hours: Annotated[
        int,
        typer.Option(
            "--grace-hours",
            help="hours the old secret signs too, beside the new one: 0 (stops at once, "
            "for a secret that leaked), 1, 24, 72 or 168",
        ),
    ] = 24,
    as_user: AsUser = None,
) -> None:
    """Give a webhook a new signing secret (printed once); the old one signs too for a while."""
    from podium.services import webhooks
    from podium.services.webhook_secrets import previous_until

    require_current_schema()
    try:
        with unit_of_work() as session:
            hook = webhooks.roll_secret(
                session,
                actor_for(session, as_user),
                webhook_id,
                grace_hours=grace_hours,
                expected_version=None,
            )
            secret, rolled_at = hook.secret, hook.secret_rolled_at
            until = previous_until(hook, rolled_at) if rolled_at else None
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Webhook {webhook_id}: signing secret rolled. The new secret, shown only once:")
    console.print(secret, soft_wrap=True, markup=False)
    if until:
        console.print(
            f"Until {moment(until)} each delivery is signed with both secrets (two v1= in "
            "X-Podium-Signature): put the new one in the receiver before then."
        )
    else:
        console.print("The old secret signs nothing from now on: put the new one in the receiver.")


@webhook_app.command("remove")
def webhook_remove(
    webhook_id: Annotated[int, typer.Argument(help="the webhook's id (podium webhook list)")],
    as_user: AsUser = None,
) -> None:
    """Remove a webhook and its delivery log."""
    from podium.services import webhooks

    require_current_schema()
    try:
        with unit_of_work() as session:
            webhooks.delete_subscription(session, actor_for(session, as_user), webhook_id)
    except PodiumError as exc:
        raise fail(exc.message) from exc
    console.print(f"Removed webhook {webhook_id} and its delivery log.")


@webhook_app.command("test")
def webhook_test(
    webhook_id: Annotated[int, typer.Argument(help="the webhook's id")],
    as_user: AsUser = None,
) -> None:
    """Queue a ping to a webhook (the delivery worker sends it)."""
    from podium.services import webhooks

    require_current_schema()
    try:
        with unit_of_work() as session:
            webhooks.send_test(session, actor_for(session, as_user), webhook_id)
    except PodiumError as exc:
        raise fail(exc.message) from exc
    console.print(f"Queued a ping to webhook {webhook_id}; `podium webhook deliver` sends it.")


@webhook_app.command("deliveries")
def webhook_deliveries(
    webhook_id: Annotated[int, typer.Argument(help="the webhook's id")],
    limit: Annotated[int, typer.Option(min=1, max=1000, help="how many, newest first")] = 50,
    as_user: AsUser = None,
) -> None:
    """A webhook's delivery log, newest first."""
    from podium.services import webhooks

    require_current_schema()
    table = Table("id", "event", "queued", "status", "attempts", "last answer", "next attempt")
    try:
        with unit_of_work() as session:
            log = webhooks.list_deliveries(
                session, actor_for(session, as_user), webhook_id, limit=limit
            )
            for d in log:
                answer = " · ".join(
                    part
                    for part in (
                        f"HTTP {d.last_status_code}" if d.last_status_code else "",
                        d.last_error if d.last_error != f"HTTP {d.last_status_code}" else "",
                    )
                    if part
                )
                style = STATUS_STYLE.get(d.status.value, "")
                table.add_row(
                    str(d.id),
                    d.event,
                    moment(d.created_at),
                    f"[{style}]{d.status.value}[/]",
                    str(d.attempts),
                    escape(answer),
                    moment(d.next_attempt_at),
                )
    except PodiumError as exc:
        raise fail(exc.message) from exc
    if not log:
        console.print(
            f"No delivery of webhook {webhook_id} yet: one is queued at each event it is sent, "
            f"and `podium webhook test {webhook_id}` queues a ping."
        )
        return
    table.title = f"webhook {webhook_id}: {len(log)} deliver{'ies' if len(log) != 1 else 'y'}"
    table.title_justify = "left"
    console.print(table)


@webhook_app.command("deliver")
def webhooks_deliver(
    loop: Annotated[bool, typer.Option("--loop", help="keep delivering until stopped")] = False,
    interval: Annotated[float, typer.Option(help="seconds between passes with --loop")] = 10.0,
    base_url: Annotated[
        str | None,
        typer.Option(
            envvar="PODIUM_BASE_URL",
            help="the address people reach Podium at (Slack messages link to records)",
        ),
    ] = None,
) -> None:
    """Send the webhook deliveries that are due (retries back off: 1, 2, 4 … minutes)."""
    import time

    from podium.config import get_settings
    from podium.services.webhook_delivery import deliver_pending

    require_current_schema()
    allow_private = get_settings().webhooks_allow_private
    while True:
        try:
            with unit_of_work() as session:
                run = deliver_pending(session, allow_private=allow_private, base_url=base_url)
        except DBAPIError as exc:
            # a database that is busy or away for a moment: the worker waits and tries again
            # (each delivery made was committed as it was made, so none is sent twice)
            reason = str(exc.orig or exc).strip().splitlines()[0]
            if not loop:
                raise fail(f"the database did not answer: {reason}") from exc
            console.print(f"the database did not answer ({reason}); trying again", markup=False)
        else:
            console.print(
                f"delivered {run.delivered}, to retry {run.retried}, given up {run.failed}"
            )
        if not loop:
            return
        time.sleep(interval)
