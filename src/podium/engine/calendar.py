"""Working calendars: which days are worked, on NumPy's business-day functions.

A :class:`WorkCalendar` is a weekmask (seven characters, Monday first, ``1`` for
a working day) plus holidays, wrapped around a ``numpy.busdaycalendar`` so that
every operation the scheduler needs — is this a working day, roll to the next or
previous working day, add N working days, count working days — runs vectorized
over arrays of dates (``np.is_busday``, ``np.busday_offset``, ``np.busday_count``).

Scalar methods take and return :class:`datetime.date`; the ``*_array`` methods
take array-likes of dates (``datetime64[D]``) and return NumPy arrays.

The scheduler works in *working-day index* space: :meth:`WorkCalendar.index`
maps a date to the number of working days between an epoch and that date (so a
non-working day gets the index of the next working day), and
:meth:`WorkCalendar.day` maps an index back to its working day. Counting
follows NumPy (and Microsoft Project): ``count_workdays(a, b)`` counts the
working days in ``[a, b)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

DateArray = npt.NDArray[np.datetime64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
Days = npt.ArrayLike | Sequence[date]  # dates, ISO strings or datetime64 values

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# the first and last dates there are (0001-01-01, 9999-12-31): a schedule, leveling
# or forecast that would reach past them is refused
FIRST_DATE = date.min
LAST_DATE = date.max


def days_to_last_date(start: date) -> int:
    """Days from ``start`` to :data:`LAST_DATE` (the last day count a schedule may reach)."""
    return (LAST_DATE - start).days


def days_from_first_date(start: date) -> int:
    """Days from :data:`FIRST_DATE` to ``start`` (how far back a schedule may reach)."""
    return (start - FIRST_DATE).days


def shifted(day: date, days: int) -> date:
    """``day`` moved by ``days`` calendar days, kept between :data:`FIRST_DATE` and
    :data:`LAST_DATE`."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return LAST_DATE if days > 0 else FIRST_DATE


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def as_days(days: Days) -> DateArray:
    """Dates (``date`` objects, ISO strings or ``datetime64``) as a ``datetime64[D]`` array."""
    if isinstance(days, (list, tuple)) and days and all(type(d) is date for d in days):
        # NumPy converts date objects one by one through a slow generic path; their
        # ordinals are plain integers (about ten times faster on long holiday lists)
        ordinals = np.fromiter((d.toordinal() for d in days), np.int64, count=len(days))
        return (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]")
    return np.asarray(days, dtype="datetime64[D]")


def to_date(day: np.datetime64) -> date:
    """One ``datetime64[D]`` as a :class:`datetime.date`."""
    value = day.astype("datetime64[D]").item()
    if not isinstance(value, date):
        raise ValueError(f"{day!r} is not a representable date")
    return value


