"""``podium stakeholder …``: who has a stake in a program, how much say and interest,
and which reports they receive.

A stakeholder is found by the number ``stakeholder list`` shows or by their name
(any case). Input is checked as the API checks it; ``--as EMAIL`` acts as that user,
with their permissions (default: the system).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Column, Table
from sqlalchemy.orm import Session

from podium.cli._app import (
    AsUser,
    ProgramRef,
    actor_for,
    app,
    checked_text,
    console,
    fail,
    service_work,
)
from podium.cli.governance import print_changes
from podium.cli.programs import counted
from podium.models import Program
from podium.models.governance import Stakeholder
from podium.services import programs
from podium.services.actor import Actor
from podium.services.governance import stakeholders
from podium.services.governance.stakeholders import REPORTS

stakeholder_app = typer.Typer(
    help="Stakeholders: their influence, interest and the reports they receive.",
    no_args_is_help=True,
)
app.add_typer(stakeholder_app, name="stakeholder")

# what the API takes (podium.api.governance)
TEXT_LENGTHS = {
    "--name": 200,
    "--role": 200,
    "--organization": 200,
    "--email": 320,
    "--notes": 10_000,
}
FIELDS = {"--name": "name", "--role": "role", "--organization": "organization"}
FIELDS |= {"--email": "email", "--notes": "notes"}
SCALE = (1, 5)

StakeholderRef = Annotated[
    str, typer.Argument(metavar="STAKEHOLDER", help="their number (stakeholder list) or name")
]
Role = Annotated[str | None, typer.Option(help="their role, e.g. 'Chief operating officer'")]
Organization = Annotated[str | None, typer.Option(help="where they work")]
Email = Annotated[str | None, typer.Option(help="a Podium user's email links their account")]
Influence = Annotated[int | None, typer.Option(help="how much say they have: 1 (little) to 5")]
Interest = Annotated[int | None, typer.Option(help="how much they care: 1 (little) to 5")]
Notes = Annotated[str | None, typer.Option(help="anything worth knowing")]
Reports = Annotated[
    list[str] | None,
    typer.Option("--report", help=f"a report they receive (repeatable): {', '.join(REPORTS)}"),
]


def _fields(given: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The stakeholder fields among the options given, checked as the API checks them."""
    out: dict[str, Any] = {}
    for option, field in FIELDS.items():
        if given[field] is not None:
            limit = TEXT_LENGTHS[option]
            out[field] = checked_text(given[field], option, limit, required=field == "name")
    for field in ("influence", "interest"):
        value = given[field]
        if value is not None and not SCALE[0] <= value <= SCALE[1]:
            raise fail(f"--{field} is between {SCALE[0]} and {SCALE[1]}, not {value}")
        if value is not None:
            out[field] = value
    if given["reports"] or creating:
        out["reports"] = _reports(given["reports"] or [])
    return out


def _reports(values: list[str]) -> list[str]:
    wanted = [v.strip().lower().replace("-", "_") for v in values]
    unknown = [v for v in wanted if v not in REPORTS]
    if unknown:
        raise fail(escape(f"--report is one of {', '.join(REPORTS)}, not {unknown[0]!r}"))
    return list(dict.fromkeys(wanted))


def _find(session: Session, actor: Actor, program: str, ref: str) -> tuple[Program, Stakeholder]:
    """The program's stakeholder with this number or name; unknown or two of that name:
    the command fails."""
    found = programs.find_program(session, actor, program)
    everyone = stakeholders.list_stakeholders(session, actor, found.id)
    wanted = ref.strip()
    matches = [s for s in everyone if str(s.id) == wanted] or [
        s for s in everyone if s.name.lower() == wanted.lower()
    ]
    if len(matches) > 1:
        numbers = ", ".join(str(s.id) for s in matches)
        raise fail(escape(f"{len(matches)} stakeholders are named {wanted!r}: give the number "
                          f"({numbers})"))  # fmt: skip
    if not matches:
        unknown = escape(f"no stakeholder {wanted!r} in {found.key}")
        raise fail(f"{unknown} (`podium stakeholder list {found.key}` lists them)")
    return found, matches[0]


def _shown_reports(reports: list[str]) -> str:
    return ", ".join(r.replace("_", "-") for r in reports)


def _plain(value: Any) -> Any:
    """The reports as typed (``status-report``), any other value as it is."""
    return _shown_reports(value) if isinstance(value, list) else value


