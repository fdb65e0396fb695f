"""Import of a 10k-task Microsoft Project XML file: read, check, write, reschedule, compare.

The file is benchmarks/generate.py's 20 projects x 500 tasks written as MSPDI by
Podium's own writer (one file, one summary task per project). Measured: reading
the XML into the plan format (defused parsing included), and the whole import
through the one import path (plan check, database writes, rescheduling, the
date comparison report) into a fresh SQLite database. Target: <= 3 s in all.

    .venv/bin/python benchmarks/bench_import.py [--projects 20] [--tasks 500] [--runs 3]
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
from podium.interop.mspdi import read_mspdi, write_mspdi
from podium.services.actor import SYSTEM
from podium.services.imports import import_file
from podium.services.uow import complete


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    document = generate(args.projects, args.tasks).plan()
    data = write_mspdi(document)
    size = len(data) / 1024 / 1024
    reads, imports = [], []
    tasks = 0
    for run in range(args.runs):
        began = time.perf_counter()
        imported = read_mspdi(data)
        reads.append(time.perf_counter() - began)
        assert imported.ok, imported.problems[:3]
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{folder}/bench.db")
            upgrade_database(engine)
            session = session_factory(engine)()
            began = time.perf_counter()
            report = import_file(session, SYSTEM, data, key=f"B{run}")
            complete(session)
            imports.append(time.perf_counter() - began)
            tasks = report.counts["tasks"]
            session.close()
            engine.dispose()
    print(f"file: {size:.1f} MB, {tasks} tasks")
    print(f"read MSPDI -> plan:  median {statistics.median(reads):.2f} s")
    print(f"whole import:        median {statistics.median(imports):.2f} s (target <= 3 s)")


if __name__ == "__main__":
    main()
