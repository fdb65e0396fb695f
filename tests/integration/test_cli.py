"""The `podium` command on a real database (SQLite and PostgreSQL): scriptable, non-interactive."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.config import get_settings
from podium.models import (
    Alert,
    ApiToken,
    HealthSnapshot,
    IssuedReport,
    Program,
    Task,
    User,
    utcnow,
)

runner = CliRunner()


def podium(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_user_add_and_token_create_are_scriptable(cli_env: None, engine: Engine) -> None:
    code, out = podium("user", "add", "ana@example.com", "--password", "long enough", "--admin")
    assert code == 0, out
    code, token = podium("token", "create", "ana@example.com", "--name", "ci")
    assert code == 0 and token.strip().startswith("pod_") and len(token.split()) == 1
    code, out = podium("user", "add", "ana@example.com", "--password", "long enough")
    assert code == 1 and "already exists" in out
    code, out = podium("user", "add", "bo@example.com", "--password", "short")
    assert code == 1 and "at least 8" in out
    assert count(engine, User) == 1


def test_user_add_and_token_create_check_what_the_api_checks(cli_env: None, engine: Engine) -> None:
    for email in ("@", "a b@c d", "x@y@z"):
        code, out = podium("user", "add", email, "--password", "long enough")
        assert code == 1 and "not a valid email address" in out, email
    code, out = podium("user", "add", "bo@example.com", "--password", "")
    assert code == 1 and "at least 8" in out
    code, out = podium("user", "add", "bo@example.com", "--password", "x" * 8, "--name", "n" * 201)
    assert code == 1 and "at most 200 characters" in out
    assert count(engine, User) == 0
    assert podium("user", "add", "bo@example.com", "--password", "long enough")[0] == 0
    for days in ("0", "-5", "3651", "99999999"):
        code, out = podium("token", "create", "bo@example.com", "--name", "ci", "--days", days)
        assert code == 1 and "1 to 3650 days" in out, days
    code, out = podium("token", "list", "bo@example.com")
    assert code == 0 and "has no API token" in out
    code, secret = podium("token", "create", "bo@example.com", "--name", "nightly")
    assert code == 0
    code, out = podium("token", "list", "bo@example.com")
    assert code == 0 and "nightly" in out and "works" in out and secret.strip() not in out
    token_id = out.split("│")[1].strip() if "│" in out else "1"
    code, out = podium("token", "revoke", "bo@example.com", token_id)
    assert code == 0 and "Revoked bo@example.com's token 'nightly'" in out
    assert "revoked" in podium("token", "list", "bo@example.com")[1]
    code, out = podium("token", "revoke", "bo@example.com", "999999")
    assert code == 1 and "not found" in out
    assert podium("token", "create", "bo@example.com", "--name", "old")[0] == 0
    with Session(engine) as session:  # its expiry has passed
        session.execute(update(ApiToken).where(ApiToken.name == "old").values(expires_at=utcnow()))
        session.commit()
    assert podium("token", "create", "bo@example.com", "--name", "spare")[0] == 0
    out = podium("token", "list", "bo@example.com")[1]
    assert "expired" in out and "works" in out  # old and spare
    assert podium("user", "set", "bo@example.com", "--inactive")[0] == 0
    out = podium("token", "list", "bo@example.com")[1]
    assert "account inactive" in out and "works" not in out
    code, out = podium("token", "create", "bo@example.com", "--name", "ci")
    assert code == 1 and "bo@example.com is deactivated" in out


def test_demo_loads_the_sample_program_with_a_slipping_milestone(
    cli_env: None, engine: Engine
) -> None:
    code, out = podium("demo")
    assert code == 0, out
    assert "admin@podium.local" in out and "podium-demo" in out and "pod_" in out
    with Session(engine) as session:
        program = session.scalar(select(Program).where(Program.key == "CLOUD"))
        assert program is not None and program.scheduled_finish is not None
        assert session.scalar(select(func.count()).select_from(Task)) == 29
        alerts = list(session.scalars(select(Alert).where(Alert.resolved_at.is_(None))))
    schedule = sorted(
        (a.kind.value, a.subject_type, a.cross_project) for a in alerts if a.subject_type != "risk"
    )
    assert schedule == [
        ("benefit_off_track", "benefit", True),  # support tickets, the goal, behind its path
        ("milestone_target_missed", "milestone", True),
        ("over_allocation", "resource", True),  # the DevOps team after the pilot
        ("over_allocation", "resource", True),  # Nadia, on PLAT-6 and VEND-3 at once
        # the pilot's slip carries M2, M3 and M4 past their baseline, and with them the
        # work it pushes in other projects (SEC-4, DATA-4, DATA-5, TRAIN-3, VEND-3)
        *[("past_baseline", "milestone", True)] * 3,
        *[("past_baseline", "task", True)] * 5,
    ]
    escalated = sorted(a.severity.value for a in alerts if a.subject_type == "risk")
    assert escalated == ["critical", "high", "high"]  # two risks at program level, one at steering
    code, out = podium("demo", "--if-empty")
    assert code == 0 and "Found the sample program" in out
    assert count(engine, Program) == 1


def test_schedule_prints_the_critical_path_and_milestones(demo: None) -> None:
    code, out = podium("schedule", "CLOUD")
    assert code == 0, out
    assert "Critical path" in out and "DATA-7" in out and "M4 Program close" in out
    assert "Milestones" in out and "+" in out  # the slipping milestone shows its slip
    code, out = podium("schedule", "NOPE")
    assert code == 1 and "no program" in out


def test_export_import_export_round_trips_unchanged(demo: None, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert podium("export", "CLOUD", "--output", str(first))[0] == 0
    code, out = podium("import", str(first), "--key", "COPY")
    assert code == 0, out
    assert podium("export", "COPY", "--output", str(second))[0] == 0
    a, b = json.loads(first.read_text()), json.loads(second.read_text())
    b["program"]["key"] = a["program"]["key"]
    assert a == b
    assert len(a["tasks"]) == 29 and a["program"]["goal"]["target_value"] == 840


def test_an_invalid_plan_writes_nothing_and_lists_every_problem(
    cli_env: None, engine: Engine, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "format": "podium-plan",
                "version": 1,
                "program": {"key": "X", "name": "X", "start": "2027-01-04", "colour": "red"},
                "projects": [{"key": "A", "name": "A"}],
                "tasks": [
                    {"id": "A-1", "project": "A", "name": "one", "duration": 2},
                    {"id": "A-2", "project": "B", "name": "two", "duration": -1},
                ],
                "dependencies": [{"from": "A-1", "to": "A-9"}],
            }
        )
    )
    code, out = podium("import", str(bad))
    assert code == 1
    for location in (
        "program.colour",
        "tasks[1].duration",
        "tasks[1].project",
        "dependencies[0].to",
    ):
        assert location in out
    assert count(engine, Program) == 0 and count(engine, Task) == 0


def test_an_import_that_clashes_with_stored_data_writes_nothing(
    demo: None, engine: Engine, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    podium("export", "CLOUD", "--output", str(plan))
    before = count(engine, Task)
    code, out = podium("import", str(plan))
    assert code == 1 and "program.key" in out and "already exists" in out
    assert count(engine, Task) == before


def _one_project_plan(path: Path, durations: dict[str, int], links: list[tuple[str, str]]) -> Path:
    """A plan-format file of one project ``P``: its tasks' durations and FS links."""
    path.write_text(
        json.dumps(
            {
                "format": "podium-plan",
                "version": 1,
                "program": {"key": "C", "name": "C", "start": "2027-01-04"},
                "projects": [{"key": "P", "name": "P"}],
                "tasks": [
                    {"id": t, "project": "P", "name": t, "duration": d}
                    for t, d in durations.items()
                ],
                "dependencies": [{"from": a, "to": b} for a, b in links],
            }
        )
    )
    return path


