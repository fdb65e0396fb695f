"""Slack-compatible webhook messages: one line per event that says what happened.

A receiver reads only ``text`` (and the same text as one ``mrkdwn`` block), so each
event names its record (``M3 Go-live``, ``R7 Vendor late``, ``CR-4 Add a region``),
carries the figures that matter (dates moved, severity, escalation levels, the
decision) and links to the record's page when the address of Podium is known.
The record is read again when the message is built, for what the event's payload
does not carry (a milestone's key and target, a risk's key); a record deleted since
falls back to the payload alone. A slip past a target is counted in working days of
the program's calendar, as everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from podium.engine import WorkCalendar
from podium.engine.risks import ESCALATIONS
from podium.models import ChangeRequest, Milestone, Program, Risk
from podium.services import events
from podium.services.pages_schedule import working_days_late
from podium.services.work_calendars import calendars_by_id

Message = tuple[str, str | None]  # the text, and the record's path in the web pages
# escalation levels, lowest first (none, program, steering)
_RANK: dict[str, int] = {level: rank for rank, level in enumerate(ESCALATIONS)}


def _escape(text: object) -> str:
    """Slack reads ``&``, ``<`` and ``>`` as markup: escape them in anything people typed."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _days(n: int, unit: str = "day") -> str:
    return f"{n} {unit}{'s' if abs(n) != 1 else ''}"


def _id(data: dict[str, Any], name: str) -> int | None:
    value = data.get(name)
    return value if isinstance(value, int) else None


def _milestone(session: Session, program_id: int, data: dict[str, Any]) -> Message:
    found = _id(data, "milestone_id")
    milestone = session.get(Milestone, found) if found is not None else None
    name = f"{milestone.key} {milestone.name}" if milestone else f"milestone {found or '?'}"
    before, after = _day(data.get("from")), _day(data.get("to"))
    text = (
        f"Milestone *{_escape(name)}* forecast moved from {before or 'not scheduled'} "
        f"to {after or 'not scheduled'}"
    )
    if before and after:
        shift = (after - before).days
        text += f" ({_days(abs(shift))} {'later' if shift > 0 else 'earlier'})"
    target = milestone.target_date if milestone else None
    if target is not None and after is not None:
        # working days of the program's calendar, as the milestone list and alerts count
        late = working_days_late(_calendar_of(session, program_id), after, target)
        text += f"; target {target}: " + (
            f"{_days(late, 'working day')} past target" if late > 0 else "on track"
        )
    return text, f"/programs/{program_id}#milestones-heading"


def _calendar_of(session: Session, program_id: int) -> WorkCalendar:
    program = session.get(Program, program_id)
    calendar_id = program.calendar_id if program is not None else None
    return calendars_by_id(session, [calendar_id]).get(calendar_id or 0, WorkCalendar())


def _alert_raised(session: Session, program_id: int, data: dict[str, Any]) -> Message:
    severity = f" ({str(data['severity']).upper()})" if data.get("severity") else ""
    text = f"Alert raised{severity}: *{_escape(data.get('title') or '')}*"
    if data.get("message"):
        text += f" — {_escape(data['message'])}"
    if data.get("projects"):
        text += f" (projects {_escape(', '.join(map(str, data['projects'])))})"
    return text, f"/programs/{program_id}#alerts-heading"


def _alert_resolved(session: Session, program_id: int, data: dict[str, Any]) -> Message:
    return (
        f"Alert resolved: *{_escape(data.get('title') or '')}*",
        f"/programs/{program_id}",
    )


