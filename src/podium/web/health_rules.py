"""The health rules of a program: what makes a task, milestone, project or the program
amber or red, tuned by its owners.

Each rule of the catalogue (:func:`podium.engine.health.rules.describe_rules`) is a
row of the form: on or off, the levels it judges, and its parameters (an amber and
a red threshold — blank: that colour is never given — and sometimes a switch).
The form becomes the same JSON the API's ``PUT /programs/{id}/health/rules`` takes,
checked by the same code, so every problem is listed at once and nothing is saved
until all are fixed. *Back to the defaults* saves the catalogue's own settings.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.schemas import PathId
from podium.engine.health.records import ALERT_SEVERITIES
from podium.engine.health.rules import RULES, RuleSet, describe_rules
from podium.errors import StaleVersion, ValidationFailed
from podium.models import ProgramStatus, Role
from podium.services import health
from podium.services.actor import role_in
from podium.services.programs import get_program
from podium.web.form_errors import humanize
from podium.web.session import CheckedForm, CurrentViewer, Viewer
from podium.web.tasks import done, field_value, version_of
from podium.web.templating import input_number, render

router = APIRouter(include_in_schema=False)

# one label per field of podium.engine.health.rules.RollUp
ROLLUP_LABELS = {
    "summaries_from_subtasks": "a summary task takes the worst colour of its sub-tasks",
    "projects_from_tasks": "a project takes the worst colour of its tasks",
    "projects_from_milestones": "a project takes the worst colour of milestones of its own",
    "program_from_milestones": "the program takes the worst colour of its milestones",
}


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float):
        return input_number(value)
    return str(value)


def _values(rules: RuleSet) -> dict[str, str]:
    """The form's fields, named ``<rule>.<param>``, ``<rule>.enabled``, ``<rule>.level.<l>``."""
    values: dict[str, str] = {}
    config = rules.to_json()
    for rule_id, settings in config["rules"].items():
        for name, value in settings.items():
            if name == "levels":
                values |= {f"{rule_id}.level.{lv}": "1" for lv in value}
            else:
                values[f"{rule_id}.{name}"] = _shown(value)
    values |= {f"rollup.{k}": _shown(v) for k, v in config["rollup"].items()}
    return values