class WorkCalendar:
    """Working days: a weekmask (Monday first, ``"1111100"`` = Mon-Fri) and holidays.

    Two calendars with the same weekmask and holidays are equal (and hash alike).
    """

    __slots__ = ("_busdaycal", "_days", "_hash", "_holidays", "weekmask")

    def __init__(
        self, weekmask: str = "1111100", holidays: Iterable[date] | DateArray = ()
    ) -> None:
        if len(weekmask) != 7 or set(weekmask) - {"0", "1"}:
            raise ValueError(
                f"weekmask {weekmask!r} must be seven characters of 0 and 1, Monday first"
            )
        if "1" not in weekmask:
            raise ValueError(f"weekmask {weekmask!r} has no working day")
        self.weekmask = weekmask
        self._holidays: tuple[date, ...] | None = None
        if isinstance(holidays, np.ndarray):  # the fast way from days already in NumPy
            self._days: DateArray = np.unique(holidays.astype("datetime64[D]"))
        else:
            self._holidays = tuple(sorted(set(holidays)))
            self._days = as_days(list(self._holidays))
        self._hash = hash((weekmask, self._days.tobytes()))
        self._busdaycal = np.busdaycalendar(weekmask=weekmask, holidays=self._days)

    @classmethod
    def from_weekdays(cls, workdays: Iterable[str], holidays: Iterable[date] = ()) -> WorkCalendar:
        """A calendar from day names (``["Mon", "Tue", …]``)."""
        names = {name.capitalize()[:3] for name in workdays}
        unknown = names - set(WEEKDAY_NAMES)
        if unknown:
            raise ValueError(f"unknown weekday names: {', '.join(sorted(unknown))}")
        return cls("".join("1" if name in names else "0" for name in WEEKDAY_NAMES), holidays)

    @property
    def holidays(self) -> tuple[date, ...]:
        """The holidays, sorted (every one, worked weekday or not)."""
        if self._holidays is None:
            self._holidays = tuple(self._days.tolist())
        return self._holidays

    @property
    def holiday_days(self) -> DateArray:
        """The holidays as a sorted ``datetime64[D]`` array (every one, worked weekday or not)."""
        return self._days

    def __repr__(self) -> str:
        return f"WorkCalendar({self.weekmask!r}, holidays={len(self.holidays)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkCalendar):
            return NotImplemented
        return self.weekmask == other.weekmask and np.array_equal(self._days, other._days)

    def __hash__(self) -> int:
        return self._hash

    # --- scalar operations -------------------------------------------------------

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is worked."""
        return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=self._busdaycal))

    def roll_forward(self, day: date) -> date:
        """``day`` if it is worked, else the next working day."""
        return to_date(self.roll_forward_array([day])[0])

    def roll_backward(self, day: date) -> date:
        """``day`` if it is worked, else the previous working day."""
        return to_date(self.roll_backward_array([day])[0])

    def next_workday(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self.roll_forward(day + timedelta(days=1))

    def previous_workday(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        return self.roll_backward(day - timedelta(days=1))

    def add_workdays(self, day: date, count: int) -> date:
        """Roll ``day`` forward to a working day, then move ``count`` working days (may be < 0)."""
        return to_date(self.add_workdays_array([day], [count])[0])

    def count_workdays(self, begin: date, end: date) -> int:
        """Working days in ``[begin, end)`` (negative when ``end`` is before ``begin``)."""
        return int(self.count_workdays_array([begin], [end])[0])

    def slip(self, limit: date, day: date) -> int:
        """Working days ``day`` falls after ``limit``: those in ``(limit, day]``; negative
        (those in ``(day, limit]``) when it is ahead. A finish on its limit slips 0."""
        low, high = sorted((np.datetime64(limit, "D"), np.datetime64(day, "D")))
        count = int(self.count_workdays_array([low + 1], [high + 1])[0])  # past 9999 too
        return count if day > limit else -count

    # --- vectorized operations ---------------------------------------------------

    def is_workday_array(self, days: Days) -> BoolArray:
        """Element-wise :meth:`is_workday`."""
        return np.asarray(np.is_busday(as_days(days), busdaycal=self._busdaycal), dtype=np.bool_)

    def roll_forward_array(self, days: Days) -> DateArray:
        """Element-wise :meth:`roll_forward`."""
        rolled = np.busday_offset(as_days(days), 0, roll="forward", busdaycal=self._busdaycal)
        return as_days(rolled)

    def roll_backward_array(self, days: Days) -> DateArray:
        """Element-wise :meth:`roll_backward`."""
        rolled = np.busday_offset(as_days(days), 0, roll="backward", busdaycal=self._busdaycal)
        return as_days(rolled)

    def add_workdays_array(self, days: Days, counts: npt.ArrayLike) -> DateArray:
        """Element-wise :meth:`add_workdays`."""
        shifted = np.busday_offset(
            as_days(days),
            np.asarray(counts, dtype=np.int64),
            roll="forward",
            busdaycal=self._busdaycal,
        )
        return as_days(shifted)

    def slip_array(self, limits: Days, days: Days) -> IntArray:
        """Element-wise :meth:`slip`."""
        one = np.timedelta64(1, "D")
        after, through = as_days(limits) + one, as_days(days) + one
        # counted from the earlier end (NumPy's own negative count is not the mirror image)
        counts = self.count_workdays_array(np.minimum(after, through), np.maximum(after, through))
        return np.where(through >= after, counts, -counts).astype(np.int64)

    def count_workdays_array(self, begins: Days, ends: Days) -> IntArray:
        """Element-wise :meth:`count_workdays`."""
        counts = np.busday_count(as_days(begins), as_days(ends), busdaycal=self._busdaycal)
        return np.asarray(counts, dtype=np.int64)

    # --- working-day index space -------------------------------------------------

    def index(self, days: Days, *, epoch: date) -> IntArray:
        """Working days from ``epoch`` up to (not including) each day.

        A working day gets its own index; a non-working day gets the index of the
        next working day (it "rolls forward").
        """
        start, when = np.datetime64(epoch, "D"), as_days(days)
        # NumPy counts a reversed range as (end, begin]; the index needs [day, epoch)
        after = np.busday_count(start, np.maximum(when, start), busdaycal=self._busdaycal)
        before = np.busday_count(np.minimum(when, start), start, busdaycal=self._busdaycal)
        return np.asarray(after, dtype=np.int64) - np.asarray(before, dtype=np.int64)

    def day(self, indices: npt.ArrayLike, *, epoch: date) -> DateArray:
        """The working day that has each index (the inverse of :meth:`index`)."""
        shifted = np.busday_offset(
            np.datetime64(epoch, "D"),
            np.asarray(indices, dtype=np.int64),
            roll="forward",
            busdaycal=self._busdaycal,
        )
        return as_days(shifted)


# --- time off ---------------------------------------------------------------------

Period = tuple[date, date]  # first and last day, both included


def days_covered(periods: Iterable[Period]) -> int:
    """The distinct days of ``periods`` (a day in two periods counts once; a period that
    ends before it starts covers none), without listing them."""
    total, reached = 0, None
    for start, finish in sorted(p for p in periods if p[1] >= p[0]):
        if reached is not None and finish <= reached:
            continue
        # reached < finish <= LAST_DATE: the day after ``reached`` exists
        first = start if reached is None or start > reached else reached + timedelta(days=1)
        total += (finish - first).days + 1
        reached = finish
    return total


def period_days(periods: Iterable[Period]) -> DateArray:
    """Every day of ``periods``, sorted, each once (``datetime64[D]``)."""
    runs = [
        np.arange(np.datetime64(start, "D"), np.datetime64(finish, "D") + 1)
        for start, finish in periods
        if finish >= start
    ]
    return np.unique(np.concatenate(runs)) if runs else np.empty(0, "datetime64[D]")


def less_time_off(base: WorkCalendar | None, periods: Iterable[Period]) -> WorkCalendar | None:
    """A resource's working days: its calendar ``base`` less ``periods`` of time off; time
    off alone gives every day of the week less the time off; neither: ``None`` (it works
    whenever its tasks do)."""
    days = period_days(periods)
    if not days.size:
        return base
    if base is None:
        return WorkCalendar("1111111", days)
    return WorkCalendar(base.weekmask, np.concatenate([base.holiday_days, days]))
