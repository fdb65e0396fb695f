"""Live rescheduling through the API on a 10k-task program: one edit, one impact analysis,
and (no targets set, measured) a preview of a new status date, a preview of a new
default calendar and a search.

Targets (issue: scheduling): the response to one task edit, with rescheduling
and alerts, in <= 150 ms median; an impact analysis of one slip <= 100 ms median.
The program (benchmarks/generate.py: 20 projects x 500 tasks, ~1.5 links per
task, ~2 % cross-project) is imported into a fresh database; each request goes
through the whole stack (FastAPI, the unit of work, the engine, SQL) in-process.

    .venv/bin/python benchmarks/bench_api.py [--backend sqlite|postgresql] [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

from podium.app import create_app
from podium.config import Settings
from podium.db import make_engine, session_factory, upgrade_database
from podium.interop.plan_format import read_plan
from podium.models import Calendar, Task
from podium.services import auth
from podium.services.actor import SYSTEM, Actor
from podium.services.plans import import_plan
from podium.services.uow import complete

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _engine(backend: str, workdir: Path):  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        return make_engine(f"sqlite:///{workdir / 'bench.db'}"), None
    schema = f"podium_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    return make_engine(f"{POSTGRES}?options=-csearch_path%3D{schema}"), (admin, schema)


def _median_ms(samples: list[float]) -> str:
    median, low, high = (1000 * f(samples) for f in (statistics.median, min, max))
    return f"{median:7.1f} ms (min {low:.1f}, max {high:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--tasks", type=int, default=500, help="tasks per project")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        engine, pg = _engine(args.backend, Path(tmp))
        try:
            upgrade_database(engine)
            synthetic = generate(args.projects, args.tasks)
            sessions = session_factory(engine)
            with sessions() as session:
                user = auth.add_user(
                    session, SYSTEM, email="bench@example.com", password="benchmark-pw"
                )
                started = time.perf_counter()
                program = import_plan(session, Actor.of(user), read_plan(synthetic.plan()))
                complete(session)
                import_seconds = time.perf_counter() - started
                _token, secret = auth.create_token(session, user, name="bench")
                four_days = Calendar(name="Four-day week", weekmask="1111000", holidays=[])
                session.add(four_days)
                session.commit()
                calendar_id = four_days.id
                program_id = program.id
                task_ids = list(
                    session.scalars(
                        select(Task.id)
                        .where(Task.program_id == program_id)
                        .order_by(Task.id)
                        .limit(args.runs * 2)
                    )
                )
            app = create_app(
                Settings(database_url=str(engine.url), environment="test"), engine=engine
            )
            headers = {"Authorization": f"Bearer {secret}"}
            edit: list[float] = []
            impact: list[float] = []
            preview: list[float] = []
            recalendar: list[float] = []
            found: list[float] = []
            with TestClient(app) as client:
                for i in range(args.runs + 3):
                    task_id = task_ids[i % len(task_ids)]
                    current = client.get(f"/api/v1/tasks/{task_id}", headers=headers).json()
                    if current["is_summary"]:
                        continue
                    started = time.perf_counter()
                    response = client.patch(
                        f"/api/v1/tasks/{task_id}",
                        json={"duration": current["duration"] + 1},
                        headers=headers,
                    )
                    elapsed = time.perf_counter() - started
                    assert response.status_code == 200, response.text
                    if i >= 3:
                        edit.append(elapsed)
                    started = time.perf_counter()
                    response = client.post(
                        f"/api/v1/programs/{program_id}/impact",
                        json={"changes": [{"type": "slip", "task_id": task_id, "days": 10}]},
                        headers=headers,
                    )
                    elapsed = time.perf_counter() - started
                    assert response.status_code == 200, response.text
                    if i >= 3:
                        impact.append(elapsed)
                    started = time.perf_counter()
                    response = client.post(
                        f"/api/v1/programs/{program_id}/settings/impact",
                        json={"status_date": f"2027-02-{1 + i % 27:02d}"},
                        headers=headers,
                    )
                    elapsed = time.perf_counter() - started
                    assert response.status_code == 200, response.text
                    if i >= 3:
                        preview.append(elapsed)
                    started = time.perf_counter()
                    response = client.post(
                        f"/api/v1/programs/{program_id}/settings/impact",
                        json={"calendar_id": calendar_id},
                        headers=headers,
                    )
                    elapsed = time.perf_counter() - started
                    assert response.status_code == 200, response.text
                    if i >= 3:
                        recalendar.append(elapsed)
                    started = time.perf_counter()
                    response = client.get(
                        "/api/v1/search", params={"q": current["key"]}, headers=headers
                    )
                    elapsed = time.perf_counter() - started
                    assert response.status_code == 200, response.text
                    if i >= 3:
                        found.append(elapsed)
        finally:
            engine.dispose()
            if pg is not None:
                admin, schema = pg
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    n = args.projects * args.tasks
    print(f"program: {n} tasks, {len(synthetic.network().links)} links, backend {args.backend}")
    print(f"import (one transaction, rescheduled):   {import_seconds:7.2f} s")
    print(f"edit one task via API (median of {len(edit)}): {_median_ms(edit)}; target <= 150 ms")
    print(f"impact of one slip (median of {len(impact)}): {_median_ms(impact)}; target <= 100 ms")
    print(f"preview of a new status date (median of {len(preview)}): {_median_ms(preview)}")
    print(
        f"preview of a new default calendar (median of {len(recalendar)}): {_median_ms(recalendar)}"
    )
    print(f"search by a task's key (median of {len(found)}): {_median_ms(found)}")


if __name__ == "__main__":
    main()
