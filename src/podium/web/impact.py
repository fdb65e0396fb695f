"""Impact analysis: "if this task slips N working days, what moves?" — answered, not saved.

The form posts with HTMX and gets the results partial back; the analysis is
:func:`podium.services.scheduling.views.analyze_program_impact`, which runs
the scheduler on a copy of the network and writes nothing (and this route
never commits).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from fastapi import APIRouter, Request
from starlette.responses import Response

from podium.api.deps import Db
from podium.errors import ValidationFailed
from podium.services import roadmap
from podium.services.roadmap import ImpactChoices, TaskChoice
from podium.services.scheduling.views import ChangeRequest, ImpactView, analyze_program_impact
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)

Kind = Literal["slip", "set_duration"]
KINDS: dict[str, str] = {"slip": "Slip by", "set_duration": "New duration"}
MAX_DAYS = 10_000


@dataclass(frozen=True, slots=True)
class ImpactQuestion:
    """What the person asked: one task, slipped by or set to a number of working days."""

    task: TaskChoice
    kind: Kind
    days: int

    @property
    def sentence(self) -> str:
        if self.kind == "slip":
            return f"If {self.task.key} slips {self.days} working day{'s' * (self.days != 1)}"
        return f"If {self.task.key} takes {self.days} working day{'s' * (self.days != 1)}"

    @property
    def detail(self) -> str:
        return self.task.name

    @property
    def changes_nothing(self) -> bool:
        """A new duration equal to the task's own: the plan is the same plan."""
        current = 0 if self.task.is_milestone else self.task.duration
        return self.kind == "set_duration" and self.days == current

    @property
    def no_moves(self) -> str:
        if self.changes_nothing:
            days = f"{self.days} working day{'s' * (self.days != 1)}"
            return f"Nothing changes: {self.task.key} already takes {days}."
        return "Nothing else moves: the task has enough float to absorb this."


@dataclass(frozen=True, slots=True)
class ProjectMoves:
    key: str
    name: str
    moves: list[Any]


def _question(choices: ImpactChoices, form: Any) -> ImpactQuestion:
    """The form's question, or ``ValidationFailed`` naming every problem."""
    problems: list[dict[str, str]] = []
    raw_task, raw_kind, raw_days = form.get("task_id"), form.get("kind"), form.get("days")
    task = None
    if isinstance(raw_task, str) and raw_task.isdecimal():
        task = choices.task(int(raw_task))
    if task is None:
        problems.append(
            {"field": "task_id", "message": "choose a task of this program that is not finished"}
        )
    kind = raw_kind if raw_kind in KINDS else None
    if kind is None:
        problems.append({"field": "kind", "message": "choose a slip or a new duration"})
    days: int | None = None
    try:
        days = int(str(raw_days).strip())
    except ValueError:
        problems.append({"field": "days", "message": "enter a whole number of working days"})
    if days is not None and kind == "slip" and not 1 <= days <= MAX_DAYS:
        problems.append({"field": "days", "message": f"a slip is 1 to {MAX_DAYS} working days"})
    if days is not None and kind == "set_duration" and not 0 <= days <= MAX_DAYS:
        problems.append({"field": "days", "message": f"a duration is 0 to {MAX_DAYS} working days"})
    if problems or task is None or kind is None or days is None:
        raise ValidationFailed("; ".join(p["message"] for p in problems), details=problems)
    return ImpactQuestion(task=task, kind=kind, days=days)


def _by_project(choices: ImpactChoices, view: ImpactView) -> list[ProjectMoves]:
    return [
        ProjectMoves(p.key, p.name, view.by_project[p.key])
        for p in choices.projects
        if p.key in view.by_project
    ]


def _page(
    request: Request,
    choices: ImpactChoices,
    *,
    question: ImpactQuestion | None = None,
    view: ImpactView | None = None,
) -> Response:
    context = {
        "program": choices.program,
        "choices": choices,
        "question": question,
        "view": view,
        "by_project": _by_project(choices, view) if view else [],
        "kinds": KINDS,
    }
    if view is not None and is_htmx(request):
        return render(request, "impact/_results.html", context)
    return render(request, "impact/page.html", context)


@router.get("/programs/{program_id}/impact", name="impact")
def impact_page(request: Request, program_id: int, db: Db, viewer: CurrentViewer) -> Response:
    """The question form (task, slip or new duration); results appear below it."""
    return _page(request, roadmap.impact_choices(db, viewer.actor, program_id))


@router.post("/programs/{program_id}/impact", name="impact-analyse")
def impact_analyse(
    request: Request, program_id: int, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """What the change would move, in which projects, and which dates it would miss."""
    choices = roadmap.impact_choices(db, viewer.actor, program_id)
    question = _question(choices, form)
    view = analyze_program_impact(
        db,
        viewer.actor,
        program_id,
        [ChangeRequest(type=question.kind, task_id=question.task.id, days=question.days)],
    )
    # nothing to commit: the analysis runs on a copy; the request's session rolls back
    return _page(request, choices, question=question, view=view)
