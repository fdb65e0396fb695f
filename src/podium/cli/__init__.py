"""The ``podium`` command: thin commands over the services.

Every command works non-interactively (scriptable); the database comes from
``PODIUM_DATABASE_URL`` (SQLite file under ./var by default). Each module of
this package registers its commands on :data:`app` when imported; the order of
the imports below is the order of ``podium --help``.
"""

# ruff: noqa: I001
from podium.cli._app import app
from podium.cli import admin, my_work, programs, program_settings, program_members
from podium.cli import program_close, milestones
from podium.cli import projects, tasks, task_links
from podium.cli import plans, resources, leveling, assignments
from podium.cli import calendars, calendar_days, performance, earned_value, health_rules
from podium.cli import forecast
from podium.cli import scenarios, impact, alerts
from podium.cli import risks, risk_actions, risk_rules, benefits, governance, governance_records
from podium.cli import decisions, change_requests
from podium.cli import stakeholders, lessons, backups, feeds, webhooks, search, audit

__all__ = [
    "admin",
    "alerts",
    "app",
    "assignments",
    "audit",
    "backups",
    "benefits",
    "calendar_days",
    "calendars",
    "change_requests",
    "decisions",
    "earned_value",
    "feeds",
    "forecast",
    "governance",
    "governance_records",
    "health_rules",
    "impact",
    "lessons",
    "leveling",
    "milestones",
    "my_work",
    "performance",
    "plans",
    "program_close",
    "program_members",
    "program_settings",
    "programs",
    "projects",
    "resources",
    "risk_actions",
    "risk_rules",
    "risks",
    "scenarios",
    "search",
    "stakeholders",
    "task_links",
    "tasks",
    "webhooks",
]

if __name__ == "__main__":  # pragma: no cover
    app()
