"""Executive status reports: built from the live plan, issued and kept unchanged.

A report is first a set of numbers (plain JSON: the goal, health and why,
milestones against baseline and target, cross-project blockers, schedule and
cost performance with the S-curve, what changed since the last issued report);
:mod:`podium.interop.report_render` writes it as Markdown, HTML and PDF. An
issued report stores all four, so what executives were told can be read back
exactly as it was.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine import WorkCalendar
from podium.errors import NotFound, field_error
from podium.interop import report_render
from podium.models import Alert, AlertKind, IssuedReport, Program, Role
from podium.services import events
from podium.services.actor import Actor, role_in
from podium.services.audit import record_change
from podium.services.baselines import compare
from podium.services.benefits.reading import describe, program_benefits
from podium.services.common import flush, today
from podium.services.date_window import check_plan_date
from podium.services.health import open_on, program_health, reason_json, status_words
from podium.services.overview import program_calendar
from podium.services.pages_schedule import SEVERITY_RANK, milestone_rows
from podium.services.performance import performance_curves
from podium.services.programs import get_program
from podium.services.risks.reading import live_risks
from podium.services.scheduling.alerts import chain_text
from podium.services.scheduling.views import program_schedule

TOP_REASONS = 8
TOP_RISKS = 8


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _num(value: float | None) -> float | None:
    """A number as computed (NaN: none). Not rounded here: the writers round it once, as
    the pages do, so 3.4993 reads 3 in both (rounding to cents first made it 3.5, then 4)."""
    return None if value is None or np.isnan(value) else float(value)


def build_report(
    session: Session, actor: Actor, program_id: int, *, as_of: date | None = None
) -> dict[str, Any]:
    """Every number of a status report on ``as_of`` (default: the program's status date;
    a later day than today, or than that status date when it is later, is refused)."""
    check_plan_date("date", as_of)
    program = get_program(session, actor, program_id)
    check_report_date(program, as_of)
    health = program_health(session, actor, program_id, status_date=as_of)
    perf = health.performance
    day = perf.status_date
    schedule = program_schedule(session, actor, program_id)
    variance = compare(session, actor, perf.baseline.id) if perf.baseline else None
    baseline_of = {m.key: m.baseline_finish for m in variance.milestones} if variance else {}
    ev = perf.result.program
    curves = performance_curves(perf) if perf.baseline else None
    calendar = program_calendar(session, program)
    states = {
        row.id: row.state
        for row in milestone_rows(session, [program.id], {program.id: calendar})[program.id]
    }
    blockers = [
        {
            "title": a.title,
            "severity": a.severity.value,
            "chain": [step["key"] for step in a.chain],
            "path": chain_text(a),  # worded: a chain upstream → downstream, or tasks colliding
            "projects": a.projects,
            "since": a.first_detected_at.date().isoformat(),
        }
        for a in sorted(
            session.scalars(
                select(Alert)
                .where(
                    Alert.program_id == program_id,
                    # open on the report's date, as health reads them (a report for a
                    # past date leaves out what was found later)
                    *open_on(day, current=program.status_date or today()),
                    Alert.cross_project.is_(True),
                    # risks and benefits have their own sections of the report
                    Alert.kind.not_in([AlertKind.RISK_ESCALATED, AlertKind.BENEFIT_OFF_TRACK]),
                )
                .order_by(Alert.first_detected_at, Alert.id)
            ),
            key=lambda a: SEVERITY_RANK.get(a.severity.value, 9),  # the most severe first
        )
    ]
    return {
        "program": {
            "id": program.id,
            "key": program.key,
            "name": program.name,
            "currency": program.currency,  # what its amounts are in; none: bare amounts
        },
        "as_of": day.isoformat(),
        "goal": {
            "outcome": program.goal_outcome,
            "measure": program.goal_measure,
            "unit": program.goal_unit,
            "baseline_value": program.goal_baseline_value,
            "target_value": program.goal_target_value,
            "target_date": _iso(program.goal_target_date),
        },
        "health": {
            "status": health.report.program.status,
            # false: no scheduled work yet (status no_plan, unless a risk or benefit fires)
            "planned": health.report.program.planned,
            "reasons": [reason_json(r) for r in health.report.program.reasons[:TOP_REASONS]],
            "projects": {k: h.status for k, h in health.report.projects.items()},
            "project_reasons": {
                k: (h.why if h.reasons or h.status == "no_plan" else "")
                for k, h in health.report.projects.items()
            },
        },
        "schedule": {
            "start": _iso(schedule.start),
            "finish": _iso(schedule.finish),
            "baseline_finish": _iso(variance.program_finish_baseline) if variance else None,
            "finish_variance": variance.program_finish_variance if variance else None,
            "goal_date": _iso(program.goal_target_date),
            "critical_projects": schedule.projects_on_critical_path,
        },
        "milestones": [
            {
                "key": m.ref.key,
                "name": m.ref.name,
                "target": _iso(m.target),
                "baseline": _iso(baseline_of.get(m.ref.key)),
                "forecast": _iso(m.forecast),
                # against the target: none without one, nor for a milestone no work
                # leads to (its date is the program's start, not a forecast)
                "slip": (None if m.target is None or states.get(m.ref.id) == "unfed" else m.slip),
                # as the milestone pages say (reached, late, on_track, no_target, unfed…)
                "state": states.get(m.ref.id) if m.ref.type == "milestone" else None,
            }
            for m in schedule.milestones
        ],
        "blockers": blockers,
        "performance": {
            "baseline": perf.baseline.name if perf.baseline else None,
            "formula": perf.result.formula,
            **{
                name: _num(getattr(ev, name))
                for name in ("bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi", "eac", "etc", "vac")
            },
            "curve": (
                {
                    "dates": [d.isoformat() for d in curves.dates.astype(object).tolist()],
                    "pv": [_num(v) for v in curves.program.pv],
                    "ev": [_num(v) for v in curves.program.ev],
                    "ac": [_num(v) for v in curves.program.ac],
                }
                if curves is not None
                else None
            ),
        },
        "risks": _risks(session, program_id, day),
        "benefits": _benefits(session, program_id, day),
        "decisions": _decisions(session, actor, program_id),
    }


def _risks(session: Session, program_id: int, day: date) -> dict[str, Any]:
    """The risks live on the report's day: how many, how many on the steering agenda, the
    highest first (for a past day, as they were rated then)."""
    live = live_risks(session, program_id, day)
    return {
        "live": len(live),
        "steering": sum(1 for r in live if r["escalation"] == "steering"),
        "top": [
            {
                name: r[name]
                for name in ("key", "title", "score", "probability", "impact", "owner", "level")
            }
            | {"escalation": r["escalation"], "status": r["status"]}
            for r in live[:TOP_RISKS]
        ],
    }


def _benefits(session: Session, program_id: int, as_of: date) -> list[dict[str, Any]]:
    """Every benefit and where it stands on the report's day."""
    views = [describe(session, b, as_of) for b in program_benefits(session, program_id)]
    return [
        {
            "name": v.benefit.name,
            "unit": v.benefit.unit,
            "is_goal": v.benefit.is_goal,
            "state": v.realization.state,
            "latest_value": v.realization.latest.value if v.realization.latest else None,
            "latest_date": _iso(v.realization.latest.on) if v.realization.latest else None,
            "target_value": v.benefit.target_value,
            "target_date": _iso(v.benefit.target_date),
            "realization_pct": _num(v.realization.realization_pct),
            # read only before its baseline date: the old normal, nothing judged yet
            "before_baseline": v.realization.before_baseline is not None,
        }
        for v in views
    ]


