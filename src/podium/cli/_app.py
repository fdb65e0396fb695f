"""The ``podium`` application object and what its commands share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session
from typer.core import TyperGroup

from podium.config import Settings, get_settings
from podium.db import (
    DatabaseBehind,
    DatabaseURLInvalid,
    check_database_current,
    get_engine,
    shown_url,
)
from podium.errors import PodiumError
from podium.services import auth
from podium.services.actor import SYSTEM, Actor
from podium.services.scheduling.pending import ACTOR_EMAIL
from podium.services.uow import unit_of_work
from podium.text import control_problem


class _RootCommand(TyperGroup):
    """The root command: what every command may meet in setting up is said in one line,
    instead of a traceback. The ``PODIUM_*`` settings are read by the commands that need
    them (``--help`` needs none); an invalid one stops the command with one line per
    problem, naming the variable. So does a database that cannot be opened or reached
    (named without its password), or one that is missing or behind the code."""

    def invoke(self, ctx: Any) -> Any:  # typer's own click Context
        try:
            return super().invoke(ctx)
        except ValidationError as exc:
            if exc.title != Settings.__name__:
                raise
            problems = "; ".join(_setting_problem(problem) for problem in exc.errors())
            raise fail(problems) from exc
        except (DatabaseURLInvalid, DatabaseBehind) as exc:
            raise fail(escape(str(exc))) from exc
        except (OperationalError, InterfaceError) as exc:
            raise fail(escape(_database_problem(exc))) from exc


def _database_problem(exc: OperationalError | InterfaceError) -> str:
    """One line on a database that does not answer (or fails during the work)."""
    where = shown_url(get_settings().database_url)
    lines = str(exc.orig or exc).strip().splitlines() or [type(exc).__name__]
    reason = "".join(c if c.isprintable() else " " for c in lines[0])
    if exc.statement is None:  # raised in connecting: no statement was sent
        return f"cannot connect to the database at {where}: {reason}"
    return f"the database at {where} failed: {reason}"


app = typer.Typer(
    cls=_RootCommand,
    name="podium",
    help="Podium — program management across interdependent projects.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema: create and upgrade.", no_args_is_help=True)
user_app = typer.Typer(help="Users who sign in.", no_args_is_help=True)
token_app = typer.Typer(help="Personal API tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")

console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def _setting_problem(problem: ErrorDetails) -> str:
    message = problem["msg"].removeprefix("Value error, ")
    if not problem["loc"]:  # a rule across settings names its variables itself
        return escape(message)
    variable = "PODIUM_" + "_".join(str(part) for part in problem["loc"]).upper()
    return escape(f"{variable}: {message} (not {problem['input']!r})")


def writable(path: Path | None) -> None:
    """Refuse an ``--output`` that could not be written, before the work is done."""
    if path is None:
        return
    if path.is_dir():
        raise fail(f"{path} is a folder: give a file name for --output")
    if not path.parent.is_dir():
        raise fail(f"cannot write {path}: there is no folder {path.parent}")


def write_file(path: Path, content: str | bytes) -> None:
    """Write an ``--output`` file, or say why it cannot be written (no traceback)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror or exc}") from exc


ProgramRef = Annotated[str, typer.Argument(help="program key or id")]
AsUser = Annotated[
    str | None, typer.Option("--as", help="act as this user (email); default: the system")
]


def parse_day(value: str, option: str) -> date:
    """A date typed on the command line, or the command fails saying which option."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"{option} must be YYYY-MM-DD, not {value!r}") from exc


def checked_key(key: str, *, pattern: str, rule: str, what: str, example: str) -> str:
    """A key typed on the command line, trimmed as the API trims it; one the API's
    ``pattern`` refuses fails the command, saying the ``rule``."""
    key = key.strip()
    if re.fullmatch(pattern, key) is None:
        raise fail(escape(f"{key!r} cannot be a {what} key: a key is {rule} (e.g. {example})"))
    return key


def checked_text(value: str, option: str, limit: int, *, required: bool = False) -> str:
    """A text option trimmed; blank when ``required``, longer than ``limit`` or with a
    control character (NUL, an escape …), the command fails saying which option."""
    value = value.strip()
    if required and not value:
        raise fail(f"{option} must not be blank")
    if len(value) > limit:
        raise fail(f"{option} is at most {limit} characters, not {len(value)}")
    if problem := control_problem(value):
        raise fail(f"{option} {escape(problem)}")
    return value


def require_current_schema() -> None:
    try:
        check_database_current(get_engine())
    except DatabaseBehind as exc:
        raise fail(str(exc)) from exc


ACTING = "podium.cli_actor"


def actor_for(session: Session, email: str | None) -> Actor:
    """The user with this email (``None``: the system).

    The first actor a command resolves in its unit of work is the one acting (others
    are people it names, such as a risk's owner): what it changes records them, and so
    do the alerts its changes raise, as the API's do."""
    if email is None:
        actor = SYSTEM
    else:
        user = auth.find_user(session, email)
        if user is None:
            raise fail(f"no user with email {email}")
        if not user.is_active:  # as on the web and the API: a deactivated account does nothing
            raise fail(f"{email} is deactivated: an admin can activate the account again")
        actor = Actor.of(user)
    if ACTING not in session.info:
        session.info[ACTING] = actor.email
        if actor.user_id is not None:
            session.info[ACTOR_EMAIL] = actor.email
    return actor


def print_problems(exc: PodiumError) -> None:
    err.print(f"[bold red]error:[/] {exc.message}")
    details = exc.details if isinstance(exc.details, list) else []
    if details:
        table = Table("where", "problem", title=f"{len(details)} problem(s)", title_justify="left")
        for problem in details:
            if isinstance(problem, dict):
                where = problem.get("location") or problem.get("field") or ""
                table.add_row(str(where), str(problem.get("message", "")))
        err.print(table)


def in_options(exc: PodiumError, options: dict[str, str]) -> PodiumError:
    """The service's refusal with the request fields it names told as the options typed:
    given ``{"weights": "--weight"}``, the field ``weights.M1`` is ``--weight M1``, and
    ``weights.M1:`` in the message too. The same error when it names none of them."""
    if not isinstance(exc.details, list):
        return exc
    details, message, renamed = [], exc.message, False
    for problem in exc.details:
        if isinstance(problem, dict) and isinstance(problem.get("field"), str):
            field = problem["field"]
            name, _, key = field.partition(".")
            if name in options:
                option = f"{options[name]} {key}".strip()
                problem = {**problem, "field": option}
                message = re.sub(rf"(?<![\w.-]){re.escape(field)}(?=:)", option, message)
                renamed = True
        details.append(problem)
    if not renamed:
        return exc
    return PodiumError(message, details=details, code=exc.code)


@contextmanager
def service_work() -> Iterator[Session]:
    """One unit of work on a current schema; an error from the services is printed
    (with its problems) and the command exits 1."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            yield session
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
