"""The sample program "Cloud migration", as a plan in the plan exchange format.

Dates are relative to the day it is loaded, so the demo always shows a
program in flight: it started about ten weeks ago, early work is done, some is
under way, and the goal's target date is the end of the quarter about a year on.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

WEEKS_AGO = 10

PROJECTS = [
    ("PLAT", "Platform upgrade", "Landing zone, pilot and scale-out of the target cloud platform."),
    (
        "SEC",
        "Cybersecurity",
        "Identity, controls and the security sign-off every migration waits on.",
    ),
    ("DATA", "Data transfer", "Moving every client environment and its data, in waves."),
    ("TRAIN", "Staff training", "Support and client-facing staff ready for the new platform."),
    (
        "VEND",
        "Vendor integration",
        "Monitoring and ticketing vendors wired into the cloud platform.",
    ),
]

# (key, project, name, duration, parent, estimate (o, m, p) or None)
TASKS: list[tuple[str, str, str, int, str | None, tuple[int, int, int] | None]] = [
    ("PLAT-1", "PLAT", "Assess current platform", 10, None, (8, 10, 14)),
    ("PLAT-2", "PLAT", "Landing zone", 0, None, None),
    ("PLAT-3", "PLAT", "Design landing zone", 15, "PLAT-2", (12, 15, 22)),
    ("PLAT-4", "PLAT", "Build landing zone", 20, "PLAT-2", (15, 20, 30)),
    ("PLAT-5", "PLAT", "Pilot migration (3 clients)", 10, None, (8, 10, 18)),
    ("PLAT-6", "PLAT", "Harden and scale platform", 15, None, (12, 15, 25)),
    ("PLAT-7", "PLAT", "Platform go-live", 0, None, None),
    ("SEC-1", "SEC", "Threat model", 10, None, (8, 10, 15)),
    ("SEC-2", "SEC", "Identity and access management", 15, None, (10, 15, 25)),
    ("SEC-3", "SEC", "Security controls baseline", 15, None, (12, 15, 20)),
    ("SEC-4", "SEC", "Penetration test", 10, None, (8, 10, 20)),
    ("SEC-5", "SEC", "Security sign-off", 0, None, None),
    ("DATA-1", "DATA", "Inventory client environments", 10, None, (8, 10, 12)),
    ("DATA-2", "DATA", "Migration tooling and runbooks", 15, None, (10, 15, 20)),
    ("DATA-3", "DATA", "Migration waves", 0, None, None),
    ("DATA-4", "DATA", "Wave 1: 20 % of clients", 20, "DATA-3", (15, 20, 30)),
    ("DATA-5", "DATA", "Wave 2: 40 % of clients", 25, "DATA-3", (20, 25, 40)),
    ("DATA-6", "DATA", "Wave 3: remaining clients", 25, "DATA-3", (20, 25, 40)),
    ("DATA-7", "DATA", "Decommission legacy hosting", 10, None, (8, 10, 15)),
    ("TRAIN-1", "TRAIN", "Training needs analysis", 5, None, (4, 5, 8)),
    ("TRAIN-2", "TRAIN", "Course material", 15, None, (10, 15, 20)),
    ("TRAIN-3", "TRAIN", "Train the trainers", 5, None, (5, 5, 8)),
    ("TRAIN-4", "TRAIN", "Support staff training", 15, None, (12, 15, 20)),
    ("TRAIN-5", "TRAIN", "Client-facing staff training", 10, None, (8, 10, 15)),
    ("VEND-1", "VEND", "Vendor selection", 15, None, (10, 15, 25)),
    ("VEND-2", "VEND", "Contracts and onboarding", 10, None, (8, 10, 20)),
    ("VEND-3", "VEND", "Monitoring API integration", 20, None, (15, 20, 30)),
    ("VEND-4", "VEND", "Ticketing integration", 15, None, (10, 15, 25)),
    ("VEND-5", "VEND", "Integration testing", 10, None, (8, 10, 15)),
]

# (from, to, type, lag)
DEPENDENCIES: list[tuple[str, str, str, int]] = [
    ("PLAT-1", "PLAT-3", "FS", 0),
    ("PLAT-3", "PLAT-4", "FS", 0),
    ("PLAT-4", "PLAT-5", "FS", 0),
    ("PLAT-5", "PLAT-6", "FS", 0),
    ("PLAT-6", "PLAT-7", "FS", 0),
    ("SEC-1", "SEC-2", "FS", 0),
    ("SEC-1", "SEC-3", "SS", 5),
    ("SEC-2", "SEC-4", "FS", 0),
    ("SEC-3", "SEC-4", "FS", 0),
    ("SEC-4", "SEC-5", "FS", 0),
    ("PLAT-4", "SEC-4", "FS", 0),  # the pen test needs the built landing zone
    ("DATA-1", "DATA-2", "FS", 0),
    ("SEC-5", "DATA-4", "FS", 0),  # data transfer waits on security sign-off
    ("PLAT-5", "DATA-4", "FS", 0),
    ("DATA-2", "DATA-4", "FS", 0),
    ("DATA-4", "DATA-5", "FS", 0),
    ("DATA-5", "DATA-6", "FS", -5),  # wave 3 overlaps the end of wave 2
    ("DATA-6", "DATA-7", "FS", 0),
    ("PLAT-6", "DATA-6", "FS", 0),
    ("TRAIN-1", "TRAIN-2", "FS", 0),
    ("PLAT-5", "TRAIN-3", "FS", 0),  # training cannot start before the pilot
    ("TRAIN-2", "TRAIN-3", "FS", 0),
    ("TRAIN-3", "TRAIN-4", "FS", 0),
    ("TRAIN-4", "TRAIN-5", "SS", 5),
    ("TRAIN-4", "DATA-5", "FF", 0),  # support staff trained by the end of wave 2
    ("VEND-1", "VEND-2", "FS", 0),
    ("VEND-2", "VEND-3", "FS", 0),
    ("VEND-2", "VEND-4", "FS", 0),
    ("PLAT-4", "VEND-3", "FS", 0),
    ("VEND-3", "VEND-5", "FS", 0),
    ("VEND-4", "VEND-5", "FS", 0),
    ("VEND-5", "DATA-5", "FS", 0),  # monitoring must be in place before wave 2
    # program milestones
    ("PLAT-5", "M1", "FS", 0),
    ("TRAIN-3", "M1", "FS", 0),
    ("SEC-5", "M2", "FS", 0),
    ("DATA-6", "M3", "FS", 0),
    ("TRAIN-5", "M3", "FS", 0),
    ("DATA-7", "M4", "FS", 0),
    ("PLAT-7", "M4", "FS", 0),
]

# (id, name, kind, capacity, cost per hour, time off: (weeks after the start, days))
RESOURCES: list[tuple[str, str, str, float, float, tuple[int, int] | None]] = [
    ("nadia", "Nadia Haddad (cloud architect)", "person", 1.0, 120, (21, 5)),
    ("tomas", "Tomás Silva (security engineer)", "person", 1.0, 105, None),
    ("sam", "Sam Okoro (data engineer)", "person", 1.0, 95, None),
    ("priya", "Priya Nair (data engineer)", "person", 1.0, 95, None),
    ("erin", "Erin Walsh (training lead)", "person", 1.0, 80, (22, 5)),
    ("devops", "DevOps team", "team", 3.0, 85, None),
    ("vendor-eng", "Vendor integration engineers", "team", 2.0, 90, None),
    ("test-lab", "Migration test lab", "equipment", 1.0, 40, None),
]
# (task, resource, units). Nadia and the DevOps team are booked twice in the
# weeks after the pilot (PLAT-6 beside VEND-3 and DATA-4): the demo's
# over-allocations, which leveling resolves by using PLAT-6's float.
ASSIGNMENTS: list[tuple[str, str, float]] = [
    ("PLAT-1", "nadia", 1.0),
    ("PLAT-3", "nadia", 1.0),
    ("PLAT-4", "nadia", 0.5),
    ("PLAT-4", "devops", 2.0),
    ("PLAT-5", "devops", 2.0),
    ("PLAT-5", "test-lab", 1.0),
    ("PLAT-6", "nadia", 1.0),
    ("PLAT-6", "devops", 2.0),
    ("SEC-1", "tomas", 0.5),
    ("SEC-2", "tomas", 0.5),
    ("SEC-3", "tomas", 0.5),
    ("SEC-4", "tomas", 1.0),
    ("DATA-1", "sam", 1.0),
    ("DATA-2", "sam", 1.0),
    ("DATA-4", "sam", 1.0),
    ("DATA-4", "priya", 0.5),
    ("DATA-4", "devops", 1.0),
    ("DATA-5", "sam", 1.0),
    ("DATA-6", "priya", 1.0),
    ("DATA-7", "sam", 1.0),
    ("TRAIN-1", "erin", 1.0),
    ("TRAIN-2", "erin", 1.0),
    ("TRAIN-3", "erin", 1.0),
    ("TRAIN-4", "erin", 0.5),
    ("TRAIN-5", "erin", 0.5),
    ("VEND-1", "vendor-eng", 1.0),
    ("VEND-2", "vendor-eng", 1.0),
    ("VEND-3", "vendor-eng", 1.0),
    ("VEND-3", "nadia", 0.5),
    ("VEND-3", "devops", 1.0),
    ("VEND-4", "vendor-eng", 1.0),
    ("VEND-5", "vendor-eng", 2.0),
    ("VEND-5", "test-lab", 1.0),
]
# the people who sign in and work on their own tasks
RESOURCE_USERS = {"sam": "sam@podium.local", "erin": "erin@podium.local"}

# (key, name, target: weeks after the program start, on a Thursday). M1 is set so
# that the demo opens with one slipping milestone and its cross-project alert.
MILESTONES = [
    ("M1", "Pilot complete and trainers ready", 12),
    ("M2", "Security sign-off", 14),
    ("M3", "All client environments migrated", 28),
    ("M4", "Program close", 30),
]

# what a working day of each project's team costs, and how far actual costs run
# above (> 1) or below the budget so far
DAY_RATE = {"PLAT": 1800, "SEC": 1500, "DATA": 1600, "TRAIN": 900, "VEND": 1200}
COST_FACTOR = {"PLAT": 1.15, "SEC": 0.95, "DATA": 1.05, "TRAIN": 1.0, "VEND": 1.1}

# how fast each team works against its plan (1.0: on plan), and how many working
# days late it started its tasks: the demo opens a little behind the baseline
PACE = {"PLAT": 0.85, "SEC": 0.95, "DATA": 0.9, "TRAIN": 1.0, "VEND": 0.9}
START_DELAY = {"PLAT": 2, "SEC": 0, "DATA": 1, "TRAIN": 0, "VEND": 3}


def monday_on_or_before(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _holidays(start: date) -> list[dict[str, str]]:
    fixed = [(1, 1, "New Year's Day"), (5, 1, "Labour Day"), (12, 25, "Christmas Day")]
    fixed.append((12, 26, "Boxing Day"))
    return [
        {"date": date(year, month, dom).isoformat(), "name": name}
        for year in (start.year, start.year + 1, start.year + 2)
        for month, dom, name in fixed
        if date(year, month, dom).weekday() < 5
    ]


def demo_plan(today: date) -> dict[str, Any]:
    """The sample program as a plan-format document, placed around ``today``."""
    start = monday_on_or_before(today) - timedelta(weeks=WEEKS_AGO)
    target = start + timedelta(weeks=MILESTONES[-1][2], days=3)
    tasks = []
    for key, project, name, duration, parent, estimate in TASKS:
        tasks.append(
            {
                "id": key,
                "project": project,
                "name": name,
                "duration": duration,
                "parent": parent,
                "percent_complete": 0,
                "budget": float(duration * DAY_RATE[project]),
                **(
                    {
                        "estimate": dict(
                            zip(("optimistic", "most_likely", "pessimistic"), estimate, strict=True)
                        )
                    }
                    if estimate
                    else {}
                ),
            }
        )
    return {
        "format": "podium-plan",
        "version": 1,
        "program": {
            "key": "CLOUD",
            "name": "Cloud migration",
            "start": start.isoformat(),
            "calendar": "standard",
            "currency": "EUR",
            "goal": {
                "outcome": (
                    "Migrate all client environments to cloud infrastructure by Q4, "
                    "reducing support ticket volume by 30 %"
                ),
                "measure": "support tickets per month",
                "unit": "tickets",
                "baseline_value": 1200,
                "target_value": 840,
                "target_date": target.isoformat(),
            },
        },
        "calendars": [
            {
                "name": "standard",
                "workdays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
                "holidays": _holidays(start),
            }
        ],
        "projects": [
            {"key": key, "name": name, "description": text} for key, name, text in PROJECTS
        ],
        "tasks": tasks,
        "milestones": [
            {
                "id": key,
                "name": name,
                "target": (start + timedelta(weeks=weeks, days=4)).isoformat(),
            }
            for key, name, weeks in MILESTONES
        ],
        "dependencies": [
            {"from": a, "to": b, "type": kind, "lag": lag} for a, b, kind, lag in DEPENDENCIES
        ],
        "resources": [
            {
                "id": key,
                "name": name,
                "kind": kind,
                "capacity": capacity,
                "hours_per_day": 8,
                "cost_rate": rate,
                "calendar": "standard",
                "time_off": _time_off(start, away),
            }
            for key, name, kind, capacity, rate, away in RESOURCES
        ],
        "assignments": [
            {"task": task, "resource": resource, "units": units}
            for task, resource, units in ASSIGNMENTS
        ],
    }


def _time_off(start: date, away: tuple[int, int] | None) -> list[dict[str, str]]:
    if away is None:
        return []
    first = start + timedelta(weeks=away[0])
    last = first + timedelta(days=away[1] - 1)
    return [{"start": first.isoformat(), "finish": last.isoformat(), "note": "annual leave"}]
