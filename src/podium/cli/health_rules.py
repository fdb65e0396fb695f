"""``podium health-rules PROGRAM``: read and tune what makes work amber or red.

Without options it lists every rule: on or off, the levels it judges, and its
parameters. ``--set RULE.PARAM=VALUE`` (repeatable; ``never`` for no threshold),
``--enable RULE``, ``--disable RULE``, ``--levels RULE=task,project`` and
``--defaults`` change them; the result is checked by the same code as the API's
``PUT /programs/{id}/health/rules`` (every problem named, nothing saved until all
are fixed), and each change is printed old → new.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from podium.cli._app import app, console, fail, service_work
from podium.engine.health.rules import RULES, RuleSet
from podium.services import health, programs
from podium.services.actor import SYSTEM

_KINDS = {r.id: {p.name: p.kind for p in r.params} for r in RULES}


def _shown(value: Any) -> str:
    if value is None:
        return "never"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _value(kind: str, text: str) -> Any:
    """A typed parameter: ``never`` (or empty) is none, flags take yes/no, numbers as
    numbers; anything else is passed on for the rule check to name."""
    text = text.strip()
    if kind == "flag":
        return {"yes": True, "true": True, "no": False, "false": False}.get(text.lower(), text)
    if text.lower() in ("", "never", "none", "null"):
        return None
    if kind == "severity":
        return text.lower()
    for number in (int, float):
        try:
            return number(text)
        except ValueError:
            continue
    return text


def _rule_of(name: str, option: str) -> str:
    if name not in _KINDS:
        raise fail(escape(f"{option}: no rule {name!r} (rules: {', '.join(_KINDS)})"))
    return name


def _tuned(
    config: dict[str, Any],
    sets: list[str],
    enable: list[str],
    disable: list[str],
    levels: list[str],
) -> dict[str, Any]:
    """``config`` (as :meth:`RuleSet.to_json` writes it) with the options applied."""
    rules = config["rules"]
    for name in enable:
        rules[_rule_of(name, "--enable")]["enabled"] = True
    for name in disable:
        rules[_rule_of(name, "--disable")]["enabled"] = False
    for item in levels:
        name, _, chosen = item.partition("=")
        rules[_rule_of(name, "--levels")]["levels"] = [v.strip() for v in chosen.split(",") if v]
    for item in sets:
        target, sep, text = item.partition("=")
        name, _, param = target.partition(".")
        if not sep or not param:
            raise fail(escape(f"--set takes RULE.PARAM=VALUE, not {item!r}"))
        kinds = _KINDS[_rule_of(name, "--set")]
        if param not in kinds:
            raise fail(escape(f"--set: rule {name} has no {param!r} (it has: {', '.join(kinds)})"))
        rules[name][param] = _value(kinds[param], text)
    return config


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, str]]:
    lines = []
    for rule_id, settings in after["rules"].items():
        for name, value in settings.items():
            old = before["rules"][rule_id][name]
            if old != value:
                lines.append((f"{rule_id}.{name}", _shown(old), _shown(value)))
    for name, value in after["rollup"].items():
        if before["rollup"][name] != value:
            lines.append((f"rollup.{name}", _shown(before["rollup"][name]), _shown(value)))
    return lines


def _table(config: dict[str, Any]) -> Table:
    table = Table("rule", "on", "judges", "settings", title="health rules", title_justify="left")
    for rule_id, settings in config["rules"].items():
        params = "; ".join(
            f"{name} {_shown(value)}"
            for name, value in settings.items()
            if name not in ("enabled", "levels")
        )
        table.add_row(rule_id, _shown(settings["enabled"]), _shown(settings["levels"]), params)
    return table


@app.command("health-rules")
def health_rules(
    program: Annotated[str, typer.Argument(help="program key or id")],
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="RULE.PARAM=VALUE, e.g. past_target.red_after_days=5 (never: no threshold)",
            show_default=False,
        ),
    ] = None,
    enable: Annotated[list[str] | None, typer.Option(help="turn a rule on")] = None,
    disable: Annotated[list[str] | None, typer.Option(help="turn a rule off")] = None,
    levels: Annotated[
        list[str] | None, typer.Option(help="RULE=task,milestone,project,program: what it judges")
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="put every rule back to the catalogue's settings")
    ] = False,
) -> None:
    """List a program's health rules, or tune them (the owners' Health rules page)."""
    changing = bool(set_ or enable or disable or levels)
    if defaults and changing:
        raise fail("give --defaults alone, or the changes to make")
    with service_work() as session:
        found = programs.find_program(session, SYSTEM, program)
        before = health.program_rules(found).to_json()
        if not (changing or defaults):
            title = f"{escape(found.key)} {escape(found.name)}"
            console.print(_table(before))
            console.print(f"{title}: `podium health-rules {found.key} --set RULE.PARAM=VALUE` "
                          "tunes them.")  # fmt: skip
            return
        wanted = (
            RuleSet().to_json()
            if defaults
            else _tuned(
                health.program_rules(found).to_json(),
                set_ or [],
                enable or [],
                disable or [],
                levels or [],
            )
        )
        saved = health.update_rules(
            session, SYSTEM, found.id, wanted, expected_version=found.version
        ).to_json()
        key = found.key
    lines = _changes(before, saved)
    if not lines:
        console.print(f"Nothing changed: {escape(key)}'s rules already say so.")
        return
    console.print(f"Health rules of {escape(key)}:")
    grid = Table.grid(padding=(0, 2))
    for name, old, new in lines:
        grid.add_row(f"  {name}", f"{escape(old)} → {escape(new)}")
    console.print(grid)