@stakeholder_app.command("list")
def stakeholder_list(program: ProgramRef) -> None:
    """The program's stakeholders, the most influential first, with how to engage them."""
    with service_work() as session:
        actor = actor_for(session, None)
        found = programs.find_program(session, actor, program)
        everyone = stakeholders.list_stakeholders(session, actor, found.id)
        table = Table(
            Column("#", justify="right"), "name", "role", "organization",
            Column("influence", justify="right"), Column("interest", justify="right"),
            "engage", "receives", "email",
            title=f"{counted(len(everyone), 'stakeholder')} of {found.key}", title_justify="left",
        )  # fmt: skip
        for s in everyone:
            table.add_row(
                str(s.id), escape(s.name), escape(s.role), escape(s.organization),
                str(s.influence), str(s.interest), stakeholders.quadrant_label(s),
                _shown_reports(s.reports) or "—", escape(s.email) or "—",
            )  # fmt: skip
        key = found.key
    if not everyone:
        console.print(
            f"No stakeholder in {key} yet: add one with `podium stakeholder add {key} NAME`."
        )
        return
    console.print(table)


@stakeholder_app.command("add")
def stakeholder_add(
    program: ProgramRef,
    name: Annotated[str, typer.Argument(help="their name")],
    role: Role = None,
    organization: Organization = None,
    email: Email = None,
    influence: Influence = 3,
    interest: Interest = 3,
    report: Reports = None,
    notes: Notes = None,
    as_user: AsUser = None,
) -> None:
    """Add a stakeholder (managers), and print the number they got."""
    name = checked_text(name, "NAME", TEXT_LENGTHS["--name"], required=True)
    given = dict(name=name, role=role, organization=organization, email=email, notes=notes,
                 influence=influence, interest=interest, reports=report)  # fmt: skip
    fields = _fields(given, creating=True)
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        made = stakeholders.add_stakeholder(session, actor, program_id=found.id, **fields)
        what = f"[bold]{made.id}[/] {escape(made.name)} to {found.key}"
        engage = stakeholders.quadrant_label(made).lower()
        grid = f"influence {made.influence}, interest {made.interest}: {engage}"
        receives = _shown_reports(made.reports) or "no report"
        linked = "; linked to their Podium account" if made.user_id else ""
    console.print(f"Added stakeholder {what} ({grid}; receives {receives}{linked}).")


@stakeholder_app.command("set")
def stakeholder_set(
    program: ProgramRef,
    stakeholder: StakeholderRef,
    name: Annotated[str | None, typer.Option(help="a new name")] = None,
    role: Role = None,
    organization: Organization = None,
    email: Email = None,
    influence: Influence = None,
    interest: Interest = None,
    report: Annotated[
        list[str] | None,
        typer.Option("--report", help="a report they receive (repeatable): replaces the list"),
    ] = None,
    no_reports: Annotated[bool, typer.Option("--no-reports", help="they receive none")] = False,
    notes: Notes = None,
    as_user: AsUser = None,
) -> None:
    """Change only what is given (managers); say what changed."""
    if report and no_reports:
        raise fail("give --report or --no-reports, not both")
    given = dict(name=name, role=role, organization=organization, email=email, notes=notes,
                 influence=influence, interest=interest, reports=report)  # fmt: skip
    updates = _fields(given, creating=False)
    if no_reports:
        updates["reports"] = []
    if not updates:
        raise fail("nothing to change: give at least one of the options (see --help)")
    with service_work() as session:
        actor = actor_for(session, as_user)
        _found, chosen = _find(session, actor, program, stakeholder)
        before = {field: getattr(chosen, field) for field in updates}
        engaged = stakeholders.quadrant_label(chosen)
        stakeholders.update_stakeholder(
            session, actor, chosen.id, updates, expected_version=chosen.version
        )
        lines = [
            (field, _plain(old), _plain(getattr(chosen, field))) for field, old in before.items()
        ]
        lines.append(("engage", engaged, stakeholders.quadrant_label(chosen)))
        title = f"stakeholder [bold]{chosen.id}[/] {escape(chosen.name)}"
    print_changes(title, lines)


@stakeholder_app.command("delete")
def stakeholder_delete(
    program: ProgramRef, stakeholder: StakeholderRef, as_user: AsUser = None
) -> None:
    """Remove a stakeholder (managers); decisions about them keep their name."""
    with service_work() as session:
        actor = actor_for(session, as_user)
        found, chosen = _find(session, actor, program, stakeholder)
        what = f"stakeholder {chosen.id} {escape(chosen.name)}"
        stakeholders.remove_stakeholder(session, actor, chosen.id, expected_version=chosen.version)
    console.print(f"Removed {what} from {found.key}.")
