"""Reading PSPLIB single-mode .sm files, and leveling them."""

from __future__ import annotations

from pathlib import Path

import pytest

from podium.engine import schedule
from podium.engine.leveling import check_leveling, level
from podium.interop.psplib import PsplibError, parse_psplib, psplib_to_leveling, read_psplib

PSPLIB = Path(__file__).resolve().parents[3] / "shared" / "data" / "psplib"
needs_data = pytest.mark.skipif(not PSPLIB.is_dir(), reason="PSPLIB data not available")

SMALL = """\
************************************************************************
file with basedata            : small.bas
************************************************************************
projects                      :  1
jobs (incl. supersource/sink ):  4
horizon                       :  9
RESOURCES
  - renewable                 :  1   R
  - nonrenewable              :  0   N
  - doubly constrained        :  0   D
************************************************************************
PROJECT INFORMATION:
pronr.  #jobs rel.date duedate tardcost  MPM-Time
    1      2      0        5        1        4
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          2           2   3
   2        1          1           4
   3        1          1           4
   4        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1
------------------------------------------------------------------------
  1      1     0       0
  2      1     4       2
  3      1     3       2
  4      1     0       0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1
    3
************************************************************************
"""


def test_a_small_instance_is_read_job_by_job() -> None:
    inst = parse_psplib(SMALL, name="small")
    assert inst.jobs == 4
    assert inst.durations == (0, 4, 3, 0)
    assert inst.successors == ((2, 3), (4,), (4,), ())
    assert inst.capacities == (3,)
    assert inst.requests == ((0,), (2,), (2,), (0,))
    assert (inst.horizon, inst.cpm_length) == (9, 4)


def test_two_jobs_that_cannot_share_the_resource_run_one_after_the_other() -> None:
    plan = psplib_to_leveling(parse_psplib(SMALL, name="small"))
    result = level(plan.network, plan.resources, plan.assignments, time_limit=0.1)
    assert result.makespan == 7
    assert result.unleveled_makespan == 4
    assert check_leveling(plan.network, plan.resources, plan.assignments, result) == []


@pytest.mark.parametrize(
    ("line", "replacement", "message"),
    [
        (
            "   2        1          1           4",
            "   2        1          2           4",
            "job 2 announces 2 successors but lists 1",
        ),
        (
            "   3        1          1           4",
            "   3        1          1           9",
            "job 9 is not between 1 and 4",
        ),
        ("  2      1     4       2", "  2      1     4       x", "expected whole numbers"),
        ("  3      1     3       2", "  3      1     3", "a request row needs"),
    ],
)
def test_malformed_files_are_refused_with_the_line_that_is_wrong(
    line: str, replacement: str, message: str
) -> None:
    text = SMALL.replace(line, replacement, 1)
    number = text.splitlines().index(replacement) + 1
    with pytest.raises(PsplibError, match=message) as caught:
        parse_psplib(text, name="small", source="small.sm")
    assert caught.value.line == number
    assert str(caught.value).startswith(f"small.sm:{number}: ")


def test_a_request_above_the_capacity_is_refused() -> None:
    text = SMALL.replace("  3      1     3       2", "  3      1     3       5", 1)
    with pytest.raises(PsplibError, match="job 3 requests 5 of R1, whose capacity is 3"):
        parse_psplib(text)


def test_a_file_without_precedences_names_the_missing_section() -> None:
    text = SMALL.split("PRECEDENCE RELATIONS")[0]
    with pytest.raises(PsplibError, match="no 'PRECEDENCE RELATIONS' section"):
        parse_psplib(text)


def test_a_multi_mode_file_is_refused() -> None:
    text = SMALL.replace(
        "   2        1          1           4", "   2        3          1           4"
    )
    with pytest.raises(PsplibError, match="only single-mode files"):
        parse_psplib(text)


def test_a_job_listed_twice_is_refused() -> None:
    text = SMALL.replace(
        "   3        1          1           4", "   2        1          1           4"
    )
    with pytest.raises(PsplibError, match="job 2 is listed twice"):
        parse_psplib(text)


@needs_data
def test_a_j30_file_is_read_and_its_critical_path_matches_its_header() -> None:
    inst = read_psplib(PSPLIB / "j30" / "j301_1.sm")
    assert inst.name == "j301_1"
    assert inst.jobs == 32
    assert inst.capacities == (12, 13, 4, 12)
    assert inst.durations[1] == 8
    assert inst.requests[1] == (4, 0, 0, 0)
    assert inst.successors[0] == (2, 3, 4)
    plan = psplib_to_leveling(inst)
    assert (schedule(plan.network).finish - plan.network.start).days + 1 == inst.cpm_length == 38


@needs_data
def test_every_development_file_of_the_four_sets_is_read() -> None:
    for name in ("j30", "j60", "j90", "j120"):
        files = sorted((PSPLIB / name).glob("*.sm"))
        assert files
        for path in files[:: max(1, len(files) // 12)]:
            inst = read_psplib(path)
            assert inst.jobs == int(name[1:]) + 2
