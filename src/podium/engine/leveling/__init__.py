"""Resource leveling of a whole program: no resource over capacity on any day.

Two methods on the same input (a :class:`~podium.engine.Network` with
:class:`Resource` and :class:`Assignment` lists): :func:`level`, a fast
heuristic for interactive use (serial schedule generation with priority rules
and forward-backward improvement), and :func:`level_optimal`, which hands the
program to the OR-Tools CP-SAT solver with a time limit and reports whether the
result is proven optimal. :func:`check_leveling` checks any leveled schedule
against the plan, independently of both.
"""

from podium.engine.leveling._effective import effective_network
from podium.engine.leveling.check import Violation, check_leveling
from podium.engine.leveling.cpsat import level_optimal
from podium.engine.leveling.heuristic import RULES, level
from podium.engine.leveling.model import (
    Assignment,
    Busy,
    InvalidResources,
    LevelingInput,
    LevelingResult,
    Resource,
    TaskDates,
)

__all__ = [
    "RULES",
    "Assignment",
    "Busy",
    "InvalidResources",
    "LevelingInput",
    "LevelingResult",
    "Resource",
    "TaskDates",
    "Violation",
    "check_leveling",
    "effective_network",
    "level",
    "level_optimal",
]
