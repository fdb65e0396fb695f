"""Read-only views for the performance page: health, earned value, S-curves, baseline variance.

One call gathers what the page shows from the services that compute it
(:mod:`~podium.services.health`, :mod:`~podium.services.performance`,
:mod:`~podium.services.baselines`); nothing here changes anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine.evm import EarnedValue, EvmResult, SCurves
from podium.engine.health import Health
from podium.errors import NotFound
from podium.models import Baseline, HealthSnapshot, Program, Project, Role
from podium.services import baselines, health
from podium.services.actor import Actor, require_role
from podium.services.baselines import ItemVariance, Variance
from podium.services.health import ProgramHealth
from podium.services.performance import performance_curves

TOP_SLIPS = 20
CURVE_STEP_DAYS = 7


@dataclass(frozen=True, slots=True)
class ProjectLine:
    """One project of the program: its health and its earned value (if it has leaf tasks)."""

    id: int
    key: str
    name: str
    health: Health | None
    evm: EarnedValue | None


@dataclass(frozen=True)
class PerformancePage:
    """Everything the performance page shows, for one viewer."""

    program: Program
    role: Role
    health: ProgramHealth
    projects: list[ProjectLine]
    history: list[HealthSnapshot]
    baselines: list[Baseline]
    selected: Baseline | None  # the baseline the variance is measured against
    variance: Variance | None
    curves: SCurves | None

    @property
    def can_manage(self) -> bool:
        """Managers and owners take baselines, make one current and record health."""
        return self.role.rank >= Role.MANAGER.rank

    @property
    def status_date(self) -> date:
        return self.health.performance.status_date

    @property
    def current_baseline(self) -> Baseline | None:
        return self.health.performance.baseline

    @property
    def evm(self) -> EvmResult:
        return self.health.performance.result

    @property
    def slipped(self) -> list[ItemVariance]:
        """The tasks whose finish slipped most past the selected baseline (at most 20)."""
        if self.variance is None:
            return []
        late = [t for t in self.variance.tasks if (t.finish_variance or 0) > 0]
        return late[:TOP_SLIPS]


def _projects(session: Session, program_id: int, h: ProgramHealth) -> list[ProjectLine]:
    rows = session.execute(
        select(Project.id, Project.key, Project.name)
        .where(Project.program_id == program_id)
        .order_by(Project.position, Project.key)
    ).all()
    evm = h.performance.result.projects
    return [
        ProjectLine(
            id=pid,
            key=key,
            name=name,
            health=h.report.projects.get(key),
            evm=evm[key] if key in evm.index else None,
        )
        for pid, key, name in rows
    ]


def _pick(found: Sequence[Baseline], baseline_id: int | None) -> Baseline | None:
    if baseline_id is not None:
        for b in found:
            if b.id == baseline_id:
                return b
        raise NotFound(f"baseline {baseline_id} is not a baseline of this program")
    return next((b for b in found if b.is_current), found[0] if found else None)


def performance_page(
    session: Session, actor: Actor, program_id: int, *, baseline_id: int | None = None
) -> PerformancePage:
    """The program's health, earned value and S-curves at its status date, and the
    live plan's variance against ``baseline_id`` (default: the current baseline)."""
    role = require_role(session, actor, program_id, Role.VIEWER)
    h = health.program_health(session, actor, program_id)
    found = baselines.list_baselines(session, actor, program_id)
    selected = _pick(found, baseline_id)
    perf = h.performance
    return PerformancePage(
        program=perf.program,
        role=role,
        health=h,
        projects=_projects(session, program_id, h),
        history=health.health_history(session, actor, program_id),
        baselines=found,
        selected=selected,
        variance=baselines.compare(session, actor, selected.id) if selected else None,
        curves=(
            performance_curves(perf, step_days=CURVE_STEP_DAYS)
            if perf.baseline is not None
            else None
        ),
    )


def _series(values: Any) -> list[float | None]:
    return [None if math.isnan(v) else round(v, 2) for v in values.tolist()]


def curve_points(curves: SCurves) -> dict[str, Any]:
    """The S-curves as plain lists (ISO dates; ``None`` where not known yet), for the chart."""
    return {
        "dates": [str(d) for d in curves.dates.tolist()],
        "program": {
            "pv": _series(curves.program.pv),
            "ev": _series(curves.program.ev),
            "ac": _series(curves.program.ac),
        },
        "projects": {
            key: {"pv": _series(c.pv), "ev": _series(c.ev), "ac": _series(c.ac)}
            for key, c in curves.groups.items()
        },
    }
