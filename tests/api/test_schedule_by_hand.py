"""Schedules built through the API and checked by hand (program start Monday 2027-01-04,
Monday–Friday calendar, no holidays)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update

from podium.models import Task
from tests.api.conftest import Browser, Cast, Net, link, post_created
from tests.factories import assert_error


def test_a_project_start_holds_its_constrained_tasks_too(cast: Cast) -> None:
    # project LATE starts Monday 1 February: a task with an earlier start-no-earlier-than
    # or with a finish-no-later-than starts there too, and so does the project
    m = cast.manager
    project = post_created(
        m,
        "/api/v1/projects",
        {"program_id": cast.program.id, "key": "LATE", "name": "Late", "start_date": "2027-02-01"},
    )
    constraints = [
        {},
        {"constraint_type": "snet", "constraint_date": "2027-01-11"},
        {"constraint_type": "fnlt", "constraint_date": "2027-03-01"},
    ]
    made = [
        post_created(
            m, "/api/v1/tasks", {"project_id": project["id"], "name": "T", "duration": 3, **fields}
        )
        for fields in constraints
    ]
    # a person on one of them (the plan is then scheduled on people's calendars) changes nothing
    ana = post_created(cast.admin, "/api/v1/resources", {"key": "ana", "name": "Ana"})
    post_created(m, "/api/v1/assignments", {"task_id": made[1]["id"], "resource_id": ana["id"]})
    for task, fields in zip(made, constraints, strict=True):
        task = m.get(f"/api/v1/tasks/{task['id']}").json()
        assert (task["early_start"], task["early_finish"]) == ("2027-02-01", "2027-02-03"), fields
    project = m.get(f"/api/v1/projects/{project['id']}").json()
    assert project["scheduled_start"] == "2027-02-01"


def test_a_task_created_with_an_actual_finish_is_done_without_saying_100_percent(
    cast: Cast,
) -> None:
    # the API documents actual_finish as implying percent_complete 100, on creation too
    project = post_created(
        cast.manager, "/api/v1/projects", {"program_id": cast.program.id, "key": "A", "name": "A"}
    )
    done = post_created(
        cast.manager,
        "/api/v1/tasks",
        {
            "project_id": project["id"],
            "name": "Done",
            "duration": 3,
            "actual_start": "2027-01-04",
            "actual_finish": "2027-01-06",
        },
    )
    assert done["percent_complete"] == 100
    assert (done["early_start"], done["early_finish"]) == ("2027-01-04", "2027-01-06")
    assert done["total_float"] == 0 and not done["is_critical"]  # finished work never is


def test_a_task_with_progress_cannot_become_a_summary_keeping_it_unused(cast: Cast) -> None:
    # a summary's progress rolls up from its sub-tasks and cannot be edited: a started task
    # that took a sub-task would keep showing an actual start nobody can change
    m = cast.manager
    project = post_created(
        m, "/api/v1/projects", {"program_id": cast.program.id, "key": "A", "name": "A"}
    )
    started = post_created(
        m,
        "/api/v1/tasks",
        {
            "project_id": project["id"],
            "name": "Build",
            "duration": 5,
            "actual_start": "2027-01-05",
            "percent_complete": 20,
        },
    )
    response = m.post(
        "/api/v1/tasks",
        json={"project_id": project["id"], "name": "Part", "parent_id": started["id"]},
    )
    error = assert_error(response, 409, "parent_has_progress")
    assert error["message"].startswith(
        "task A-1 has progress recorded (actual start 2027-01-05, 20 % complete)"
    )
    # moving a task under it is refused the same way
    other = post_created(m, "/api/v1/tasks", {"project_id": project["id"], "name": "Other"})
    moved = m.post(f"/api/v1/tasks/{other['id']}/move", json={"parent_id": started["id"]})
    assert_error(moved, 409, "parent_has_progress")
    # once its progress is cleared it takes sub-tasks, which then carry the progress
    cleared = m.patch(
        f"/api/v1/tasks/{started['id']}", json={"actual_start": None, "percent_complete": 0}
    )
    assert cleared.status_code == 200, cleared.text
    post_created(
        m,
        "/api/v1/tasks",
        {"project_id": project["id"], "name": "Part", "parent_id": started["id"]},
    )


def test_a_project_variance_counts_summaries_alike_in_the_baseline_and_the_live_plan(
    cast: Cast,
) -> None:
    # nothing changed since the baseline: every variance is 0, and a summary's budget is not
    # counted on top of its subtasks' (as in earned value)
    m = cast.manager
    project = post_created(
        m, "/api/v1/projects", {"program_id": cast.program.id, "key": "A", "name": "A"}
    )
    summary = post_created(m, "/api/v1/tasks", {"project_id": project["id"], "name": "Phase"})
    post_created(
        m,
        "/api/v1/tasks",
        {"project_id": project["id"], "name": "Work", "parent_id": summary["id"], "budget": 500},
    )
    # a budget of its own, as a plan imported keeps it (a task with one takes no sub-task)
    cast.db.execute(update(Task).where(Task.id == summary["id"]).values(budget=1000))
    cast.db.commit()
    baseline = post_created(m, f"/api/v1/programs/{cast.program.id}/baselines", {"name": "Plan"})
    variance = m.get(f"/api/v1/baselines/{baseline['id']}/variance").json()
    (row,) = variance["projects"]
    assert (row["baseline_cost"], row["live_cost"], row["finish_variance"]) == (500, 500, 0)
    assert (variance["cost_baseline"], variance["cost_live"]) == (500, 500)


def test_a_started_subtask_pushed_by_a_link_into_its_summary_is_flagged(
    cast: Cast, net: Net
) -> None:
    # PLAT-1 Pilot runs Mon 4 – Fri 15 Jan; a link into summary Rollout binds its subtasks,
    # so Prepare, which started on Wed 6 Jan, could only have started on Mon 18 Jan
    m = cast.manager
    rollout = post_created(
        m, "/api/v1/tasks", {"project_id": net.train["project_id"], "name": "Rollout"}
    )
    prepare = post_created(
        m,
        "/api/v1/tasks",
        {
            "project_id": net.train["project_id"],
            "name": "Prepare",
            "duration": 4,
            "parent_id": rollout["id"],
            "actual_start": "2027-01-06",
            "percent_complete": 25,
        },
    )
    link(m, ("task", net.plat["id"]), ("task", rollout["id"]))
    alerts = m.get(f"/api/v1/programs/{cast.program.id}/alerts").json()["items"]
    pushed = [a for a in alerts if a["kind"] == "started_successor_pushed"]
    assert [a["title"] for a in pushed] == [
        f"{prepare['key']} Prepare started on 2027-01-06 but PLAT-1 now lets it start only on "
        "2027-01-18"
    ]


def test_a_milestone_on_the_morning_after_its_date_is_one_day_late_in_float_alert_and_slip(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    # Build runs Monday 4 – Friday 8 Jan; two milestones sit two working days after its
    # start (SS+2), on Wednesday 6 in the morning: a task milestone due Tuesday 5 and a
    # program milestone with that target. Both are 1 working day late, and every reading
    # says so: the float, the alerts, the milestone's slip
    m, pid = cast.manager, cast.program.id
    project = post_created(m, "/api/v1/projects", {"program_id": pid, "key": "A", "name": "A"})
    build = post_created(
        m, "/api/v1/tasks", {"project_id": project["id"], "name": "Build", "duration": 5}
    )
    sign_off = post_created(
        m,
        "/api/v1/tasks",
        {
            "project_id": project["id"],
            "name": "Sign-off",
            "is_milestone": True,
            "deadline": "2027-01-05",
        },
    )
    ready = post_created(
        m,
        "/api/v1/milestones",
        {"program_id": pid, "key": "M1", "name": "Ready", "target_date": "2027-01-05"},
    )
    link(m, ("task", build["id"]), ("task", sign_off["id"]), "SS", 2)
    link(m, ("task", build["id"]), ("milestone", ready["id"]), "SS", 2)

    task = m.get(f"/api/v1/tasks/{sign_off['id']}").json()
    assert task["early_finish"] == "2027-01-06"
    assert (task["total_float"], task["late_finish"]) == (-1, "2027-01-05")
    assert m.get(f"/api/v1/tasks/{build['id']}").json()["total_float"] == -1
    alerts = m.get(f"/api/v1/programs/{pid}/alerts").json()["items"]
    days_late = {a["kind"]: a["details"]["days_late"] for a in alerts}
    assert days_late == {"deadline_missed": 1, "milestone_target_missed": 1}
    milestone = m.get(f"/api/v1/milestones/{ready['id']}").json()
    assert (milestone["forecast"], milestone["slip"]) == ("2027-01-06", 1)
    (forecast,) = m.get(f"/api/v1/programs/{pid}/schedule").json()["milestones"]
    assert forecast["slip"] == 1
    # Ready may show on Friday 8, the program's last day, at the latest: 2 working days
    assert forecast["total_float"] == milestone["total_float"] == 2
    # the pages and the status report read the same slip
    viewer = browser_as("viewer@example.com")
    assert 'data-testid="slip" data-value="1"' in viewer.get(f"/programs/{pid}")
    page = viewer.get(f"/milestones/{ready['id']}")
    assert '<strong class="text-late">+1</strong> working days' in page
    report = m.get(f"/api/v1/programs/{pid}/report", params={"format": "md"}).text
    assert "| M1 Ready | 2027-01-05 | — | 2027-01-06 | 1 working day late |" in report

    # due on the Wednesday it shows on, the task milestone is on time with no float left
    response = m.patch(f"/api/v1/tasks/{sign_off['id']}", json={"deadline": "2027-01-06"})
    assert response.status_code == 200, response.text
    assert (response.json()["total_float"], response.json()["late_finish"]) == (0, "2027-01-06")
    kinds = [a["kind"] for a in m.get(f"/api/v1/programs/{pid}/alerts").json()["items"]]
    assert kinds == ["milestone_target_missed"]
