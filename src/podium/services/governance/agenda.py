"""A review occurrence's agenda, built from what happened since the last occurrence.

Sections (a review covers the ones it lists, in this order):

* ``risks`` — risks raised since, and risks escalated to the program or steering level
  (both marked new), and those on the steering agenda, each with its ``tag``;
* ``milestones`` — milestones whose forecast moved later since the last occurrence
  (its agenda kept every milestone's forecast), or, at a first occurrence, those
  forecast past their target or baseline;
* ``conflicts`` — open cross-project schedule conflicts, the ones flagged since marked new;
* ``change_requests`` — change requests awaiting decision, with their computed impact;
* ``benefits`` — benefits off track;
* ``decisions`` — decisions logged since, for the record;
* ``proposed`` — topics members proposed for this occurrence.

The agenda is plain JSON: shown on the page, printed by the CLI, and kept
unchanged with the occurrence once it is held.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.currency import figure, with_currency
from podium.models import Alert, Program, User, utcnow
from podium.models.governance import ChangeRequest, ChangeRequestStatus, Decision, Review
from podium.services.actor import Actor
from podium.services.baselines import baseline_finishes
from podium.services.benefits import benefits_off_track
from podium.services.common import today
from podium.services.overview import program_calendar
from podium.services.pages_schedule import milestone_rows
from podium.services.risks import risks_for_agenda
from podium.services.scheduling.alerts import SCHEDULE_ALERT_KINDS, chain_text

SECTIONS: dict[str, str] = {
    "risks": "New and escalated risks",
    "milestones": "Milestones that slipped",
    "conflicts": "Open cross-project conflicts",
    "change_requests": "Change requests awaiting decision",
    "benefits": "Benefits off track",
    "decisions": "Decisions logged since the last review",
    "proposed": "Proposed topics",
}


# why a risk is on the agenda (its ``tag``), in words
RISK_TAGS: dict[str, str] = {
    "new": "raised",
    "escalated": "escalated",
    "steering": "on the steering agenda",
}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _risks(session: Session, program_id: int, since: datetime | None) -> list[dict[str, Any]]:
    found = risks_for_agenda(session, program_id, since)
    items: list[dict[str, Any]] = []
    seen: set[Any] = set()
    for group, label in (("new", "new"), ("escalated", "escalated"), ("steering", "steering")):
        for risk in found.get(group, []):
            if risk["id"] in seen:
                continue
            seen.add(risk["id"])
            items.append(
                {
                    "kind": "risk",
                    "id": risk["id"],
                    "key": str(risk.get("key_or_title", "")),
                    "title": risk["title"],
                    "detail": (
                        f"score {risk.get('score')} ({risk.get('level')}), "
                        f"owner {risk.get('owner') or 'unassigned'}, {risk.get('status')}"
                    ),
                    "url": risk.get("url"),
                    "tag": label,
                    # raised or escalated since the last meeting: news to the review
                    "new": group in ("new", "escalated"),
                }
            )
    return items


def _milestones(
    session: Session, program: Program, previous: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, str | None]]:
    calendar = program_calendar(session, program)
    rows = milestone_rows(session, [program.id], {program.id: calendar})[program.id]
    baseline = baseline_finishes(session, program.id)
    before: dict[str, str | None] = (previous or {}).get("snapshot", {}).get("milestones", {})
    items = []
    for m in rows:
        # reached: nothing left to forecast; unfed (no work leads to it): its date is only
        # the program's start or status date, not a forecast that can slip
        if m.forecast is None or not m.fed or m.reached:
            continue
        base = baseline.get(f"m{m.id}")
        vs_target = calendar.slip(m.target, m.forecast) if m.target else None
        vs_baseline = calendar.slip(base, m.forecast) if base else None
        was = before.get(m.key)
        moved = calendar.slip(date.fromisoformat(was), m.forecast) if was else None
        if previous is not None and was is not None:
            include = moved is not None and moved > 0
        else:
            include = (vs_target or 0) > 0 or (vs_baseline or 0) > 0
        if not include:
            continue
        parts = [f"forecast {m.forecast.isoformat()}"]
        if moved:
            parts.append(f"{moved:+d} working days since the last review (was {was})")
        if vs_target is not None and vs_target > 0:
            parts.append(f"{vs_target} working days past its target {m.target}")
        if vs_baseline is not None and vs_baseline > 0:
            parts.append(f"{vs_baseline} past its baseline {base}")
        items.append(
            {
                "kind": "milestone",
                "id": m.id,
                "key": m.key,
                "title": m.name,
                "detail": "; ".join(parts),
                "url": f"/programs/{program.id}/roadmap#m{m.id}",
                "forecast": m.forecast.isoformat(),
                "previous_forecast": was,
                "moved": moved,
                "slip_vs_target": vs_target,
                "slip_vs_baseline": vs_baseline,
                "new": True,
            }
        )
    snapshot = {m.key: _iso(m.forecast_shown) for m in rows}
    return items, snapshot


def _conflicts(session: Session, program_id: int, since: datetime | None) -> list[dict[str, Any]]:
    alerts = session.scalars(
        select(Alert)
        .where(
            Alert.program_id == program_id,
            Alert.resolved_at.is_(None),
            Alert.cross_project.is_(True),
            Alert.kind.in_(SCHEDULE_ALERT_KINDS),
        )
        .order_by(Alert.first_detected_at, Alert.id)
    )
    return [
        {
            "kind": "conflict",
            "id": a.id,
            "key": a.severity.value,
            "title": a.title,
            "detail": (
                f"{chain_text(a)}; projects "
                f"{', '.join(a.projects)}; flagged {a.first_detected_at.date().isoformat()}"
            ),
            "url": f"/programs/{program_id}#alert-{a.id}",
            "new": since is None or a.first_detected_at > since,
        }
        for a in alerts
    ]


def proposed_change_requests(
    session: Session, actor: Actor, program_id: int, since: datetime | None = None
) -> list[dict[str, Any]]:
    """The change requests waiting for a decision, each with its impact in a sentence
    (``detail``) and whether it was raised after ``since``."""
    from podium.services.governance.change_requests import compute_impact

    program = session.get(Program, program_id)
    currency = program.currency if program is not None else None
    items = []
    for cr in session.scalars(
        select(ChangeRequest)
        .where(
            ChangeRequest.program_id == program_id,
            ChangeRequest.status == ChangeRequestStatus.PROPOSED,
        )
        .order_by(ChangeRequest.number)
    ):
        impact = compute_impact(session, actor, cr)
        schedule = impact["schedule"]
        if not impact["applicable"]:
            detail = "no longer applies: " + "; ".join(p["message"] for p in impact["problems"])
        elif schedule is not None:
            moved = ", ".join(f"{m['key']} {m['finish_delta']:+d}" for m in schedule["milestones"])
            detail = (
                f"finish {schedule['finish_delta']:+d} working days"
                + (f"; milestones {moved}" if moved else "")
                + _misses_text(schedule["misses"])
            )
        else:
            detail = "no schedule change"
        if impact["cost"]["delta"]:
            delta = f"{impact['cost']['delta']:+,.0f}"
            detail += f"; cost {with_currency(delta, currency)}"
        items.append(
            {
                "kind": "change_request",
                "id": cr.id,
                "key": f"CR-{cr.number}",
                "title": cr.title,
                "detail": f"requested by {cr.requested_by}; {detail}",
                "url": f"/programs/{program_id}/governance#cr-{cr.id}",
                "finish_delta": schedule["finish_delta"] if schedule else 0,
                "new": since is None or cr.created_at > since,
            }
        )
    return items


def _misses_text(misses: list[dict[str, Any]]) -> str:
    new = [m for m in misses if m["is_new"]]
    if not new:
        return ""
    keys = ", ".join(sorted({m["key"] for m in new})[:5])
    return f"; newly misses {len(new)} date{'s' if len(new) != 1 else ''} ({keys})"


def _benefits(session: Session, program_id: int, as_of: date) -> list[dict[str, Any]]:
    items = []
    for b in benefits_off_track(session, program_id, as_of):
        unit = b.get("unit") or ""
        pct = b.get("realization_pct")

        def measured(value: float | None, unit: str = unit) -> str:
            return f"{figure(value)} {unit}".rstrip()

        items.append(
            {
                "kind": "benefit",
                "id": b["id"],
                "key": "",
                "title": b["name"],
                "detail": (
                    f"latest {measured(b.get('latest_value'))}, "
                    f"expected {measured(b.get('expected_value'))} by now, "
                    f"target {measured(b.get('target_value'))} by {b.get('target_date')}"
                    + (f"; {pct:.0f} % realized" if isinstance(pct, int | float) else "")
                ),
                "url": b.get("url"),
                "new": True,
            }
        )
    return items


def _decisions(session: Session, program_id: int, since: datetime | None) -> list[dict[str, Any]]:
    if since is None:
        return []
    return [
        {
            "kind": "decision",
            "id": d.id,
            "key": f"D-{d.number}",
            "title": d.title,
            "detail": f"by {d.decided_by} on {d.decided_on.isoformat()}",
            "url": f"/programs/{program_id}/governance#decision-{d.id}",
            "new": True,
        }
        for d in session.scalars(
            select(Decision)
            .where(Decision.program_id == program_id, Decision.created_at > since)
            .order_by(Decision.number)
        )
    ]


def _proposed(session: Session, review: Review) -> list[dict[str, Any]]:
    from podium.services.governance.reviews import open_items

    items = open_items(session, review.id)
    # people by their account's name, as change requests name who asked
    user_ids = {i.proposed_by_user_id for i in items if i.proposed_by_user_id}
    names = {
        u.id: u.name
        for u in (session.scalars(select(User).where(User.id.in_(user_ids))) if user_ids else [])
        if u.name
    }
    return [
        {
            "kind": "proposed",
            "id": item.id,
            "key": "",
            "title": item.title,
            "detail": f"proposed by {names.get(item.proposed_by_user_id or 0, item.proposed_by)}"
            + (f": {item.notes}" if item.notes else ""),
            "url": None,
            "new": True,
        }
        for item in items
    ]


def build_agenda(
    session: Session, actor: Actor, review: Review, *, occurrence_date: date | None = None
) -> dict[str, Any]:
    """The agenda of the review's occurrence on ``occurrence_date``, from the data since its
    last occurrence (everything open, at a first occurrence)."""
    from podium.services.governance.reviews import last_occurrence

    program = session.get(Program, review.program_id)
    assert program is not None
    previous = last_occurrence(session, review.id)
    since = previous.created_at if previous else None
    day = occurrence_date or today()
    wanted = [s for s in SECTIONS if s in (review.sections or SECTIONS)]
    milestones, snapshot = _milestones(session, program, previous.agenda if previous else None)
    builders = {
        "risks": lambda: _risks(session, program.id, since),
        "milestones": lambda: milestones,
        "conflicts": lambda: _conflicts(session, program.id, since),
        "change_requests": lambda: proposed_change_requests(session, actor, program.id, since),
        "benefits": lambda: _benefits(session, program.id, day),
        "decisions": lambda: _decisions(session, program.id, since),
        "proposed": lambda: _proposed(session, review),
    }
    sections = [{"key": key, "title": SECTIONS[key], "items": builders[key]()} for key in wanted]
    return {
        "review": {"id": review.id, "name": review.name},
        "program": {"id": program.id, "key": program.key, "name": program.name},
        "occurrence_date": day.isoformat(),
        "since": since.isoformat(timespec="seconds") if since else None,
        "previous_occurrence": (
            {"id": previous.id, "held_on": previous.held_on.isoformat()} if previous else None
        ),
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "attendees": [{"name": a.name, "email": a.email, "role": a.role} for a in review.attendees],
        "sections": sections,
        "item_count": sum(len(s["items"]) for s in sections),
        "snapshot": {"milestones": snapshot},
    }


def agenda_markdown(agenda: dict[str, Any]) -> str:
    """The agenda as Markdown (for the CLI and for pasting into an invitation)."""
    lines = [
        f"# {agenda['review']['name']} — {agenda['occurrence_date']}",
        "",
        f"{agenda['program']['key']} {agenda['program']['name']}. "
        + (
            f"Covers what happened since the review of {agenda['previous_occurrence']['held_on']}."
            if agenda["previous_occurrence"]
            else "First occurrence: covers everything open."
        ),
    ]
    if agenda["attendees"]:
        people = ", ".join(
            a["name"] + (f" ({a['role']})" if a["role"] else "") for a in agenda["attendees"]
        )
        lines += ["", f"Attendees: {people}"]
    for number, section in enumerate(agenda["sections"], start=1):
        lines += ["", f"## {number}. {section['title']}", ""]
        if not section["items"]:
            lines.append("Nothing to discuss.")
        for item in section["items"]:
            key = f"{item['key']} " if item["key"] else ""
            marks = [RISK_TAGS[item["tag"]]] if item.get("tag") in ("escalated", "steering") else []
            if item.get("new") and agenda["previous_occurrence"]:  # as the page marks it
                marks.append("new since last")
            said = f" ({'; '.join(marks)})" if marks else ""
            lines.append(f"- **{key}{item['title']}**{said} — {item['detail']}")
    return "\n".join(lines) + "\n"
