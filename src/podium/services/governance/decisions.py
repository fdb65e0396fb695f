"""The decision log: what was decided, why, by whom, when, in which review, about what."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from podium.errors import Conflict, ValidationFailed, field_error
from podium.models import Dependency, Milestone, Program, Role, Task
from podium.models.governance import (
    ChangeRequest,
    Decision,
    DecisionNumbering,
    ReviewOccurrence,
    Stakeholder,
)
from podium.services.actor import Actor, refuse_on_scenario_copy, require_role
from podium.services.common import apply_update, check_version, flush, paginate, today
from podium.services.date_window import check_plan_date
from podium.services.governance._audit import audit_created, audit_deleted
from podium.services.governance._records import load_in_program, person_name

DECISION_FIELDS = ["title", "rationale", "decided_by", "decided_on", "occurrence_id", "links"]
LINK_TYPES = (
    "task",
    "milestone",
    "dependency",
    "change_request",
    "review_occurrence",
    "stakeholder",
    "risk",
    "benefit",
)
_MODELS: dict[str, Any] = {
    "task": Task,
    "milestone": Milestone,
    "dependency": Dependency,
    "change_request": ChangeRequest,
    "review_occurrence": ReviewOccurrence,
    "stakeholder": Stakeholder,
}


def decision_label(decision: Decision) -> str:
    return f"D-{decision.number} {decision.title}"


def _link_model(kind: str) -> Any:
    """The stored record behind a link type (risks and benefits when their register exists)."""
    if kind in _MODELS:
        return _MODELS[kind]
    import podium.models as models

    return getattr(models, kind.capitalize(), None)


def _label(record: Any, kind: str) -> str:
    if kind == "change_request":
        return f"CR-{record.number} {record.title}"
    if kind == "review_occurrence":
        return f"review on {record.held_on.isoformat()}"
    if kind == "dependency":
        return f"dependency {record.id}"
    key = getattr(record, "key", None)
    name = str(getattr(record, "name", None) or getattr(record, "title", ""))
    if key and name.startswith(f"{key} "):  # a risk's name already starts with its key
        return name
    return f"{key} {name}".strip() if key else name


def resolve_links(
    session: Session,
    program_id: int,
    links: Sequence[Mapping[str, Any]],
    *,
    kept: Sequence[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """Links as stored: each ``{"type", "id", "label"}``, checked to be records of the program.

    A link the decision already has (``kept``) stays as it was stored, label and all, even
    if its record has been deleted since: the log says what the decision was about.
    """
    out: list[dict[str, Any]] = []
    problems = []
    had = {(str(k.get("type")), k.get("id")): k for k in kept}
    for i, link in enumerate(links):
        kind, record_id = str(link.get("type", "")), link.get("id")
        if (kind, record_id) in had:
            if not any(o["type"] == kind and o["id"] == record_id for o in out):
                out.append(dict(had[(kind, record_id)]))
            continue
        if kind not in LINK_TYPES:
            problems.append(
                {"field": f"links.{i}.type", "message": f"one of {', '.join(LINK_TYPES)}"}
            )
            continue
        model = _link_model(kind)
        record = (
            session.get(model, record_id)
            if model is not None and isinstance(record_id, int) and 0 < record_id <= 2**31 - 1
            else None
        )
        if record is None or getattr(record, "program_id", None) != program_id:
            problems.append(
                {"field": f"links.{i}.id", "message": f"no such {kind} in this program"}
            )
            continue
        if not any(o["type"] == kind and o["id"] == record_id for o in out):
            out.append({"type": kind, "id": record_id, "label": _label(record, kind)})
    if problems:
        raise ValidationFailed(
            "; ".join(f"{p['field']}: {p['message']}" for p in problems), details=problems
        )
    return out


def _check_occurrence(
    session: Session, program_id: int, occurrence_id: int | None
) -> ReviewOccurrence | None:
    """The review meeting a decision was taken in, checked to be one of the program's."""
    if occurrence_id is None:
        return None
    occurrence = session.get(ReviewOccurrence, occurrence_id)
    if occurrence is None or occurrence.program_id != program_id:
        raise ValidationFailed(
            "occurrence_id: no such review occurrence in this program",
            details=[{"field": "occurrence_id", "message": "no such review occurrence"}],
        )
    return occurrence


