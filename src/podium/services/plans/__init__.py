"""Import and export of whole programs in the plan exchange format (``podium-plan``).

An import is checked completely before anything is written: the file itself
(:func:`podium.interop.plan_format.read_plan`, every problem with its location)
and then against the database (the program key is free, a calendar of the same
name is the same calendar, units fit the stored resources the plan reuses).
Records are then written in bulk, the WBS is numbered once per project, and the
program is rescheduled before the unit of work commits. Export writes the same
format, so export → import → export round-trips unchanged.
"""

from podium.services.plans.exporting import export_plan
from podium.services.plans.importing import import_plan

__all__ = ["export_plan", "import_plan"]
