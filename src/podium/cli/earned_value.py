"""``podium earned-value``: the program's and each project's earned value at a status
date, as the performance page and the API give it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from podium.cli._app import (
    app,
    console,
    fail,
    parse_day,
    print_problems,
    require_current_schema,
)
from podium.errors import PodiumError
from podium.models import Project
from podium.services import programs
from podium.services.actor import SYSTEM
from podium.services.uow import unit_of_work


@app.command("earned-value")
def earned_value(
    program: Annotated[str, typer.Argument(help="program key or id")],
    date: Annotated[
        str | None,
        typer.Option("--date", help="status date YYYY-MM-DD (default: the program's)"),
    ] = None,
    formula: Annotated[
        str,
        typer.Option(
            "--formula",
            help="EAC: cpi BAC/CPI (default), budget_rate AC+(BAC−EV), "
            "cpi_spi AC+(BAC−EV)/(CPI×SPI), bottom_up AC+ETC",
        ),
    ] = "cpi",
) -> None:
    """Earned value of the program and each project at the status date (BAC … TCPI).

    BAC, PV, EV and AC, the variances, SPI and CPI, and the forecasts EAC, ETC, VAC and
    TCPI, as the performance page shows them."""
    from podium.currency import whole_amount, with_currency
    from podium.engine.evm import EAC_FORMULAS
    from podium.services.performance import program_performance

    if formula not in EAC_FORMULAS:
        raise fail(f"unknown --formula {formula!r}: {', '.join(EAC_FORMULAS)}")
    status_date = parse_day(date, "--date") if date else None
    require_current_schema()
    try:
        with unit_of_work() as session:
            found = programs.find_program(session, SYSTEM, program)
            perf = program_performance(
                session,
                SYSTEM,
                found.id,
                status_date=status_date,
                eac_formula=formula,  # checked above
            )
            key, currency = found.key, found.currency
            names = dict(
                session.execute(
                    select(Project.key, Project.name).where(Project.program_id == found.id)
                ).all()
            )
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    result = perf.result

    def amount(value: float | None) -> str:
        return "—" if value is None else whole_amount(value)

    def index(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    unit = f", amounts in {currency}" if currency else ""
    headers = ("", "BAC", "PV", "EV", "AC", "SV", "CV", "SPI", "CPI", "EAC", "ETC", "VAC", "TCPI")
    rows = [("Program", result.program)]
    rows += [(p, result.projects.row(i)) for i, p in enumerate(result.projects.ids)]
    cells = [
        [
            escape(label),
            *(amount(v) for v in (r.bac, r.pv, r.ev, r.ac, r.sv, r.cv)),
            index(r.spi),
            index(r.cpi),
            *(amount(v) for v in (r.eac, r.etc, r.vac)),
            index(r.tcpi_bac),
        ]
        for label, r in rows
    ]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]
    # one table where it fits; on a narrow terminal the figures and the indices with the
    # forecasts apart, each with the scope column: a figure is never cut short
    fits = sum(widths) + 3 * len(widths) + 1 <= console.width
    parts = [range(1, 13)] if fits else [range(1, 7), range(7, 13)]
    title = f"Earned value of {key} at {perf.status_date}{unit}"
    for part in parts:
        shown = [0, *part]
        table = Table(title=title, title_justify="left")
        title = ""
        for i in shown:
            table.add_column(headers[i], justify="right" if i else "left", no_wrap=True)
            table.columns[-1].min_width = widths[i]
        for row in cells:
            table.add_row(*(row[i] for i in shown))
        console.print(table)
    if names:
        console.print(
            escape("; ".join(f"{p} {names[p]}" for p in result.projects.ids if p in names)),
            soft_wrap=True,
        )
    console.print(
        f"{result.formula}; ETC = EAC − AC; VAC = BAC − EAC; TCPI = (BAC − EV) / (BAC − AC). "
        "— is undefined (SPI with nothing planned yet, CPI with nothing spent or no budget).",
        soft_wrap=True,
    )
    if perf.baseline is None:
        console.print(
            f"{key} has no current baseline: nothing is planned yet, so there is no budget "
            f"to measure against. Take one with `podium baseline take {key} --name …`.",
            soft_wrap=True,
        )
    else:
        budget = with_currency(whole_amount(result.program.bac), currency)
        console.print(escape(f"Against baseline {perf.baseline.name!r} (budget {budget})."))
