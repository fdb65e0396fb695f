"""The seeded "Cloud migration" plan of the browser tests, built through the services.

Five projects, 28 tasks (two summaries, two project milestones), cross-project
dependencies, four program milestones of which one ("All client environments
migrated") is forecast past its target, some finished and started work, and a
few later edits, so that every page has something true to show: a slip, an
open cross-project alert, a critical path, an audit trail with old → new.

Other browser tests rely on: projects PLAT (6 tasks) and VEND (1 task) in this
order PLAT, SEC, DATA, TRAIN, VEND; the goal figures of the program. The plan is
read-only for the tests: tests that edit work on their own programs.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from podium.models import Assignment, DependencyType, Program, Resource, User
from podium.services import dependencies, milestones, projects, tasks
from podium.services.actor import Actor
from podium.services.dependencies import EndRef
from podium.services.uow import complete

PROJECTS = [
    ("PLAT", "Platform upgrade", "Kubernetes platform and the pilot."),
    ("SEC", "Cybersecurity", "Controls and the security sign-off."),
    ("DATA", "Data transfer", "Moving every client environment and its data, in waves."),
    ("TRAIN", "Staff training", "Support and client-facing staff ready for the new platform."),
    ("VEND", "Vendor integration", "Monitoring and ticketing wired into the platform."),
]

# key, name, duration (None: summary or milestone), parent key, is_milestone
TASKS: list[tuple[str, str, int | None, str | None, bool]] = [
    ("PLAT-1", "Assess current platform", 15, None, False),
    ("PLAT-2", "Landing zone", None, None, False),
    ("PLAT-3", "Design landing zone", 25, "PLAT-2", False),
    ("PLAT-4", "Build landing zone", 30, "PLAT-2", False),
    ("PLAT-5", "Pilot migration (3 clients)", 20, None, False),
    ("PLAT-6", "Harden and scale platform", 25, None, False),
    ("SEC-1", "Threat model", 15, None, False),
    ("SEC-2", "Identity and access management", 30, None, False),
    ("SEC-3", "Security controls baseline", 25, None, False),
    ("SEC-4", "Penetration test", 15, None, False),
    ("SEC-5", "Security sign-off", None, None, True),
    ("SEC-6", "Incident response runbooks", 15, None, False),
    ("SEC-7", "Audit readiness review", 10, None, False),
    ("DATA-1", "Inventory client environments", 15, None, False),
    ("DATA-2", "Migration tooling and runbooks", 25, None, False),
    ("DATA-3", "Migration waves", None, None, False),
    ("DATA-4", "Wave 1: 20 % of clients", 35, "DATA-3", False),
    ("DATA-5", "Wave 2: 40 % of clients", 45, "DATA-3", False),
    ("DATA-6", "Wave 3: remaining clients", 45, "DATA-3", False),
    ("DATA-7", "Decommission legacy hosting", 20, None, False),
    ("DATA-8", "Data retention sign-off", 5, None, False),
    ("TRAIN-1", "Training needs analysis", 10, None, False),
    ("TRAIN-2", "Course material", 25, None, False),
    ("TRAIN-3", "Train the trainers", 10, None, False),
    ("TRAIN-4", "Support staff training", 25, None, False),
    ("TRAIN-5", "Client-facing staff training", 20, None, False),
    ("TRAIN-6", "Training complete", None, None, True),
    ("VEND-1", "Monitoring and ticketing integration", 45, None, False),
]

DESCRIPTIONS = {
    "PLAT-4": "Accounts, networking, identity federation and the shared services of the "
    "landing zone, built from the approved design as infrastructure code.",
    "PLAT-5": "Three volunteer clients move first; their feedback decides the runbook.",
    "DATA-4": "The first fifth of client environments, smallest first.",
}

# predecessor, successor, type, lag
LINKS: list[tuple[str, str, str, int]] = [
    ("PLAT-1", "PLAT-3", "FS", 0),
    ("PLAT-3", "PLAT-4", "FS", 0),
    ("PLAT-4", "PLAT-5", "FS", 0),
    ("PLAT-5", "PLAT-6", "FS", 0),
    ("SEC-1", "SEC-2", "FS", 0),
    ("SEC-1", "SEC-3", "SS", 5),
    ("SEC-2", "SEC-4", "FS", 0),
    ("SEC-3", "SEC-4", "FS", 0),
    ("PLAT-4", "SEC-4", "FS", 0),  # the pen test needs the built landing zone
    ("SEC-4", "SEC-5", "FS", 0),
    ("SEC-3", "SEC-6", "FS", 0),
    ("SEC-6", "SEC-7", "FS", 0),
    ("DATA-1", "DATA-2", "FS", 0),
    ("SEC-5", "DATA-4", "FS", 0),  # data transfer waits on the security sign-off
    ("PLAT-5", "DATA-4", "FS", 0),
    ("DATA-2", "DATA-4", "FS", 0),
    ("DATA-4", "DATA-5", "FS", 0),
    ("DATA-5", "DATA-6", "FS", -5),
    ("PLAT-6", "DATA-6", "FS", 0),
    ("DATA-6", "DATA-7", "FS", 0),
    ("DATA-7", "DATA-8", "FS", 0),
    ("TRAIN-1", "TRAIN-2", "FS", 0),
    ("PLAT-5", "TRAIN-3", "FS", 0),  # training cannot start before the pilot
    ("TRAIN-2", "TRAIN-3", "FS", 0),
    ("TRAIN-3", "TRAIN-4", "FS", 0),
    ("TRAIN-4", "TRAIN-5", "SS", 5),
    ("TRAIN-4", "TRAIN-6", "FS", 0),
    ("TRAIN-5", "TRAIN-6", "FS", 0),
    ("PLAT-4", "VEND-1", "FS", 0),
    ("VEND-1", "DATA-5", "FS", 0),  # monitoring must be in place before wave 2
]

# key, name, target
MILESTONES = [
    ("M1", "Pilot complete and trainers ready", date(2027, 5, 28)),
    ("M2", "Security sign-off", date(2027, 6, 11)),
    ("M3", "All client environments migrated", date(2027, 11, 12)),
    ("M4", "Program close", date(2027, 12, 17)),
]
MILESTONE_LINKS = [
    ("PLAT-5", "M1"),
    ("TRAIN-3", "M1"),
    ("SEC-5", "M2"),
    ("DATA-6", "M3"),
    ("TRAIN-6", "M3"),
    ("DATA-8", "M4"),
    ("SEC-7", "M4"),
]


def seed_cloud_plan(db: Session, program: Program, *, owner: User, member: User) -> None:
    """Projects, tasks, dependencies, milestones and progress of the CLOUD program."""
    pm, team = Actor.of(owner), Actor.of(member)
    project_ids = {}
    for key, name, description in PROJECTS:
        project = projects.create_project(
            db, pm, program_id=program.id, key=key, name=name, description=description
        )
        project_ids[key] = project.id
    task_ids: dict[str, int] = {}
    for key, name, duration, parent, is_milestone in TASKS:
        task = tasks.create_task(
            db,
            pm,
            project_id=project_ids[key.split("-")[0]],
            key=key,
            name=name,
            parent_id=task_ids[parent] if parent else None,
            duration=duration,
            is_milestone=is_milestone,
            description=DESCRIPTIONS.get(key, ""),
        )
        task_ids[key] = task.id
    for pred, succ, kind, lag in LINKS:
        dependencies.create_dependency(
            db,
            pm,
            predecessor=EndRef("task", task_ids[pred]),
            successor=EndRef("task", task_ids[succ]),
            dependency_type=DependencyType(kind),
            lag=lag,
        )
    milestone_ids = {}
    for key, name, target in MILESTONES:
        milestone = milestones.create_milestone(
            db, pm, program_id=program.id, key=key, name=name, target_date=target
        )
        milestone_ids[key] = milestone.id
    for pred, succ in MILESTONE_LINKS:
        dependencies.create_dependency(
            db,
            pm,
            predecessor=EndRef("task", task_ids[pred]),
            successor=EndRef("milestone", milestone_ids[succ]),
        )
    complete(db)

    # the team member works on every task at a tenth of their time (enough to report
    # progress on each, never enough to over-allocate them)
    ben = Resource(key=f"team-{member.id}", name=member.name or member.email, user_id=member.id)
    db.add(ben)
    db.flush()
    for key, _name, _duration, _parent, is_milestone in TASKS:
        if not is_milestone and not any(parent == key for *_, parent, _m in TASKS):
            db.add(
                Assignment(
                    program_id=program.id, task_id=task_ids[key], resource_id=ben.id, units=0.1
                )
            )
    complete(db)

    # what happened since: the landing zone build was re-estimated, work was reported
    tasks.update_task(db, pm, task_ids["PLAT-4"], {"duration": 40})
    complete(db)
    for key, start, finish in (
        ("PLAT-1", date(2027, 1, 4), date(2027, 1, 22)),
        ("SEC-1", date(2027, 1, 4), date(2027, 1, 22)),
        ("DATA-1", date(2027, 1, 4), date(2027, 1, 25)),
        ("TRAIN-1", date(2027, 1, 4), date(2027, 1, 15)),
    ):
        tasks.update_task(db, team, task_ids[key], {"actual_start": start, "actual_finish": finish})
    for key, start, percent in (
        ("PLAT-3", date(2027, 1, 25), 40.0),
        ("SEC-2", date(2027, 1, 25), 30.0),
        ("DATA-2", date(2027, 1, 26), 20.0),
        ("TRAIN-2", date(2027, 1, 18), 50.0),
    ):
        tasks.update_task(
            db, team, task_ids[key], {"actual_start": start, "percent_complete": percent}
        )
    complete(db)