def _decisions(session: Session, actor: Actor, program_id: int) -> list[dict[str, Any]]:
    """The change requests waiting for a decision, each with what it would do."""
    from podium.services.governance.agenda import proposed_change_requests

    return [
        {"key": item["key"], "title": item["title"], "detail": item["detail"]}
        for item in proposed_change_requests(session, actor, program_id)
    ]


def _milestone_changes(
    previous: dict[str, Any], current: dict[str, Any], calendar: WorkCalendar
) -> list[str]:
    """Milestones whose forecast or target moved since the last issued report.

    Forecasts are compared date to date (in working days), not through the slip past the
    target: a target moved, set or cleared does not move the forecast."""
    before = {m["key"]: m for m in previous["milestones"]}
    out: list[str] = []
    for m in current["milestones"]:
        old = before.get(m["key"])
        if old is None:
            continue
        # a milestone no work leads to has no forecast: its date is the start or status date
        unfed = "unfed" in (old.get("state"), m.get("state"))
        if old["forecast"] and m["forecast"] and old["forecast"] != m["forecast"] and not unfed:
            was, now = date.fromisoformat(old["forecast"]), date.fromisoformat(m["forecast"])
            word = "later" if now > was else "earlier"
            n = abs(calendar.slip(was, now))
            amount = f"{n} working day{'' if n == 1 else 's'}" if n else "a non-working day"
            out.append(
                f"Milestone {m['key']} is forecast {amount} {word} than reported on "
                f"{previous['as_of']} ({old['forecast']} → {m['forecast']})."
            )
        if old.get("target") != m["target"]:
            out.append(
                f"Milestone {m['key']}'s target moved from {old.get('target') or 'none'} "
                f"to {m['target'] or 'none'}."
            )
    return out


def _changes(
    previous: dict[str, Any] | None, current: dict[str, Any], calendar: WorkCalendar
) -> list[str]:
    """What moved since the last issued report, in sentences."""
    if previous is None:
        return ["First report of this program."]
    out: list[str] = []
    before, after = previous["health"]["status"], current["health"]["status"]
    if before != after:
        out.append(f"Health went from {status_words(before)} to {status_words(after)}.")
    finish_before, finish_after = previous["schedule"]["finish"], current["schedule"]["finish"]
    if finish_before != finish_after:
        out.append(f"The forecast finish moved from {finish_before} to {finish_after}.")
    out += _milestone_changes(previous, current, calendar)
    titles_before = {b["title"] for b in previous["blockers"]}
    titles_after = {b["title"] for b in current["blockers"]}
    out += [f"New blocker: {t}" for t in sorted(titles_after - titles_before)]
    out += [f"Cleared: {t}" for t in sorted(titles_before - titles_after)]
    return out or ["No change in health, finish or milestones since the last report."]


