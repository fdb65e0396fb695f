"""The demo program's forecast: schedule impacts on its live risks, and one stored forecast."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Program, Risk, User
from podium.services.actor import Actor
from podium.services.forecasts import ForecastSettings, run_forecast

# working days a risk of each impact rating (1-5) delays its tasks when it happens
IMPACT_DAYS = {1: 2, 2: 3, 3: 5, 4: 8, 5: 10}
DEMO_SEED = 2027


def load_demo_forecast(session: Session, program: Program, manager_email: str) -> None:
    """Give the live risks a schedule impact and store a first forecast of the program."""
    for risk in session.scalars(
        select(Risk).where(Risk.program_id == program.id, Risk.status.in_(("open", "mitigating")))
    ):
        if risk.schedule_impact_days is None:
            risk.schedule_impact_days = IMPACT_DAYS[risk.impact]
    manager = session.scalar(select(User).where(User.email == manager_email))
    if manager is None:
        return
    run_forecast(
        session, Actor.of(manager), program.id, ForecastSettings(iterations=5000, seed=DEMO_SEED)
    )
