"""Working calendars: which days are worked, on NumPy's business-day functions.

A :class:`WorkCalendar` is a weekmask (seven characters, Monday first, ``1`` for
a working day) plus holidays, wrapped around a ``numpy.busdaycalendar`` so that
every operation the scheduler needs — is this a working day, roll to the next or
previous working day, add N working days, count working days — runs vectorized
over arrays of dates (``np.is_busday``, ``np.busday_offset``, ``np.busday_count``).

A calendar may also have *extra working days*: dates worked although the week does
not work their weekday (a Saturday worked for a cutover). NumPy's business days
know no such thing, so they are added on top: a count adds the extra days in its
range (a ``searchsorted`` over them), and the working-day index of a day adds the
extra days before it, which :meth:`WorkCalendar.day` inverts with one more
``searchsorted``. A calendar without extra days takes NumPy's functions alone.

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


def working_days(n: float) -> str:
    """'1 working day', '3 working days': how messages count working days."""
    return "1 working day" if n == 1 else f"{n:.0f} working days"


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


def _sorted_days(days: Iterable[date] | DateArray) -> DateArray:
    if isinstance(days, np.ndarray):  # the fast way from days already in NumPy
        return np.unique(days.astype("datetime64[D]"))
    return as_days(sorted(set(days)))


class WorkCalendar:
    """Working days: a weekmask (Monday first, ``"1111100"`` = Mon-Fri), holidays, and
    extra working days (worked although the week does not work their weekday).

    A holiday wins over an extra working day on the same date, and an extra day on a
    weekday the week works already changes nothing; both are dropped. Two calendars
    with the same weekmask, holidays and extra days are equal (and hash alike).
    """

    __slots__ = ("_busdaycal", "_days", "_extra", "_hash", "_holidays", "weekmask")

    def __init__(
        self,
        weekmask: str = "1111100",
        holidays: Iterable[date] | DateArray = (),
        extra_workdays: Iterable[date] | DateArray = (),
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
        self._busdaycal = np.busdaycalendar(weekmask=weekmask, holidays=self._days)
        extra = _sorted_days(extra_workdays)
        if extra.size:  # only days the week leaves unworked, and not holidays
            weekly = np.is_busday(extra, weekmask=weekmask)
            extra = extra[~weekly & ~np.isin(extra, self._days)]
        self._extra: DateArray = extra
        self._hash = hash((weekmask, self._days.tobytes(), extra.tobytes()))

    @classmethod
    def from_weekdays(
        cls,
        workdays: Iterable[str],
        holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
    ) -> WorkCalendar:
        """A calendar from day names (``["Mon", "Tue", …]``)."""
        names = {name.capitalize()[:3] for name in workdays}
        unknown = names - set(WEEKDAY_NAMES)
        if unknown:
            raise ValueError(f"unknown weekday names: {', '.join(sorted(unknown))}")
        mask = "".join("1" if name in names else "0" for name in WEEKDAY_NAMES)
        return cls(mask, holidays, extra_workdays)

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

    @property
    def extra_workdays(self) -> tuple[date, ...]:
        """The extra working days that change something (on a weekday the week does not
        work, and not a holiday), sorted."""
        return tuple(self._extra.tolist())

    @property
    def extra_days(self) -> DateArray:
        """:attr:`extra_workdays` as a sorted ``datetime64[D]`` array."""
        return self._extra

    def __repr__(self) -> str:
        extra = f", extra_workdays={self._extra.size}" if self._extra.size else ""
        return f"WorkCalendar({self.weekmask!r}, holidays={len(self.holidays)}{extra})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkCalendar):
            return NotImplemented
        return (
            self.weekmask == other.weekmask
            and np.array_equal(self._days, other._days)
            and np.array_equal(self._extra, other._extra)
        )

    def intersection(self, *others: WorkCalendar) -> WorkCalendar | None:
        """The days worked by this calendar and every one of ``others`` (a task done by
        resources who each work to their own calendar); ``None`` when no weekday is
        worked by all (extra days alone would leave the schedule nowhere to go)."""
        mask = self.weekmask
        for cal in others:
            mask = "".join(
                "1" if x == y == "1" else "0" for x, y in zip(mask, cal.weekmask, strict=True)
            )
        if "1" not in mask:
            return None
        every = (self, *others)
        holidays = np.concatenate([cal._days for cal in every])
        extra = np.unique(np.concatenate([cal._extra for cal in every]))
        for cal in every:
            extra = extra[cal.is_workday_array(extra)]
        return WorkCalendar(mask, holidays, extra)

    def __hash__(self) -> int:
        return self._hash

    # --- scalar operations -------------------------------------------------------

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is worked."""
        when = np.datetime64(day, "D")
        if self._extra.size and np.isin(when, self._extra):
            return True
        return bool(np.is_busday(when, busdaycal=self._busdaycal))

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
        when = as_days(days)
        worked = np.asarray(np.is_busday(when, busdaycal=self._busdaycal), dtype=np.bool_)
        if self._extra.size:
            worked |= np.isin(when, self._extra)
        return worked

    def roll_forward_array(self, days: Days) -> DateArray:
        """Element-wise :meth:`roll_forward`."""
        when = as_days(days)
        rolled = as_days(np.busday_offset(when, 0, roll="forward", busdaycal=self._busdaycal))
        if self._extra.size:  # an extra day between the day and the next weekly one
            at = np.searchsorted(self._extra, when, side="left")
            extra = self._extra[np.minimum(at, self._extra.size - 1)]
            rolled = np.where((at < self._extra.size) & (extra < rolled), extra, rolled)
        return rolled

    def roll_backward_array(self, days: Days) -> DateArray:
        """Element-wise :meth:`roll_backward`."""
        when = as_days(days)
        rolled = as_days(np.busday_offset(when, 0, roll="backward", busdaycal=self._busdaycal))
        if self._extra.size:  # an extra day between the previous weekly one and the day
            at = np.searchsorted(self._extra, when, side="right") - 1
            extra = self._extra[np.maximum(at, 0)]
            rolled = np.where((at >= 0) & (extra > rolled), extra, rolled)
        return rolled

    def add_workdays_array(self, days: Days, counts: npt.ArrayLike) -> DateArray:
        """Element-wise :meth:`add_workdays`."""
        if self._extra.size:  # through the index space, which knows the extra days
            epoch = to_date(self._extra[0])
            return self.day(
                self.index(days, epoch=epoch) + np.asarray(counts, np.int64), epoch=epoch
            )
        shifted = np.busday_offset(
            as_days(days),
            np.asarray(counts, dtype=np.int64),
            roll="forward",
            busdaycal=self._busdaycal,
        )
        return as_days(shifted)

    def _extra_between(self, begins: DateArray, ends: DateArray) -> IntArray:
        """Extra working days in ``[begin, end)``, counted as NumPy counts business days:
        a reversed range counts those in ``(end, begin]``, negated."""
        extra = self._extra
        forward = np.searchsorted(extra, ends, "left") - np.searchsorted(extra, begins, "left")
        reverse = np.searchsorted(extra, ends, "right") - np.searchsorted(extra, begins, "right")
        return np.where(ends >= begins, forward, reverse).astype(np.int64)

    def slip_array(self, limits: Days, days: Days) -> IntArray:
        """Element-wise :meth:`slip`."""
        one = np.timedelta64(1, "D")
        after, through = as_days(limits) + one, as_days(days) + one
        # counted from the earlier end (NumPy's own negative count is not the mirror image)
        counts = self.count_workdays_array(np.minimum(after, through), np.maximum(after, through))
        return np.where(through >= after, counts, -counts).astype(np.int64)

    def count_workdays_array(self, begins: Days, ends: Days) -> IntArray:
        """Element-wise :meth:`count_workdays`."""
        first, last = as_days(begins), as_days(ends)
        counts = np.asarray(np.busday_count(first, last, busdaycal=self._busdaycal), np.int64)
        if self._extra.size:
            counts = counts + self._extra_between(*np.broadcast_arrays(first, last))
        return counts

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
        found = np.asarray(after, dtype=np.int64) - np.asarray(before, dtype=np.int64)
        if self._extra.size:  # and the extra days in [epoch, day) (or [day, epoch), less)
            found = found + (
                np.searchsorted(self._extra, when, "left")
                - np.searchsorted(self._extra, start, "left")
            )
        return found

    def day(self, indices: npt.ArrayLike, *, epoch: date) -> DateArray:
        """The working day that has each index (the inverse of :meth:`index`)."""
        wanted = np.asarray(indices, dtype=np.int64)
        start = np.datetime64(epoch, "D")
        if not self._extra.size:
            return as_days(
                np.busday_offset(start, wanted, roll="forward", busdaycal=self._busdaycal)
            )
        # the extra days' own indices; m of them lie before index i, so a weekly working
        # day with index i has the weekly index i - m (counted past the extra days
        # before the epoch, k0 of them)
        k0 = int(np.searchsorted(self._extra, start, "left"))
        weekly = np.asarray(
            np.busday_count(start, np.maximum(self._extra, start), busdaycal=self._busdaycal),
            np.int64,
        ) - np.asarray(
            np.busday_count(np.minimum(self._extra, start), start, busdaycal=self._busdaycal),
            np.int64,
        )
        own = weekly + np.arange(self._extra.size, dtype=np.int64) - k0
        m = np.searchsorted(own, wanted, "left")
        hit = own[np.minimum(m, own.size - 1)] == wanted
        plain = as_days(
            np.busday_offset(start, wanted - m + k0, roll="forward", busdaycal=self._busdaycal)
        )
        return np.where((m < own.size) & hit, self._extra[np.minimum(m, own.size - 1)], plain)


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


class DaysOff(WorkCalendar):
    """The time off of a resource without a calendar of its own, which works whenever its
    tasks do: every day of the week but the days off.

    On a task (its effective calendar is its own and its resources' together) it takes
    the days off away and nothing else. It gives the resource no working day of its own:
    its capacity is counted on the days its tasks work (see
    :func:`podium.engine.load.resource_load`), never on every weekend.
    """

    __slots__ = ()

    def __init__(self, days: Iterable[date] | DateArray) -> None:
        super().__init__("1111111", days)


def less_time_off(base: WorkCalendar | None, periods: Iterable[Period]) -> WorkCalendar | None:
    """A resource's working days: its calendar ``base`` less ``periods`` of time off. Time
    off only removes days: without a calendar it is :class:`DaysOff` (the resource still
    works whenever its tasks do, but not on those days); neither: ``None``."""
    days = period_days(periods)
    if not days.size:
        return base
    if base is None:
        return DaysOff(days)
    return WorkCalendar(base.weekmask, np.concatenate([base.holiday_days, days]), base.extra_days)
