"""Health, earned value and the PDF status report on a 10k-task program.

Targets (issue: baselines, earned value, health, reports): health roll-up and
EVM for a 10k-task program <= 300 ms; a PDF report <= 5 s. Whole service
calls, database reads included, on SQLite; medians of a few runs.

    .venv/bin/python benchmarks/bench_reports.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

from podium.db import make_engine, session_factory, upgrade_database
from podium.interop.plan_format import read_plan
from podium.models import Task
from podium.services import auth, reports
from podium.services.actor import SYSTEM, Actor
from podium.services.baselines import take_baseline
from podium.services.health import program_health
from podium.services.plans import import_plan
from podium.services.uow import complete


def _median(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:8.1f} ms (min {min(samples) * 1000:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade_database(engine)
        plan = generate(20, 500).plan()
        for i, task in enumerate(plan["tasks"]):
            task["budget"] = 1000.0 + (i % 7) * 250
        sessions = session_factory(engine)
        with sessions() as session:
            user = auth.add_user(
                session, SYSTEM, email="bench@example.com", password="benchmark-pw"
            )
            actor = Actor.of(user)
            program = import_plan(session, actor, read_plan(plan))
            complete(session)
            take_baseline(session, actor, program.id, name="Plan")
            # progress reported on a tenth of the tasks
            for task in session.query(Task).filter(Task.program_id == program.id).limit(1000):
                if task.early_start is not None and task.duration:
                    task.actual_start = task.early_start
                    task.percent_complete = 50.0
                    task.actual_cost = task.budget * 0.55
            complete(session)
            pid = program.id
        health_times, pdf_times = [], []
        for _ in range(args.runs):
            with sessions() as session:
                started = time.perf_counter()
                program_health(session, actor, pid)
                health_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                data = reports.draft_report(session, actor, pid)
                reports.render(data, "pdf")
                pdf_times.append(time.perf_counter() - started)
        engine.dispose()
    print("program: 10,000 tasks (20 projects x 500), a baseline, progress on 1,000 tasks")
    print(f"health + earned value (service, reads included): {_median(health_times)}; <= 300 ms")
    print(f"PDF status report (numbers, HTML, WeasyPrint):   {_median(pdf_times)}   target <= 5 s")


if __name__ == "__main__":
    main()