def decision_day(
    session: Session,
    program_id: int,
    occurrence_id: int | None,
    decided_on: date | None,
    *,
    about: ChangeRequest | None = None,
) -> date | None:
    """The day a decision is dated: taken in a review meeting, that meeting's day (given
    another day, refused naming the meeting's); else ``decided_on`` (None: today).

    Never before the day a change request it decides (``about``) was raised, nor, logged
    outside a meeting, before the program began (see :func:`check_not_too_early`)."""
    check_decided_on(decided_on)
    check_plan_date("decided_on", decided_on)  # a date outside the window, said as such
    occurrence = _check_occurrence(session, program_id, occurrence_id)
    if occurrence is None:
        check_not_too_early(session, program_id, decided_on, about=about)
        return decided_on
    if decided_on is not None and decided_on != occurrence.held_on:
        raise field_error(
            "decided_on",
            f"a decision taken in the meeting held on {occurrence.held_on.isoformat()} is "
            f"dated that day, not {decided_on.isoformat()}",
        )
    check_not_too_early(session, program_id, occurrence.held_on, about=about, in_meeting=True)
    return occurrence.held_on


def _local_day(moment: datetime) -> date:
    """The local calendar day of a stored moment, as :func:`today` counts days."""
    return moment.astimezone().date()


def check_not_too_early(
    session: Session,
    program_id: int,
    day: date | None,
    *,
    about: ChangeRequest | None = None,
    in_meeting: bool = False,
) -> None:
    """Refuse a decision dated before what it decides existed: the day its change request
    (``about``) was raised; for a decision logged on its own, the program's start — or
    the day the program was set up here, when that came first (a decision logged while
    a program is being prepared is not a slip of the pen). ``None`` (today) passes.

    ``in_meeting``: the day is that of the review meeting the decision was taken in. The
    meeting itself may be before the program's start (a steering committee often sits
    before the work begins), so only the change request's raise day bounds it."""
    if day is None:
        return
    floor, why = date.min, ""
    if not in_meeting:
        program = session.get(Program, program_id)
        assert program is not None  # the caller has found it
        set_up = _local_day(program.created_at)
        floor, why = program.start_date, f"the program's start ({program.start_date.isoformat()})"
        if set_up < floor:
            floor, why = set_up, f"{why} and the day it was set up here ({set_up.isoformat()})"
    if about is not None:
        raised = _local_day(about.created_at)
        if raised >= floor:  # (raised once the program was set up: always, but in a demo)
            floor, why = raised, f"CR-{about.number} was raised ({raised.isoformat()})"
    if day >= floor:
        return
    if in_meeting:
        raise field_error(
            "occurrence_id",
            f"the meeting held on {day.isoformat()} was before {why}: choose a later "
            "meeting, or none",
        )
    raise field_error("decided_on", f"{day.isoformat()} is before {why}")


def get_decision(
    session: Session, actor: Actor, decision_id: int, *, needed: Role = Role.VIEWER
) -> Decision:
    return load_in_program(session, actor, Decision, decision_id, needed=needed, noun="decision")


def list_decisions(
    session: Session,
    actor: Actor,
    program_id: int,
    *,
    occurrence_id: int | None = None,
    since: datetime | None = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[Decision], int]:
    """The decision log, newest first."""
    require_role(session, actor, program_id, Role.VIEWER)
    query = select(Decision).where(Decision.program_id == program_id)
    if occurrence_id is not None:
        query = query.where(Decision.occurrence_id == occurrence_id)
    if since is not None:
        query = query.where(Decision.created_at > since)
    query = query.order_by(Decision.decided_on.desc(), Decision.number.desc())
    return paginate(session, query, limit=limit, offset=offset)


def decision_ids_of_occurrence(session: Session, occurrence_id: int) -> list[int]:
    """The decisions logged in one review occurrence, in order."""
    return list(
        session.scalars(
            select(Decision.id)
            .where(Decision.occurrence_id == occurrence_id)
            .order_by(Decision.number)
        )
    )


