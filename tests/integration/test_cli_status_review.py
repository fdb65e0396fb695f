"""`podium health` on a status date, as the API and the report read it (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from podium.models import Program
from tests.integration.test_cli_programs import flat, podium


def test_health_on_another_status_date_reads_as_the_api_does(demo: None, engine: Engine) -> None:
    code, out = podium("health", "CLOUD", "--date", "2026-10-30")
    assert code == 0, out
    text = flat(out)
    assert "as of 2026-10-30" in text
    with engine.connect() as conn:  # the demo dates its status from today
        status = conn.scalar(select(Program.status_date).where(Program.key == "CLOUD"))
    assert status is not None and status.isoformat() != "2026-10-30"
    code, default = podium("health", "CLOUD")
    assert code == 0 and f"as of {status.isoformat()}" in flat(default)  # the status date


def test_health_refuses_a_bad_date_and_a_record_on_another_date(demo: None, engine: Engine) -> None:
    code, out = podium("health", "CLOUD", "--date", "30/10/2026")
    assert code == 1 and "--date must be YYYY-MM-DD" in flat(out), out
    code, out = podium("health", "CLOUD", "--date", "2026-10-30", "--record")
    assert code == 1 and "leave out --date" in flat(out), out
    code, out = podium("health", "CLOUD", "--date", "9999-01-01")
    assert code == 1 and "outside the dates a plan may hold" in flat(out), out
