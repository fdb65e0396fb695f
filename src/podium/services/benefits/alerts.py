"""A benefit off track as an alert among the program's alerts: opened, refreshed and
resolved by :func:`sync_benefit_alerts` after every change that can move a benefit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from podium.engine.benefits import Realization
from podium.models import AlertKind, Benefit, Program, Severity
from podium.services.benefits.reading import (
    as_of_date,
    benefit_url,
    off_track,
    rounded,
    tolerance_limits,
)
from podium.services.common import flush, human_day
from podium.services.scheduling.alerts import AlertValues, sync_detected


def sync_benefit_alerts(session: Session, program_id: int, *, triggered_by: str) -> None:
    """One open alert per benefit off track on the program's as-of date; the alerts of
    benefits back on their path (or deleted) are resolved. Called after every change
    that can move a benefit's state: its definition, its readings, the health rule's
    tolerance and the program's status date."""
    program = session.get(Program, program_id)
    if program is None:
        return
    flush(session)
    tolerance, red = tolerance_limits(program)
    found = [
        _alert_values(benefit, r, tolerance, red)
        for benefit, r in off_track(session, program, as_of_date(program))
    ]
    sync_detected(
        session, program_id, (AlertKind.BENEFIT_OFF_TRACK,), found, triggered_by=triggered_by
    )


def _alert_values(
    benefit: Benefit, r: Realization, tolerance: float, red: float | None
) -> AlertValues:
    assert r.latest is not None
    behind = -(r.gap_points or 0.0)
    unit = f" {benefit.unit}" if benefit.unit else ""
    projects = sorted(p.key for p in benefit.projects)
    return AlertValues(
        fingerprint=f"benefit_off_track:{benefit.id}",
        kind=AlertKind.BENEFIT_OFF_TRACK,
        severity=Severity.HIGH if red is not None and behind > red else Severity.MEDIUM,
        subject_type="benefit",
        subject_id=benefit.id,
        title=f"Benefit {benefit.name} off track: {r.realization_pct or 0:.0f} % realized, "
        f"{r.expected_pct or 0:.0f} % expected",
        message=f"{r.latest.value:,.4g}{unit} on {human_day(r.latest.on)}; the path to "
        f"{benefit.target_value:,.4g}{unit} by {human_day(benefit.target_date)} expected "
        f"{r.expected_value:,.4g}{unit} by then: {behind:.0f} points behind (off track "
        f"beyond {tolerance:g})",
        projects=projects,
        cross_project=len(projects) > 1,
        details={
            "url": benefit_url(benefit),
            "latest_value": r.latest.value,
            "latest_date": r.latest.on.isoformat(),
            "expected_value": rounded(r.expected_value, 2),
            "realization_pct": rounded(r.realization_pct),
            "expected_pct": rounded(r.expected_pct),
            "gap_points": rounded(r.gap_points),
        },
    )
