"""Primavera P6 XER files: read projects, WBS, activities, relationships, calendars and resources.

An XER file is tab-separated text: ``ERMHDR``, then per table ``%T`` name, ``%F``
fields and ``%R`` rows, ending with ``%E`` (Windows-1252). :func:`read_xer` turns
one into a plan-format document (:mod:`podium.interop.plan_format`): each
exported PROJECT is a project of one program, each WBS node with work beneath it
a summary task, each activity a task (milestones have duration 0), durations and
lags from hours to working days of their calendar (rounded, with a note), each
used calendar's work week and days off, resources with an assignment and their
assignments at units of a full day. What the file stops on is listed as
problems located by line or table row; what it cannot carry is listed in notes.
"""

from podium.interop.xer._read import read_xer

__all__ = ["read_xer"]