def last_issued(session: Session, program_id: int, *, as_of: date) -> IssuedReport | None:
    """The report a report on ``as_of`` says what changed since: the issued one of the
    latest date up to ``as_of`` (of two on that date, the later issued). A report issued
    for a later date is no "before" to it, whenever it was issued."""
    return session.scalar(
        select(IssuedReport)
        .where(IssuedReport.program_id == program_id, IssuedReport.as_of <= as_of)
        .order_by(IssuedReport.as_of.desc(), IssuedReport.issued_at.desc(), IssuedReport.id.desc())
        .limit(1)
    )


def report_date_refusal(program: Program, as_of: date | None) -> str | None:
    """Why a report cannot be dated ``as_of`` (``None``: it can, or no date was given).

    A report says what is known on its date: one for a later day than today (or than
    the program's status date, when that is later) would set the progress known now
    against the planned value of days still to come, beside today's forecasts."""
    if as_of is None:
        return None
    now = today()
    latest, which = now, "today"
    if program.status_date is not None and program.status_date > now:
        latest, which = program.status_date, "the program's status date"
    if as_of <= latest:
        return None
    return (
        f"{as_of.isoformat()} is in the future: a status report says what is known on its "
        f"date, so choose {latest.isoformat()} ({which}) or an earlier day"
    )


def check_report_date(program: Program, as_of: date | None) -> None:
    """Refuse a report dated after what is known (see :func:`report_date_refusal`)."""
    refusal = report_date_refusal(program, as_of)
    if refusal is not None:
        raise field_error("date", refusal)


def draft_report(
    session: Session, actor: Actor, program_id: int, *, as_of: date | None = None
) -> dict[str, Any]:
    """The report's numbers now, with what changed since the last issued report."""
    data = build_report(session, actor, program_id, as_of=as_of)
    previous = last_issued(session, program_id, as_of=date.fromisoformat(data["as_of"]))
    calendar = program_calendar(session, get_program(session, actor, program_id))
    data["changes"] = _changes(previous.data if previous else None, data, calendar)
    data["previous"] = previous.as_of.isoformat() if previous else None
    return data


def render(data: dict[str, Any], fmt: str) -> bytes:
    """The report as Markdown, HTML or PDF bytes."""
    if fmt == "md":
        return report_render.render_markdown(data).encode()
    if fmt == "html":
        return report_render.render_html(data).encode()
    if fmt == "pdf":
        return report_render.render_pdf(data)
    raise NotFound(f"no report format {fmt!r}: html, md or pdf")


def issue_report(
    session: Session, actor: Actor, program_id: int, *, as_of: date | None = None
) -> IssuedReport:
    """Issue and keep a report (managers): its numbers, Markdown, HTML and PDF, unchanged."""
    program = get_program(session, actor, program_id, needed=Role.MANAGER)
    data = draft_report(session, actor, program_id, as_of=as_of)
    data["issued_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    data["issued_by"] = actor.email
    report = IssuedReport(
        program_id=program_id,
        title=f"{program.name} — status on {data['as_of']}",
        as_of=date.fromisoformat(data["as_of"]),
        status=data["health"]["status"],
        issued_by=actor.email,
        data=data,
        markdown=report_render.render_markdown(data),
        html=report_render.render_html(data),
        pdf=report_render.render_pdf(data),
    )
    session.add(report)
    flush(session)
    events.emit(
        session,
        program_id,
        events.REPORT_ISSUED,
        {
            "report_id": report.id,
            "title": report.title,
            "as_of": report.as_of,
            "status": report.status,
        },
    )
    record_change(
        session,
        actor,
        program_id=program_id,
        entity_type="report",
        entity_id=report.id,
        action="create",
        changes={"title": [None, report.title], "status": [None, report.status]},
        label=report.title,
    )
    return report


def list_reports(session: Session, actor: Actor, program_id: int) -> list[IssuedReport]:
    get_program(session, actor, program_id)
    return list(
        session.scalars(
            select(IssuedReport)
            .where(IssuedReport.program_id == program_id)
            .order_by(IssuedReport.issued_at.desc(), IssuedReport.id.desc())
        )
    )


def get_report(session: Session, actor: Actor, report_id: int) -> IssuedReport:
    report = session.get(IssuedReport, report_id)
    if report is None or role_in(session, actor, report.program_id) is None:
        raise NotFound(f"report {report_id} not found")
    get_program(session, actor, report.program_id)
    return report


def stored_content(report: IssuedReport, fmt: str) -> bytes:
    """An issued report exactly as it was issued."""
    if fmt == "md":
        return report.markdown.encode()
    if fmt == "html":
        return report.html.encode()
    if fmt == "pdf":
        return report.pdf
    raise NotFound(f"no report format {fmt!r}: html, md or pdf")
