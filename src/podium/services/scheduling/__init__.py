"""Scheduling in the product: load a program's network, run the engine, store the dates.

Every write that changes a schedule input (a task's duration, a dependency, a
calendar…) marks its program; the unit of work reschedules the marked programs
before it commits, in the same transaction (see :mod:`.pending`).
"""

from podium.services.scheduling.network import ProgramNetwork, load_network
from podium.services.scheduling.pending import mark_program, reschedule_pending
from podium.services.scheduling.reschedule import reschedule_program

__all__ = [
    "ProgramNetwork",
    "load_network",
    "mark_program",
    "reschedule_pending",
    "reschedule_program",
]
