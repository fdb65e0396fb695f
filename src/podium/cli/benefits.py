"""Commands on the benefits, the KPIs a program exists to move: list, add, measure, set,
delete, and delete a measurement.

A benefit is found by its id or its name (any case). Input is checked as the API checks
it (podium.api.benefits); ``--as EMAIL`` acts as that user (managers define and change
KPIs, members record readings), else the system.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from podium.cli._app import (
    AsUser,
    ProgramRef,
    actor_for,
    app,
    checked_text,
    console,
    fail,
    parse_day,
    print_problems,
    require_current_schema,
    service_work,
)
from podium.cli.programs import counted
from podium.engine.benefits import DIRECTIONS
from podium.errors import PodiumError
from podium.models import Benefit, Program, Role
from podium.services import benefits, programs
from podium.services.actor import Actor, require_role
from podium.services.uow import unit_of_work

benefit_app = typer.Typer(help="Benefits: the KPIs a program exists to move.", no_args_is_help=True)
app.add_typer(benefit_app, name="benefit")

# what the API takes (podium.api.benefits)
TEXT_LENGTHS = {"--name": 200, "--unit": 50, "--description": 10_000, "--source": 200,
                "--note": 10_000}  # fmt: skip
MAX_VALUE = 1e15
MAX_PROJECTS = 100
LABELS = {"baseline_value": "baseline", "target_value": "target", "target_date": "by",
          "baseline_date": "baseline date", "is_goal": "goal KPI"}  # fmt: skip
BenefitRef = Annotated[str, typer.Argument(metavar="BENEFIT", help="benefit id or name")]


def _find_benefit(session: Session, actor: Actor, program: Program, ref: str) -> Benefit:
    """A benefit of the program by id or name (any case: names are unique so)."""
    views = benefits.list_benefits(session, actor, program.id)
    text = ref.strip()
    chosen = next(
        (
            v.benefit
            for v in views
            if str(v.benefit.id) == text or v.benefit.name.casefold() == text.casefold()
        ),
        None,
    )
    if chosen is None:
        names = ", ".join(f"{v.benefit.id} {v.benefit.name!r}" for v in views) or "none"
        raise fail(escape(f"no benefit {ref!r} in {program.key} (there are: {names})"))
    return chosen


def _realized(view: benefits.BenefitView) -> str:
    r = view.realization
    if r.realization_pct is None:
        return ""
    return f"{r.realization_pct:.1f} % realized, {r.expected_pct:.1f} % expected by the path"


def _state(view: benefits.BenefitView) -> str:
    """Where the KPI stands, in words: ``off track``; ``no reading since the baseline``
    when the only readings come before its baseline date (the old normal, not judged)."""
    r = view.realization
    if r.state == "no_data" and r.before_baseline is not None:
        return "no reading since the baseline"
    return r.state.replace("_", " ")


def _checked_value(value: float, option: str) -> float:
    """A KPI value within the API's limits."""
    if not math.isfinite(value) or abs(value) > MAX_VALUE:
        raise fail(f"{option} must be a number between -{MAX_VALUE:g} and {MAX_VALUE:g}")
    return value


def _text(value: str, option: str) -> str:
    """A text option within the API's limits (a blank name is refused)."""
    return checked_text(value, option, TEXT_LENGTHS[option], required=option == "--name")


def _project_ids(program: Program, keys: list[str]) -> list[int]:
    """The ids of the program's projects with these keys; an unknown key fails."""
    known = {p.key: p.id for p in program.projects}
    unknown = [k for k in keys if k.strip() not in known]
    if unknown:
        raise fail(escape(f"no project {unknown[0]} in {program.key}"))
    if len(keys) > MAX_PROJECTS:
        raise fail(f"--project: at most {MAX_PROJECTS} projects, not {len(keys)}")
    return [known[k.strip()] for k in keys]


