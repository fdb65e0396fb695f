"""Stored data: SQLAlchemy 2.0 typed models."""

from podium.models.audit import AuditEntry
from podium.models.base import Base, never_reuse_ids, utcnow
from podium.models.baselines import Baseline, BaselineItem
from podium.models.benefits import Benefit, BenefitMeasurement
from podium.models.calendars import WEEKDAYS, Calendar
from podium.models.forecasts import Forecast
from podium.models.governance import (
    AgendaItem,
    ChangeRequest,
    ChangeRequestStatus,
    Decision,
    Lesson,
    ProgramCloseout,
    Review,
    ReviewAttendee,
    ReviewFrequency,
    ReviewOccurrence,
    Stakeholder,
)
from podium.models.health import HealthSnapshot
from podium.models.integrations import (
    CalendarFeed,
    DeliveryStatus,
    WebhookDelivery,
    WebhookFormat,
    WebhookSubscription,
)
from podium.models.programs import Membership, Program, ProgramStatus, Project, Role
from podium.models.progress import ProgressRecord
from podium.models.reports import IssuedReport
from podium.models.resources import Assignment, LevelingPreview, Resource, ResourceKind
from podium.models.risks import Risk, RiskAction, RiskEscalation, RiskHistory, RiskRules
from podium.models.scenarios import Scenario, ScenarioStatus
from podium.models.schedule import SCHEDULED_FIELDS, Alert, AlertKind, Severity
from podium.models.tasks import ConstraintType, Dependency, DependencyType, Milestone, Task
from podium.models.users import ApiToken, User, WebSession

__all__ = [
    "SCHEDULED_FIELDS",
    "WEEKDAYS",
    "AgendaItem",
    "Alert",
    "AlertKind",
    "ApiToken",
    "Assignment",
    "AuditEntry",
    "Base",
    "Baseline",
    "BaselineItem",
    "Benefit",
    "BenefitMeasurement",
    "Calendar",
    "CalendarFeed",
    "ChangeRequest",
    "ChangeRequestStatus",
    "ConstraintType",
    "Decision",
    "DeliveryStatus",
    "Dependency",
    "DependencyType",
    "Forecast",
    "HealthSnapshot",
    "IssuedReport",
    "Lesson",
    "LevelingPreview",
    "Membership",
    "Milestone",
    "Program",
    "ProgramCloseout",
    "ProgramStatus",
    "ProgressRecord",
    "Project",
    "Resource",
    "ResourceKind",
    "Review",
    "ReviewAttendee",
    "ReviewFrequency",
    "ReviewOccurrence",
    "Risk",
    "RiskAction",
    "RiskEscalation",
    "RiskHistory",
    "RiskRules",
    "Role",
    "Scenario",
    "ScenarioStatus",
    "Severity",
    "Stakeholder",
    "Task",
    "User",
    "WebSession",
    "WebhookDelivery",
    "WebhookFormat",
    "WebhookSubscription",
    "utcnow",
]

never_reuse_ids(Base.metadata)