def _risk(session: Session, program_id: int, data: dict[str, Any]) -> Message:
    found = _id(data, "risk_id")
    risk = session.get(Risk, found) if found is not None else None
    key = str(data.get("risk_key") or "")  # events queued before it was added have none
    told = " ".join(part for part in (key, str(data.get("title") or "")) if part)
    name = f"{risk.key} {risk.title}" if risk else told or f"risk {found or '?'}"
    before, after = str(data.get("from") or "none"), str(data.get("to") or "none")
    down = data.get("direction") == "down" or (
        "direction" not in data and _RANK.get(after, 0) < _RANK.get(before, 0)
    )
    moved = "de-escalated" if down else "escalated"
    text = f"Risk *{_escape(name)}* {moved} from {_escape(before)} to {_escape(after)}"
    # the score when it moved (what the reason speaks of); an event queued before the
    # payload carried it falls back to the risk's score now
    score = data.get("score") if isinstance(data.get("score"), int) else None
    if score is None and risk is not None:
        score = risk.score
    if score is not None:
        text += f" (score {score})"
    if data.get("reason"):
        text += f": {_escape(data['reason'])}"
    return text, f"/risks/{found}" if found is not None else f"/programs/{program_id}/risks"


def _change_request(session: Session, program_id: int, data: dict[str, Any]) -> Message:
    found = _id(data, "change_request_id")
    cr = session.get(ChangeRequest, found) if found is not None else None
    number = data.get("number") or (cr.number if cr else "?")
    name = f"CR-{number} {data.get('title') or (cr.title if cr else '')}".strip()
    text = f"Change request *{_escape(name)}* {data.get('status') or 'decided'}"
    if data.get("decided_by"):
        text += f" by {_escape(data['decided_by'])}"
    impact = (cr.impact_at_decision if cr else None) or {}
    schedule = impact.get("schedule") or {}
    if isinstance(schedule.get("finish_delta"), int):
        text += f"; program finish {schedule['finish_delta']:+d} working days"
    cost = (impact.get("cost") or {}).get("delta")
    if isinstance(cost, int | float) and cost:
        text += f"; cost {cost:+,.0f}"
    anchor = f"#cr-{found}" if found is not None else "#change-requests"
    return text, f"/programs/{program_id}/governance{anchor}"


def _report(session: Session, program_id: int, data: dict[str, Any]) -> Message:
    text = f"Report issued: *{_escape(data.get('title') or '')}*"
    if data.get("status"):
        # a program with nothing scheduled yet has no colour: say so in words
        health = "no plan yet" if data["status"] == "no_plan" else str(data["status"])
        text += f" — health {_escape(health)}"
    if data.get("as_of"):
        text += f", as of {_escape(data['as_of'])}"
    found = _id(data, "report_id")
    return text, f"/programs/{program_id}/reports" + (f"#report-{found}" if found else "")


def _ping(session: Session, program_id: int, data: dict[str, Any]) -> Message:
    return _escape(data.get("message") or "A test from Podium"), f"/programs/{program_id}"


_MESSAGES: dict[str, Callable[[Session, int, dict[str, Any]], Message]] = {
    events.MILESTONE_FORECAST_CHANGED: _milestone,
    events.ALERT_RAISED: _alert_raised,
    events.ALERT_RESOLVED: _alert_resolved,
    events.RISK_ESCALATED: _risk,
    events.CHANGE_REQUEST_DECIDED: _change_request,
    events.REPORT_ISSUED: _report,
    "ping": _ping,
}


def slack_message(
    session: Session, payload: dict[str, Any], *, base_url: str | None = None
) -> dict[str, Any]:
    """The Slack-compatible body of an event's payload (``text`` and one ``mrkdwn`` block)."""
    program_id = int(payload["program_id"])
    program = session.get(Program, program_id)
    where = f"{program.key} {program.name}" if program else f"program {program_id}"
    data = payload.get("data") or {}
    build = _MESSAGES.get(str(payload.get("event")))
    what, path = build(session, program_id, data) if build else (str(payload.get("event")), None)
    text = f"[{_escape(where)}] {what}"
    if base_url and path:
        text += f" <{base_url.rstrip('/')}{path}|Open in Podium>"
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


__all__ = ["slack_message"]
