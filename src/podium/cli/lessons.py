"""``podium lesson …``: lessons learned, recorded during the program or after its close.

They are read back in the retrospective (``podium retrospective``). A lesson is
found by the number ``lesson list`` shows. ``--as EMAIL`` acts as that user, with
their permissions (default: the system).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Column, Table

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
from podium.cli.programs import counted
from podium.services import programs
from podium.services.governance import retrospective
from podium.services.governance.retrospective import LESSON_CATEGORIES

lesson_app = typer.Typer(
    help="Lessons learned: what went well, what to do differently.", no_args_is_help=True
)
app.add_typer(lesson_app, name="lesson")

TEXT_LENGTH = 20_000  # what the API takes (podium.api.retrospective.LessonIn)
CATEGORIES = {c.replace("_", "-"): c for c in LESSON_CATEGORIES}


def _category(value: str) -> str:
    wanted = value.strip().lower().replace("_", "-")
    if wanted not in CATEGORIES:
        raise fail(escape(f"--category is one of {', '.join(CATEGORIES)}, not {value!r}"))
    return CATEGORIES[wanted]


@lesson_app.command("list")
def lesson_list(program: ProgramRef) -> None:
    """The program's lessons learned, in the order they were recorded."""
    with service_work() as session:
        actor = actor_for(session, None)
        found = programs.find_program(session, actor, program)
        lessons = retrospective.list_lessons(session, actor, found.id)
        table = Table(
            Column("#", justify="right"), "category", "lesson", "recorded by", "on",
            title=f"{counted(len(lessons), 'lesson')} of {found.key}", title_justify="left",
        )  # fmt: skip
        for lesson in lessons:
            table.add_row(
                str(lesson.id), LESSON_CATEGORIES.get(lesson.category, lesson.category),
                escape(lesson.text), escape(lesson.recorded_by), f"{lesson.created_at:%Y-%m-%d}",
            )  # fmt: skip
        key = found.key
    if not lessons:
        console.print(f"No lesson in {key} yet: record one with `podium lesson add {key} TEXT`.")
        return
    console.print(table)


@lesson_app.command("add")
def lesson_add(
    program: ProgramRef,
    text: Annotated[str, typer.Argument(help="the lesson, e.g. 'Book the landing zone early'")],
    category: Annotated[
        str, typer.Option(help="went-well, or improve: what to do differently")
    ] = "improve",
    as_user: AsUser = None,
) -> None:
    """Record a lesson learned (members), during the program or after its close."""
    text, kind = checked_text(text, "TEXT", TEXT_LENGTH, required=True), _category(category)
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        lesson = retrospective.add_lesson(session, actor, found.id, text=text, category=kind)
        what = f"lesson [bold]{lesson.id}[/] in {found.key} ({LESSON_CATEGORIES[kind].lower()})"
    console.print(f"Recorded {what}: {escape(text)}")


@lesson_app.command("delete")
def lesson_delete(
    program: ProgramRef,
    lesson: Annotated[int, typer.Argument(help="its number (lesson list)")],
    as_user: AsUser = None,
) -> None:
    """Remove a lesson (whoever recorded it, or a manager)."""
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        chosen = next(
            (x for x in retrospective.list_lessons(session, actor, found.id) if x.id == lesson),
            None,
        )
        if chosen is None:
            raise fail(f"no lesson {lesson} in {found.key} (`podium lesson list {found.key}`)")
        what = f"lesson {chosen.id} ({escape(chosen.text)})"
        retrospective.delete_lesson(session, actor, chosen.id)
    console.print(f"Removed {what} from {found.key}.")