def _shown(field: str, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(value) or "none"
    text = str(value).replace("\n", " ") if value not in (None, "") else "—"
    return escape(text if len(text) <= 60 else text[:59] + "…")


# the columns of `benefit list`: header, and whether the text may wrap between words (a
# name, a state) or never (numbers and dates, which are never cut short)
LIST_COLUMNS = (("id", False), ("benefit", True), ("baseline", False), ("target", False),
                ("by", False), ("latest", False), ("on", False), ("realized", False),
                ("expected", False), ("state", True))  # fmt: skip
# on a narrow terminal, the KPIs and then where they stand, each with the id and the name
LIST_PARTS = ((0, 1, 2, 3, 4), (0, 1, 5, 6, 7, 8, 9))
STATE_STYLES = {"met": "green", "on_track": "green", "behind": "yellow", "off_track": "red"}


def _list_row(view: benefits.BenefitView) -> list[str]:
    """A benefit's cells in :data:`LIST_COLUMNS`, as plain text."""
    b, r = view.benefit, view.realization
    return [
        str(b.id),
        ("★ " if b.is_goal else "") + b.name + (f" ({b.unit})" if b.unit else ""),
        f"{b.baseline_value:g}",
        f"{b.target_value:g}",
        str(b.target_date),
        f"{r.latest.value:g}" if r.latest else "—",
        str(r.latest.on) if r.latest else "—",
        f"{r.realization_pct:.1f} %" if r.realization_pct is not None else "—",
        f"{r.expected_pct:.1f} %",
        _state(view),
    ]


def _list_parts(rows: list[list[str]], width: int) -> list[tuple[int, ...]]:
    """The columns of each table `benefit list` prints at ``width``: one table where it
    fits; else the KPIs and where they stand apart, each split again as often as needed
    (every table with the id and the name, wrapped between words)."""
    full = [max(len(h), *(len(row[i]) for row in rows)) for i, (h, _) in enumerate(LIST_COLUMNS)]
    if sum(full) + 3 * len(full) + 1 <= width:
        return [tuple(range(len(LIST_COLUMNS)))]
    # a text column's least width: its longest word, and a name no narrower than 12
    least = [
        max(len(h), *(len(w) for row in rows for w in row[i].split()), 12 if i == 1 else 0)
        if wraps
        else size
        for i, ((h, wraps), size) in enumerate(zip(LIST_COLUMNS, full, strict=True))
    ]
    parts: list[tuple[int, ...]] = []
    for part in LIST_PARTS:
        key, rest = part[:2], part[2:]
        shown: list[int] = []
        for i in rest:
            columns = [*key, *shown, i]
            if shown and sum(least[c] for c in columns) + 3 * len(columns) + 1 > width:
                parts.append((*key, *shown))
                shown = []
            shown.append(i)
        parts.append((*key, *shown))
    return parts


@benefit_app.command("list")
def benefit_list(program: ProgramRef) -> None:
    """Each KPI: baseline, target, latest reading, realization against the linear path."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, None)
            found = programs.find_program(session, actor, program)
            views = benefits.list_benefits(session, actor, found.id)
            rows = [_list_row(view) for view in views]
            states = [view.realization.state for view in views]
            key = found.key
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    if not rows:
        add = f"`podium benefit add {key} NAME --baseline N --target N --by YYYY-MM-DD`"
        console.print(f"No benefit in {key} yet: add one with {add}.")
        return
    parts = _list_parts(rows, console.width)
    title = f"{key}: benefits (★ the goal's KPI)"
    for part in parts:
        table = Table(title=title, title_justify="left")
        title = ""
        for i in part:
            header, wraps = LIST_COLUMNS[i]
            numeric = header in ("baseline", "target", "latest", "realized", "expected")
            table.add_column(
                header, justify="right" if numeric else "left", no_wrap=not wraps, overflow="fold"
            )
            if not wraps:
                table.columns[-1].min_width = max(len(header), *(len(row[i]) for row in rows))
        for row, state in zip(rows, states, strict=True):
            cells = [escape(row[i]) for i in part]
            if LIST_COLUMNS[part[-1]][0] == "state":
                cells[-1] = f"[{STATE_STYLES.get(state, 'dim')}]{cells[-1]}[/]"
            table.add_row(*cells)
        console.print(table)


@benefit_app.command("add")
def benefit_add(
    program: ProgramRef,
    name: Annotated[str, typer.Argument(help="what is measured, e.g. 'support tickets per month'")],
    baseline: Annotated[float, typer.Option(help="the value before the program")],
    target: Annotated[float, typer.Option(help="the value the program aims for")],
    by: Annotated[str, typer.Option("--by", help="target date YYYY-MM-DD")],
    direction: Annotated[
        str | None,
        typer.Option(help="up or down: which way is good (default: from baseline to target)"),
    ] = None,
    unit: Annotated[str, typer.Option(help="e.g. tickets, %, EUR")] = "",
    description: Annotated[str, typer.Option(help="more detail")] = "",
    baseline_date: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD (default: the program's start)")
    ] = None,
    goal: Annotated[
        bool, typer.Option("--goal", help="the goal's KPI (replaces the current one)")
    ] = False,
    project: Annotated[
        list[str] | None, typer.Option(help="contributing project key (repeatable)")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Define a benefit KPI (managers): baseline, target and the date it is due by."""
    name, unit, description = (
        _text(name, "--name"), _text(unit, "--unit"), _text(description, "--description")
    )  # fmt: skip
    baseline, target = _checked_value(baseline, "--baseline"), _checked_value(target, "--target")
    target_date = parse_day(by, "--by")
    start = parse_day(baseline_date, "--baseline-date") if baseline_date else None
    if start is not None and target_date <= start:
        raise fail(f"--by must be after the baseline date ({start})")
    if direction is None:
        direction = "down" if target < baseline else "up"
    if direction not in DIRECTIONS:
        raise fail(f"--direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = programs.find_program(session, actor, program)
            benefit = benefits.create_benefit(
                session,
                actor,
                program_id=found.id,
                name=name,
                baseline_value=baseline,
                target_value=target,
                target_date=target_date,
                direction=direction,
                unit=unit,
                description=description,
                baseline_date=start,
                is_goal=goal,
                project_ids=_project_ids(found, project or []),
            )
            session.flush()
            summary = (
                f"{benefit.name} (id {benefit.id}) in {found.key}: "
                f"{baseline:g} → {target:g}{f' {unit}' if unit else ''} by {target_date}"
            )
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Defined [bold]{summary}[/]{' as the goal KPI' if goal else ''}.")


@benefit_app.command("measure")
def benefit_measure(
    program: ProgramRef,
    benefit: Annotated[str, typer.Argument(help="benefit id or name")],
    value: Annotated[float, typer.Option(help="the reading")],
    on: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: today)")] = None,
    source: Annotated[str, typer.Option(help="where the number comes from")] = "",
    note: Annotated[str, typer.Option(help="anything worth knowing about it")] = "",
    as_user: AsUser = None,
) -> None:
    """Record a measurement of a KPI (one per day)."""
    day = parse_day(on, "--date") if on else datetime.now(UTC).date()
    value = _checked_value(value, "--value")
    source, note = _text(source, "--source"), _text(note, "--note")
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = programs.find_program(session, actor, program)
            chosen = _find_benefit(session, actor, found, benefit)
            benefits.add_measurement(
                session, actor, chosen.id, measured_on=day, value=value, source=source, note=note
            )
            session.flush()
            session.expire_all()
            view = benefits.describe(session, benefits.get_benefit(session, actor, chosen.id))
            summary = f"{chosen.name} = {value:g} on {day}"
            realized = _realized(view)
            if day < view.benefit.baseline_date:
                realized = (
                    f"It comes before the baseline date ({view.benefit.baseline_date}): "
                    f"the old normal, not judged against the path. {realized}"
                ).strip()
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Recorded [bold]{summary}[/]. {realized}")


@benefit_app.command("set")
def benefit_set(
    program: ProgramRef,
    benefit: BenefitRef,
    name: Annotated[str | None, typer.Option(help="a new name")] = None,
    baseline: Annotated[float | None, typer.Option(help="the value before the program")] = None,
    baseline_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    target: Annotated[float | None, typer.Option(help="the value aimed for")] = None,
    by: Annotated[str | None, typer.Option("--by", help="target date YYYY-MM-DD")] = None,
    direction: Annotated[str | None, typer.Option(help="up or down: which way is good")] = None,
    unit: Annotated[str | None, typer.Option(help="e.g. tickets, %, EUR")] = None,
    description: Annotated[str | None, typer.Option(help="more detail")] = None,
    goal: Annotated[
        bool | None, typer.Option("--goal/--not-goal", help="the goal's KPI (or no longer)")
    ] = None,
    project: Annotated[
        list[str] | None, typer.Option(help="contributing project key (repeat; replaces them)")
    ] = None,
    no_projects: Annotated[bool, typer.Option("--no-projects", help="no project")] = False,
    as_user: AsUser = None,
) -> None:
    """Change only what is given of a KPI (managers) and say what changed."""
    if project and no_projects:
        raise fail("give --project or --no-projects, not both")
    updates: dict[str, Any] = {}
    for field, text, option in (("name", name, "--name"), ("unit", unit, "--unit"),
                                ("description", description, "--description")):  # fmt: skip
        if text is not None:
            updates[field] = _text(text, option)
    for field, value, option in (("baseline_value", baseline, "--baseline"),
                                 ("target_value", target, "--target")):  # fmt: skip
        if value is not None:
            updates[field] = _checked_value(value, option)
    for field, day, option in (("baseline_date", baseline_date, "--baseline-date"),
                               ("target_date", by, "--by")):  # fmt: skip
        if day is not None:
            updates[field] = parse_day(day, option)
    start, finish = updates.get("baseline_date"), updates.get("target_date")
    if start is not None and finish is not None and finish <= start:
        raise fail(f"--by must be after the baseline date ({start})")
    if direction is not None:
        if direction.strip() not in DIRECTIONS:
            raise fail(escape(f"--direction must be up or down, not {direction!r}"))
        updates["direction"] = direction.strip()
    if goal is not None:
        updates["is_goal"] = goal
    if not updates and not project and not no_projects:
        raise fail("nothing to change: give at least one of the options (see --help)")
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        chosen = _find_benefit(session, actor, found, benefit)
        if project or no_projects:
            updates["project_ids"] = _project_ids(found, project or [])
        before = {f: getattr(chosen, f) for f in updates if f != "project_ids"}
        projects_before = sorted(p.key for p in chosen.projects)
        was_goal = benefits.goal_benefit(session, found)
        replaced = was_goal.benefit.name if was_goal and was_goal.benefit.id != chosen.id else ""
        benefits.update_benefit(session, actor, chosen.id, updates, expected_version=chosen.version)
        session.flush()
        session.expire_all()
        view = benefits.describe(session, benefits.get_benefit(session, actor, chosen.id))
        after = view.benefit
        lines = [(LABELS.get(f, f), _shown(f, old), _shown(f, getattr(after, f)))
                 for f, old in before.items() if getattr(after, f) != old]  # fmt: skip
        projects_after = sorted(p.key for p in after.projects)
        if projects_after != projects_before:
            lines.append(("projects", _shown("", projects_before), _shown("", projects_after)))
        title, realized = escape(after.name), _realized(view)
    if not lines:
        console.print(f"Nothing changed: [bold]{title}[/] already has those settings.")
        return
    console.print(f"Updated [bold]{title}[/]:")
    grid = Table.grid(padding=(0, 2))
    for label, old, new in lines:
        grid.add_row(f"  {label}", f"{old} → {new}")
    console.print(grid)
    if updates.get("is_goal") and replaced:
        console.print(escape(f"{replaced!r} is no longer the goal's KPI."))
    if realized:
        console.print(f"Now {realized}.")


@benefit_app.command("delete")
def benefit_delete(
    program: ProgramRef,
    benefit: BenefitRef,
    yes: Annotated[bool, typer.Option("--yes", help="really delete it")] = False,
    as_user: AsUser = None,
) -> None:
    """Delete a KPI with all its measurements (managers)."""
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        chosen = _find_benefit(session, actor, found, benefit)
        readings = counted(len(chosen.measurements), "measurement")
        goal = ", the goal's KPI," if chosen.is_goal else ""
        what = escape(f"benefit {chosen.name!r}{goal} of {found.key} with its {readings}")
        require_role(session, actor, found.id, Role.MANAGER)  # before saying what would go
        if not yes:
            raise fail(f"this would delete {what}: run again with --yes to delete it")
        benefits.delete_benefit(session, actor, chosen.id, expected_version=chosen.version)
    console.print(f"Deleted {what}.")


@benefit_app.command("measurement-delete")
def measurement_delete(
    program: ProgramRef,
    benefit: BenefitRef,
    day: Annotated[str, typer.Argument(metavar="DATE", help="the day of the reading, YYYY-MM-DD")],
    as_user: AsUser = None,
) -> None:
    """Delete a KPI's reading of one day (managers); `benefit measure` records it anew."""
    on = parse_day(day, "DATE")
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        chosen = _find_benefit(session, actor, found, benefit)
        reading = next((m for m in chosen.measurements if m.measured_on == on), None)
        if reading is None:
            days = ", ".join(str(m.measured_on) for m in chosen.measurements[-5:]) or "none yet"
            raise fail(escape(f"{chosen.name} has no measurement on {on} (latest: {days})"))
        source = f", from {reading.source}" if reading.source else ""
        gone = escape(f"{chosen.name} = {reading.value:g} on {on}{source}")
        benefits.delete_measurement(session, actor, chosen.id, reading.id)
        session.flush()
        session.expire_all()
        realized = _realized(
            benefits.describe(session, benefits.get_benefit(session, actor, chosen.id))
        )
    console.print(
        f"Deleted the measurement [bold]{gone}[/]." + (f" Now {realized}." if realized else "")
    )
