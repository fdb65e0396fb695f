"""Podium's scheduling engine: pure computation on plain data (no database, no web, no I/O).

The public surface: working calendars (:class:`WorkCalendar`), the network to
schedule (:class:`Network`, :class:`Activity`, :class:`Link`), critical path
scheduling (:func:`schedule` → :class:`ScheduleResult`) and impact analysis
(:func:`analyze_impact`, :func:`compare_networks`).
"""

from podium.engine._topology import cycle_among
from podium.engine.calendar import WorkCalendar
from podium.engine.cpm import schedule
from podium.engine.impact import (
    AddLink,
    Change,
    DelayStart,
    Impact,
    Miss,
    Move,
    RemoveLink,
    SetDuration,
    SetStart,
    SetStatusDate,
    Slip,
    analyze_impact,
    apply_changes,
    compare_networks,
)
from podium.engine.network import Activity, CycleError, InvalidNetwork, Link, Network
from podium.engine.results import ActivitySchedule, Conflict, DeadlineMiss, ScheduleResult

__all__ = [
    "Activity",
    "ActivitySchedule",
    "AddLink",
    "Change",
    "Conflict",
    "CycleError",
    "DeadlineMiss",
    "DelayStart",
    "Impact",
    "InvalidNetwork",
    "Link",
    "Miss",
    "Move",
    "Network",
    "RemoveLink",
    "ScheduleResult",
    "SetDuration",
    "SetStart",
    "SetStatusDate",
    "Slip",
    "WorkCalendar",
    "analyze_impact",
    "apply_changes",
    "compare_networks",
    "cycle_among",
    "schedule",
]