def test_a_plan_with_a_cycle_is_refused_naming_it(cli_env: None, tmp_path: Path) -> None:
    plan = _one_project_plan(
        tmp_path / "cycle.json",
        {"P-1": 1, "P-2": 1, "P-3": 1},
        [("P-1", "P-2"), ("P-2", "P-3"), ("P-3", "P-1")],
    )
    code, out = podium("schedule", "--file", str(plan))
    assert code == 1 and "cycle" in out
    assert any(
        f"{a} → {b} → {c}" in out
        for a, b, c in (("P-1", "P-2", "P-3"), ("P-2", "P-3", "P-1"), ("P-3", "P-1", "P-2"))
    )


@pytest.mark.parametrize("level", [False, True], ids=["schedule", "level"])
def test_a_plan_file_that_would_end_after_the_last_date_is_refused(
    cli_env: None, tmp_path: Path, level: bool
) -> None:
    # 30 tasks of the longest duration allowed (100,000 working days), one after another
    tasks = [f"P-{i}" for i in range(1, 31)]
    plan = _one_project_plan(
        tmp_path / "long.json", dict.fromkeys(tasks, 100_000), list(pairwise(tasks))
    )
    code, out = podium("schedule", "--file", str(plan), *(["--level"] if level else []))
    assert code == 1
    assert "P-30 would finish after 9999-12-31" in " ".join(out.split())
    assert "Traceback" not in out


