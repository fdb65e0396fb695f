"""Health roll-up: red, amber or green for every task, milestone, project and the program,
computed from rules and always with the reasons.

The method is management by exception against tolerances, as in PRINCE2
(*Managing Successful Projects with PRINCE2*, 2017: time and cost tolerances,
exceptions raised when a forecast exceeds them) and the red/amber/green
reporting built on it: each rule compares a forecast or an index with an amber
and a red threshold, and an element's colour is the worst its rules give. The
schedule performance and cost performance indices are those of earned value
(:mod:`podium.engine.evm`); slips are counted in working days with the same
definition as :meth:`WorkCalendar.slip` (the working days in ``(limit, day]``).

Rules (:data:`RULES`, defaults in brackets): ``past_target`` (a milestone,
project or program forecast past its target → red), ``finish_slip`` (more than
5 working days after the baseline → amber), ``schedule_performance`` (SPI <
0.9 → amber, < 0.8 → red), ``cost_performance`` (CPI < 0.8 → red),
``conflict_alerts`` (an open cross-project conflict alert → amber, critical →
red), ``high_risks`` (an open risk scoring >= 15 → amber, >= 20 → red),
``over_allocation`` (a resource booked above capacity → amber),
``benefit_off_track`` (a benefit KPI more than 10 percentage points of its planned
change behind the linear path to its target → amber, more than 25 → red) and
``negative_float`` (off by default). Finished work is judged on cost only.

A project, or the program, with no scheduled work — no task and no milestone with a
date — has no plan to be on: the rules on dates and indices leave it be, and unless
a risk or benefit rule makes it amber or red its status is ``"no_plan"``
(:data:`NO_PLAN`), never green. It rolls up as nothing: a planned program with one
empty project is judged on the others.

Usage: ``assess_health(HealthInput(...), RuleSet.from_json(stored))``.
"""

from podium.engine.health.assess import assess_health
from podium.engine.health.records import (
    ALERT_SEVERITIES,
    LEVELS,
    NO_PLAN,
    STATUSES,
    AlertFacts,
    AlertSeverity,
    BenefitFacts,
    Health,
    HealthInput,
    HealthReport,
    HealthStatus,
    InvalidHealthInput,
    Level,
    MilestoneFacts,
    OverAllocation,
    ProgramFacts,
    ProjectFacts,
    Reason,
    Ref,
    RiskFacts,
    Status,
    TaskFacts,
    TaskHealth,
)
from podium.engine.health.rules import (
    RULE_IDS,
    RULES,
    InvalidRules,
    Param,
    RollUp,
    RuleDefinition,
    RuleSet,
    RuleSettings,
    describe_rules,
)

__all__ = [
    "ALERT_SEVERITIES",
    "LEVELS",
    "NO_PLAN",
    "RULES",
    "RULE_IDS",
    "STATUSES",
    "AlertFacts",
    "AlertSeverity",
    "BenefitFacts",
    "Health",
    "HealthInput",
    "HealthReport",
    "HealthStatus",
    "InvalidHealthInput",
    "InvalidRules",
    "Level",
    "MilestoneFacts",
    "OverAllocation",
    "Param",
    "ProgramFacts",
    "ProjectFacts",
    "Reason",
    "Ref",
    "RiskFacts",
    "RollUp",
    "RuleDefinition",
    "RuleSet",
    "RuleSettings",
    "Status",
    "TaskFacts",
    "TaskHealth",
    "assess_health",
    "describe_rules",
]