def _next_number(session: Session, program_id: int) -> int:
    """The program's next decision number, from its counter: never one given before, not
    even the number of a deleted decision. Taking it locks the counter's row until the
    caller commits, so two decisions logged at once take one number each."""
    given = (
        select(func.coalesce(func.max(Decision.number), 0))
        .where(Decision.program_id == program_id)
        .scalar_subquery()
    )
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(DecisionNumbering)
        .values(program_id=program_id, last_number=given)
        .on_conflict_do_nothing(index_elements=["program_id"])
    )
    last = DecisionNumbering.last_number
    number: int = session.execute(
        update(DecisionNumbering)
        .where(DecisionNumbering.program_id == program_id)
        # never below a number in the log (one restored from a backup, say)
        .values(last_number=case((last >= given, last), else_=given) + 1)
        .returning(DecisionNumbering.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return number


def add_decision(
    session: Session,
    actor: Actor,
    *,
    program_id: int,
    title: str,
    rationale: str = "",
    decided_by: str = "",
    decided_on: date | None = None,
    occurrence_id: int | None = None,
    links: Sequence[Mapping[str, Any]] = (),
) -> Decision:
    """Record a decision (no permission check: callers have made theirs); decided by the
    actor, by name, unless ``decided_by`` says who."""
    decided_on = decision_day(session, program_id, occurrence_id, decided_on)
    decision = Decision(
        program_id=program_id,
        number=_next_number(session, program_id),
        title=title,
        rationale=rationale,
        decided_by=decided_by if decided_by.strip() else person_name(session, actor),
        decided_on=decided_on or today(),
        occurrence_id=occurrence_id,
        links=resolve_links(session, program_id, links),
        recorded_by=actor.email,
    )
    session.add(decision)
    try:
        flush(session)
    except Conflict as exc:
        if isinstance(exc.__cause__, IntegrityError) and "number" in str(exc.__cause__.orig):
            raise Conflict(
                f"D-{decision.number} was taken by another decision logged at the same "
                "moment; log this one again",
                code="decision_number_taken",
                details={"number": decision.number},
            ) from exc
        raise
    audit_created(
        session,
        actor,
        decision,
        program_id=program_id,
        fields=DECISION_FIELDS,
        label=decision_label(decision),
    )
    return decision


def record_decision(session: Session, actor: Actor, **fields: Any) -> Decision:
    """Log a decision (managers and above)."""
    require_role(session, actor, fields["program_id"], Role.MANAGER)
    refuse_on_scenario_copy(session, fields["program_id"], "decisions")
    return add_decision(session, actor, **fields)


def check_decided_on(decided_on: date | None) -> None:
    """A decision is logged once taken: its date is today or earlier."""
    if decided_on is not None and decided_on > today():
        raise field_error(
            "decided_on",
            f"{decided_on.isoformat()} is in the future: log a decision once it has been taken",
        )


def update_decision(
    session: Session,
    actor: Actor,
    decision_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Decision:
    """Correct a logged decision (managers and above)."""
    decision = get_decision(session, actor, decision_id, needed=Role.MANAGER)
    check_version(decision, expected_version)
    updates = dict(updates)
    if "decided_on" in updates:
        check_decided_on(updates["decided_on"])
    if "occurrence_id" in updates or "decided_on" in updates:
        about = _decided_request(session, decision)  # its date: not before it was raised
        occurrence_id = updates.get("occurrence_id", decision.occurrence_id)
        _check_occurrence(session, decision.program_id, occurrence_id)
        day = updates.get("decided_on")
        if "occurrence_id" in updates and "decided_on" not in updates:
            day = None  # moved to another meeting (or none): dated as it says below
        moved = (occurrence_id, day) != (decision.occurrence_id, decision.decided_on)
        if occurrence_id is not None and moved:  # a record kept as it was is not refused
            updates["decided_on"] = decision_day(
                session, decision.program_id, occurrence_id, day, about=about
            )
        elif occurrence_id is None and day is not None and day != decision.decided_on:
            check_plan_date("decided_on", day)
            check_not_too_early(session, decision.program_id, day, about=about)
    if "links" in updates:
        updates["links"] = resolve_links(
            session, decision.program_id, updates["links"], kept=decision.links
        )
        _keep_change_request_link(session, decision, updates["links"])
    apply_update(
        session,
        actor,
        decision,
        updates,
        program_id=decision.program_id,
        expected_version=expected_version,
        label=decision_label(decision),
    )
    return decision


def _decided_request(session: Session, decision: Decision) -> ChangeRequest | None:
    """The change request whose approval or rejection this decision records, if any."""
    return session.scalar(select(ChangeRequest).where(ChangeRequest.decision_id == decision.id))


def _records_request(cr: ChangeRequest) -> Conflict:
    return Conflict(
        f"this decision records that CR-{cr.number} was {cr.status.value}: it stays in the "
        "log, linked to the change request (correct its wording instead)",
        code="decision_records_change_request",
        details={"change_request_id": cr.id, "status": cr.status.value},
    )


def _keep_change_request_link(
    session: Session, decision: Decision, links: Sequence[Mapping[str, Any]]
) -> None:
    cr = _decided_request(session, decision)
    if cr is not None and not any(
        link["type"] == "change_request" and link["id"] == cr.id for link in links
    ):
        raise _records_request(cr)


def delete_decision(
    session: Session, actor: Actor, decision_id: int, *, expected_version: int | None = None
) -> None:
    """Remove a decision logged by mistake (managers and above); not one that records a
    change request's approval or rejection."""
    decision = get_decision(session, actor, decision_id, needed=Role.MANAGER)
    check_version(decision, expected_version)
    cr = _decided_request(session, decision)
    if cr is not None:
        raise _records_request(cr)
    audit_deleted(
        session,
        actor,
        decision,
        program_id=decision.program_id,
        fields=DECISION_FIELDS,
        label=decision_label(decision),
    )
    session.delete(decision)
    flush(session)