@pytest.mark.parametrize("level", [False, True], ids=["schedule", "level"])
def test_a_plan_file_with_a_date_outside_the_window_is_refused_as_an_import_is(
    cli_env: None, tmp_path: Path, level: bool
) -> None:
    plan = _one_project_plan(tmp_path / "year.json", {"P-1": 2, "P-2": 3}, [("P-1", "P-2")])
    document = json.loads(plan.read_text())
    document["tasks"][1]["deadline"] = "9999-12-31"  # a year typed wrong
    plan.write_text(json.dumps(document))
    code, out = podium("schedule", "--file", str(plan), *(["--level"] if level else []))
    assert code == 1, out
    assert "tasks[1].deadline" in out and "9999-12-31 is outside the dates a plan may hold" in (
        " ".join(out.split())
    )


def test_db_current_reports_up_to_date(cli_env: None) -> None:
    code, out = podium("db", "current")
    assert code == 0 and "up to date" in out


def test_baseline_take_list_and_compare(demo: None) -> None:
    code, out = podium(
        "baseline", "take", "CLOUD", "--name", "Re-plan", "--as", "erin@podium.local"
    )
    assert code == 1 and "manager or above" in out, out  # a viewer takes no baseline
    code, out = podium("baseline", "take", "CLOUD", "--name", "Re-plan", "--as", "li@podium.local")
    assert code == 0 and "Re-plan of CLOUD" in out, out
    code, out = podium("baseline", "list", "CLOUD")
    assert code == 0 and "Re-plan" in out and "Plan of record" in out and "yes" in out
    assert "li@podium.local" in out  # who took it
    code, out = podium("baseline", "compare", "CLOUD")
    assert code == 0 and "Milestones" in out and "M4" in out, out
    code, out = podium("baseline", "take", "CLOUD", "--name", "Re-plan")
    assert code == 1 and "already has a baseline" in out
    code, out = podium("baseline", "compare", "CLOUD", "--baseline", "nope")
    assert code == 1 and "no baseline" in out


def test_health_prints_the_colour_and_why_and_records_the_trend(demo: None, engine: Engine) -> None:
    code, out = podium("health", "CLOUD", "--record")
    assert code == 0, out
    assert "CLOUD is RED" in out and "M1" in out and "Projects" in out and "SPI" in out
    assert "Recorded the health as of 20" in out  # the status date, not "today"
    assert count(engine, HealthSnapshot) == 1


def test_report_writes_markdown_and_pdf_and_issues_it(
    demo: None, engine: Engine, tmp_path: Path
) -> None:
    code, out = podium("report", "CLOUD", "--format", "md")
    assert code == 0 and "# Cloud migration (CLOUD)" in out and "## Milestones" in out, out
    pdf = tmp_path / "cloud.pdf"
    code, out = podium("report", "CLOUD", "--format", "pdf", "--output", str(pdf), "--issue")
    assert code == 0, out
    assert pdf.read_bytes().startswith(b"%PDF")
    assert count(engine, IssuedReport) == 1
    code, out = podium("report", "CLOUD", "--format", "pdf")
    assert code == 1 and "--output" in out
    # nor for a day still to come: drafted or issued
    later = (datetime.now(UTC).astimezone().date() + timedelta(days=400)).isoformat()
    for issue in ((), ("--issue",)):
        code, out = podium("report", "CLOUD", "--date", later, *issue)
        assert code == 1 and f"date: {later} is in the future" in " ".join(out.split()), out
    assert count(engine, IssuedReport) == 1


@pytest.mark.parametrize("workers", [1, 3])
def test_serve_gives_several_workers_one_upload_folder(
    cli_env: None, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    import uvicorn

    seen: dict[str, object] = {}

    def run(*args: object, **options: object) -> None:
        folder = os.environ.get("PODIUM_UPLOAD_DIR")
        seen.update(options, folder=folder, exists=folder is not None and Path(folder).is_dir())

    monkeypatch.delenv("PODIUM_UPLOAD_DIR", raising=False)
    get_settings.cache_clear()
    monkeypatch.setattr(uvicorn, "run", run)
    code, out = podium("serve", "--workers", str(workers))
    assert code == 0, out
    assert seen["workers"] == workers
    if workers == 1:  # one process: its own private folder, made on first use
        assert seen["folder"] is None
    else:  # the CSV import's two steps may reach two workers
        assert seen["exists"] is True
        assert not Path(str(seen["folder"])).exists()  # removed when the server stops
    assert "PODIUM_UPLOAD_DIR" not in os.environ
