"""Benefits: the KPIs a program exists to move, their measurements, realization against
the linear path to target, the alerts of those that go off track, and what the health
rules, the governance agenda and the retrospective read from them."""

from podium.services.benefits.alerts import sync_benefit_alerts
from podium.services.benefits.reading import (
    BenefitView,
    as_of_date,
    benefit_outcomes,
    benefit_url,
    benefits_off_track,
    describe,
    get_benefit,
    goal_benefit,
    health_benefit_facts,
    list_benefits,
    plan_of,
    tolerance_of,
)
from podium.services.benefits.writing import (
    BENEFIT_FIELDS,
    MEASUREMENT_FIELDS,
    add_measurement,
    create_benefit,
    delete_benefit,
    delete_measurement,
    update_benefit,
)

__all__ = [
    "BENEFIT_FIELDS",
    "MEASUREMENT_FIELDS",
    "BenefitView",
    "add_measurement",
    "as_of_date",
    "benefit_outcomes",
    "benefit_url",
    "benefits_off_track",
    "create_benefit",
    "delete_benefit",
    "delete_measurement",
    "describe",
    "get_benefit",
    "goal_benefit",
    "health_benefit_facts",
    "list_benefits",
    "plan_of",
    "sync_benefit_alerts",
    "tolerance_of",
    "update_benefit",
]
