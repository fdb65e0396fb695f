"""Use cases: load from the database, call the engine, store, audit.

Services never commit: the caller's unit of work (a request, a CLI command) does.
"""

from podium.services import closed as _closed  # noqa: F401  (registers the frozen-plan check)
from podium.services import date_window as _date_window  # noqa: F401  (registers the date check)
from podium.services.tasks import estimates as _estimates  # noqa: F401  (stamps estimate bases)