def _number(text: str) -> int | float | str | None:
    """A typed threshold: blank is none; whole numbers stay whole; else as typed (the
    rule check then names what it expected)."""
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _config(form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    """The rules as the form sets them (JSON for :meth:`RuleSet.from_json`), and the
    form's values as typed."""
    typed: dict[str, str] = {}
    rules: dict[str, Any] = {}
    for rule in RULES:
        tuned: dict[str, Any] = {"enabled": field_value(form, f"{rule.id}.enabled") == "1"}
        tuned["levels"] = [
            lv for lv in rule.levels if field_value(form, f"{rule.id}.level.{lv}") == "1"
        ]
        for param in rule.params:
            text = field_value(form, f"{rule.id}.{param.name}")
            typed[f"{rule.id}.{param.name}"] = text
            if param.kind == "flag":
                tuned[param.name] = text == "1"
            elif param.kind == "severity":
                tuned[param.name] = text or None
            else:
                tuned[param.name] = _number(text)
        typed[f"{rule.id}.enabled"] = "1" if tuned["enabled"] else ""
        typed |= {f"{rule.id}.level.{lv}": "1" for lv in tuned["levels"]}
        rules[rule.id] = tuned
    rollup = {name: field_value(form, f"rollup.{name}") == "1" for name in ROLLUP_LABELS}
    typed |= {f"rollup.{k}": "1" if v else "" for k, v in rollup.items()}
    return {"rules": rules, "rollup": rollup}, typed


_WHERE = re.compile(r"^(?:rules\.(\w+)|rollup)(?:\.(\w+))?: (.*)$")


def _label(name: str) -> str:
    return name.replace("_", " ")


def _problem(message: str) -> str:
    """A rule check's message in the form's words: ``Past target, amber after days:
    expected a whole number of working days >= 0 (blank: never), not 'zero'``."""
    found = _WHERE.match(message)
    if found is None:
        return humanize(message)
    rule, field, what = found.groups()
    where = _label(rule).capitalize() if rule else "Roll-up"
    if field:
        where += f", {_label(field)}"
    what = what.replace(", or null", " (blank: never)").replace(", got ", ", not ")
    return f"{where}: {what}"


def _beside(details: list[dict[str, Any]]) -> dict[str, str]:
    """Each setting's problem by its field's name (``past_target.red_after_days``), to
    show beside it; problems about a whole rule or the roll-up stay at the top only."""
    errors = {}
    for detail in details:
        found = _WHERE.match(_located(detail))
        if found is None:
            continue
        rule, field, what = found.groups()
        if rule and field:
            what = what.replace(", or null", " (blank: never)").replace(", got ", ", not ")
            errors[f"{rule}.{field}"] = what[:1].upper() + what[1:]
    return errors


def _located(detail: dict[str, Any]) -> str:
    """A problem as the rule check wrote it: ``rules.past_target.red_after_days: expected
    ...`` (the service gives the setting as the field, apart from its message)."""
    field, message = str(detail.get("field", "rules")), str(detail.get("message", ""))
    return message if field == "rules" else f"{field}: {message}"


def _page(
    request: Request,
    db: Db,
    viewer: Viewer,
    program_id: int,
    *,
    values: dict[str, str] | None = None,
    problems: list[str] | None = None,
    errors: dict[str, str] | None = None,
    flash: str = "",
    status_code: int = 200,
) -> Response:
    program = get_program(db, viewer.actor, program_id)
    role = role_in(db, viewer.actor, program_id)
    editable = (
        role is not None
        and role.rank >= Role.OWNER.rank
        and program.scenario_of_id is None
        and program.status != ProgramStatus.CLOSED
    )
    context = {
        "program": program,
        "catalogue": describe_rules(),
        "values": values or _values(health.program_rules(program)),
        "defaults": _values(RuleSet()),
        "severities": ALERT_SEVERITIES,
        "rollup_labels": ROLLUP_LABELS,
        "problems": problems or [],
        "errors": errors or {},
        "editable": editable,
        "flash": flash,
    }
    return render(request, "performance/health_rules.html", context, status_code=status_code)


@router.get("/programs/{program_id}/health-rules", name="health-rules")
def health_rules(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    saved: Annotated[int | None, Query(ge=0, le=1)] = None,
) -> Response:
    """The program's health rules: a form for its owners, to read for everyone else."""
    flash = "Saved: health is judged by these rules from now on." if saved else ""
    return _page(request, db, viewer, program_id, flash=flash)


@router.post("/programs/{program_id}/health-rules", name="health-rules-save")
def save_health_rules(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Save the rules (owners); ``defaults=1`` puts the catalogue's settings back."""
    get_program(db, viewer.actor, program_id, needed=Role.OWNER)
    if field_value(form, "defaults") == "1":
        config, typed = RuleSet().to_json(), None
    else:
        config, typed = _config(form)
    try:
        health.update_rules(db, viewer.actor, program_id, config, expected_version=version_of(form))
        done(db)
        return RedirectResponse(f"/programs/{program_id}/health-rules?saved=1", status_code=303)
    except ValidationFailed as exc:
        db.rollback()
        details = [d for d in exc.details if isinstance(d, dict)] if exc.details else []
        problems = [_problem(_located(d)) for d in details]
        problems = problems or [humanize(exc.message)]
        errors = _beside(details)
    except StaleVersion as exc:
        db.rollback()
        problems, errors = [humanize(exc.message) + "."], {}
    return _page(
        request,
        db,
        viewer,
        program_id,
        values=typed,
        problems=problems,
        errors=errors,
        status_code=422,
    )
