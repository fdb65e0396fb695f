"""Microsoft Project XML (MSPDI): read a file into the plan exchange format, write one back.

:func:`read_mspdi` returns an :class:`~podium.interop.imported.ImportedPlan`
(a plan-format document, located problems, the dates and baseline the file
stored); :func:`write_mspdi` writes a plan-format document as MSPDI XML that
Microsoft Project opens.
"""

from podium.interop.mspdi.reading import read_mspdi
from podium.interop.mspdi.writing import write_mspdi

__all__ = ["read_mspdi", "write_mspdi"]
