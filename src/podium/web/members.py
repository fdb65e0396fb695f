"""A program's Members tab: who has which role, and (owners) adding, changing, removing.

Everyone in the program reads the list and what each role may do; its owners get
a form to add someone by email, and per member a role to change (checked against
the version the page was read at) and a button to remove them. The services hold
the rules (owners only, a program keeps one owner); a refusal comes back as the
page with its message beside the form or the member it is about. A scenario's
copy of a program has the live program's members: it lists them, read only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.programs import MemberIn, MemberUpdate
from podium.api.projects import IdFilter
from podium.api.schemas import PathId
from podium.errors import Conflict, StaleVersion, ValidationFailed
from podium.models import Membership, Program, Role, User
from podium.services import programs
from podium.services.actor import refuse_scenario_copy, role_in
from podium.web.form_errors import Errors, validate
from podium.web.session import CheckedForm, CurrentViewer, Viewer
from podium.web.tasks import done, field_value, version_of
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

# the wording of the user guide's "Roles"
ROLE_LEGEND = (
    (Role.VIEWER, "reads"),
    (Role.MEMBER, "also reports progress on the tasks assigned to them"),
    (Role.MANAGER, "also plans: projects, tasks, milestones, dependencies"),
    (Role.OWNER, "also the program's settings and who belongs to it"),
)
ROLE_CHOICES = [(role.value, role.value.capitalize()) for role in Role]
ADD_FIELDS = ("email", "role")
COPY_REFUSAL = "its members are the live program's; change them there"
EMAIL_MESSAGE = "Enter an email address, like name@example.com."

Member = tuple[Membership, User]


def _members(db: Db, viewer: Viewer, program: Program) -> list[Member]:
    """The people of the program (of the live one, for a scenario's copy), owners first."""
    found = programs.list_members(db, viewer.actor, program.id)
    return sorted(found, key=lambda mu: (-mu[0].role.rank, (mu[1].name or mu[1].email).lower()))


def _flash(done_: str | None, member_id: int | None, members: list[Member]) -> str:
    if done_ == "removed":
        return "Removed from the program: they no longer see it."
    user = next((u for m, u in members if u.id == member_id), None)
    role = next((m.role.value for m, u in members if u.id == member_id), "")
    if user is None:
        return ""
    who = f"{user.name} ({user.email})" if user.name else user.email
    if done_ == "added":
        return f"Added {who} as {role}."
    if done_ == "changed":
        return f"{who} is now {role}."
    return ""


def _sentence(message: str) -> str:
    """A service's message as a sentence, its email addresses untouched (``humanize`` would
    read their underscores as spaces, and capitalize one that starts the message)."""
    first, space, rest = message.partition(" ")
    if "@" not in first:
        first = first[:1].upper() + first[1:]
    return f"{first}{space}{rest}."


def _page(
    request: Request,
    db: Db,
    viewer: Viewer,
    program_id: int,
    *,
    add_errors: Errors | None = None,
    add_values: dict[str, str] | None = None,
    row_errors: dict[int, str] | None = None,
    error: str = "",
    done_: str | None = None,
    member_id: int | None = None,
    status_code: int = 200,
) -> Response:
    program = programs.get_program(db, viewer.actor, program_id)
    members = _members(db, viewer, program)
    role = role_in(db, viewer.actor, program_id)
    context: dict[str, Any] = {
        "program": program,
        "members": members,
        "role": role,
        "can_manage": role == Role.OWNER and program.scenario_of_id is None,
        "legend": ROLE_LEGEND,
        "roles": ROLE_CHOICES,
        "add_errors": add_errors or {},
        "add_values": add_values or {"role": Role.MEMBER.value},
        "row_errors": row_errors or {},
        "error": error,
        "flash": _flash(done_, member_id, members),
    }
    return render(request, "members/page.html", context, status_code=status_code)


def _back(program_id: int, done_: str, user_id: int | None = None) -> Response:
    query = f"?done={done_}" + (f"&member={user_id}" if user_id is not None else "")
    return RedirectResponse(f"/programs/{program_id}/members{query}", status_code=303)


def _copy_refusal(program: Program) -> str:
    """The message refusing a change to a scenario's copy, or ``""`` for a live program."""
    try:
        refuse_scenario_copy(program, COPY_REFUSAL)
    except Conflict as exc:
        return _sentence(exc.message)
    return ""


@router.get("/programs/{program_id}/members", name="members")
def members_page(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    done_: Annotated[str | None, Query(alias="done", max_length=12)] = None,
    member: IdFilter = None,
) -> Response:
    """The program's members and what each role may do; the membership forms for owners."""
    return _page(request, db, viewer, program_id, done_=done_, member_id=member)


@router.post("/programs/{program_id}/members")
def add_member(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Give someone with a Podium account a role in the program (owners)."""
    program = programs.get_program(db, viewer.actor, program_id, needed=Role.OWNER)
    values = {name: field_value(form, name) for name in ADD_FIELDS}
    if refusal := _copy_refusal(program):
        return _page(request, db, viewer, program_id, error=refusal, status_code=409)
    body, errors = validate(MemberIn, values)
    if "email" in errors:
        errors["email"] = "Required." if not values["email"] else EMAIL_MESSAGE
    status = 422
    if body is not None and not errors:
        try:
            membership = programs.add_member(
                db, viewer.actor, program_id, email=body.email, role=body.role
            )
            user_id = membership.user_id
            done(db)
            return _back(program_id, "added", user_id)
        except (ValidationFailed, Conflict) as exc:  # no one has that email; already a member
            db.rollback()
            errors, status = {"email": _sentence(exc.message.removeprefix("email: "))}, exc.status
    return _page(
        request,
        db,
        viewer,
        program_id,
        add_errors=errors,
        add_values=values,
        status_code=status,
    )


@router.post("/programs/{program_id}/members/{user_id}")
def change_role(
    request: Request,
    program_id: PathId,
    user_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Give a member another role (owners), unless someone changed it since the page was read."""
    program = programs.get_program(db, viewer.actor, program_id, needed=Role.OWNER)
    if refusal := _copy_refusal(program):
        return _page(request, db, viewer, program_id, error=refusal, status_code=409)
    body, errors = validate(MemberUpdate, {"role": field_value(form, "role")})
    problem, status = next(iter(errors.values()), ""), 422
    if body is not None and not errors:
        try:
            programs.change_member_role(
                db, viewer.actor, program_id, user_id, body.role, expected_version=version_of(form)
            )
            done(db)
            return _back(program_id, "changed", user_id)
        except (Conflict, StaleVersion) as exc:  # the last owner; changed by someone else
            db.rollback()
            # 409 for both: 412 answers the API's If-Match; a form is answered with its page
            problem, status = _sentence(exc.message), 409
    return _page(request, db, viewer, program_id, row_errors={user_id: problem}, status_code=status)


@router.post("/programs/{program_id}/members/{user_id}/delete")
def remove_member(
    request: Request,
    program_id: PathId,
    user_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Take a member out of the program (owners); one who removes themself goes home. The
    row's version is checked: a role changed since the page was read is not removed
    unseen."""
    program = programs.get_program(db, viewer.actor, program_id, needed=Role.OWNER)
    if refusal := _copy_refusal(program):
        return _page(request, db, viewer, program_id, error=refusal, status_code=409)
    try:
        programs.remove_member(
            db, viewer.actor, program_id, user_id, expected_version=version_of(form)
        )
    except (Conflict, StaleVersion) as exc:
        db.rollback()
        problem = _sentence(exc.message)
        return _page(
            request, db, viewer, program_id, row_errors={user_id: problem}, status_code=409
        )
    done(db)
    if role_in(db, viewer.actor, program_id) is None:
        return RedirectResponse("/", status_code=303)
    return _back(program_id, "removed")
