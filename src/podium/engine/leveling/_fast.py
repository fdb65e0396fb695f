"""The serial SGS passes of :mod:`._sgs` on compiled kernels (:mod:`._kernels`).

:class:`FastScheduler` builds the arrays the kernels read once per problem and
gives the same schedules as :class:`._sgs.Scheduler` (a property test compares
them), about fifty times faster. The Python scheduler stays the reference, and
the fallback for the rare pass that reaches a point before the tables' first
day. Numba is imported with this module, so importing the leveling package
stays cheap; the kernels compile on their first call on a machine (a few
seconds, kept on disk for later processes).

The kernels release the GIL, so several schedulers of one problem can search
in threads at once (the heuristic's walk does): each has its own arrays, and
what they share — the problem's calendar tables, grown on demand, and the
Python passes that read them — is touched under :data:`TABLES_LOCK` only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import date
from functools import cache

import numpy as np

from podium.engine.calendar import IntArray
from podium.engine.leveling import _kernels as k
from podium.engine.leveling._problem import Problem, compile_problem
from podium.engine.leveling._sgs import Schedule, Scheduler
from podium.engine.leveling.model import Assignment, Resource
from podium.engine.network import Activity, Network

# held while a problem's shared calendar tables grow or the Python passes read them
TABLES_LOCK = threading.RLock()


def _csr(lists: Sequence[Sequence[int]]) -> tuple[IntArray, IntArray]:
    ptr = np.zeros(len(lists) + 1, np.int64)
    ptr[1:] = np.cumsum([len(x) for x in lists])
    flat = np.fromiter((x for xs in lists for x in xs), np.int64, count=int(ptr[-1]))
    return ptr, flat


@cache
def load_kernels() -> None:
    """Run every kernel once on a one-task program, so that loading them (compiling them,
    the first time on a machine) is done once per process and never timed as a pass."""
    net = Network(date(2000, 1, 3), [Activity("a", 1)], [])
    pb = compile_problem(net, [Resource("r")], [Assignment("a", "r")])
    fast = FastScheduler(pb)
    sched = fast.forward_improve([0] * len(pb.kind))
    fast.improve(sched)


class FastScheduler:
    """Forward, backward and forward-backward passes of one :class:`Problem`, compiled."""

    def __init__(self, pb: Problem) -> None:
        self.pb = pb
        with TABLES_LOCK:  # may grow the problem's tables
            self.reference = Scheduler(pb)
        self.n_slots = len(pb.kind)
        self.searched = np.array(self.reference.searched, np.int64)
        i64 = np.int64
        self.kind = np.array(pb.kind, i64)
        self.cal = np.array(pb.cal, i64)
        self.span = np.array(pb.span, i64)
        self.init = np.array(pb.init, i64)
        self.indeg = np.array(pb.indeg, i64)
        self.out_ptr, self.out_e = _csr(pb.out)
        self.in_ptr, self.in_e = _csr(pb.into)
        self.e_src = np.array(pb.e_src, i64)
        self.e_dst = np.array(pb.e_dst, i64)
        self.e_min = np.array(pb.e_min, np.bool_)
        self.e_keep = np.array(pb.e_keep, i64)
        self.e_add = np.array(pb.e_add, i64)
        self.e_wsrc = np.array(pb.e_wsrc, i64)
        self.e_wdst = np.array(pb.e_wdst, i64)
        self.e_ct = np.array(pb.e_ct, i64)
        self.e_cross = np.array(pb.e_cross, np.bool_)
        self.a_ptr, self.a_res = _csr([[r for r, _ in xs] for xs in pb.assigns])
        _, self.a_units = _csr([[u for _, u in xs] for xs in pb.assigns])
        capacity = np.array(pb.capacity, i64)
        self.n_resources = capacity.size
        # the most of its resource a day may already hold for an assignment to fit
        self.a_limit = capacity[self.a_res] - self.a_units
        self.flag = np.zeros(1, i64)
        self._load_tables()
        # improvement rounds per kernel call, set from the time of the second call (the
        # first may load the kernels)
        self.rounds = 1
        self._calls = 0

    def _load_tables(self) -> None:
        """The tables (every calendar) and the fixed work as arrays, as far as they reach."""
        with TABLES_LOCK:  # another scheduler of the problem may grow them
            tables = self.pb.tables
            n_cal = len(tables.calendars)
            for c in range(n_cal):
                tables.row(c)
            span = tables.span
            self.reference._fit(self.reference.base)
            self.rowlen = np.array([tables.row_arrays[c].size for c in range(n_cal)], np.int64)
            self.rows = np.zeros((n_cal, max(int(self.rowlen.max(initial=0)), 1)), np.int32)
            for c in range(n_cal):
                self.rows[c, : self.rowlen[c]] = tables.row_arrays[c]
            self.n_days = span
            self.lo = np.array(tables.lo, np.int64)
            self.d0 = tables.d0
            # day-major, so that one day's loads of every resource are side by side
            self.base = np.ascontiguousarray(
                np.array(self.reference.base, np.int64).reshape(self.n_resources, span).T
            )
            # what improve and forward_improve take after their first arguments
            self._args = (
                self.pb.n,
                self.kind,
                self.cal,
                self.span,
                self.init,
                self.indeg,
                self.out_ptr,
                self.out_e,
                self.in_ptr,
                self.in_e,
                self.e_src,
                self.e_dst,
                self.e_min,
                self.e_keep,
                self.e_add,
                self.e_wsrc,
                self.e_wdst,
                self.e_ct,
                self.e_cross,
                self.a_ptr,
                self.a_res,
                self.a_units,
                self.a_limit,
                self.base,
                self.rows,
                self.rowlen,
                self.lo,
                self.n_days,
                self.d0,
                self.flag,
            )

    def _grow(self) -> None:
        with TABLES_LOCK:
            tables = self.pb.tables
            if tables.span <= self.n_days:  # not grown by another scheduler since loaded
                tables.grow(tables.d_hi + 1)
            self._load_tables()

    # --- passes -----------------------------------------------------------------

    def _forward(self, key: IntArray) -> tuple[IntArray, int] | None:
        """Encoded values and finish of a forward pass (``None``: the Python pass is needed)."""
        while True:
            self.flag[0] = k.OK
            val, finish = k.forward(
                key,
                self.pb.n,
                self.kind,
                self.cal,
                self.span,
                self.init,
                self.indeg,
                self.out_ptr,
                self.out_e,
                self.e_src,
                self.e_dst,
                self.e_min,
                self.e_keep,
                self.e_add,
                self.e_wsrc,
                self.e_wdst,
                self.e_ct,
                self.e_cross,
                self.a_ptr,
                self.a_res,
                self.a_units,
                self.a_limit,
                self.base,
                self.rows,
                self.rowlen,
                self.lo,
                self.n_days,
                self.d0,
                self.flag,
            )
            status = int(self.flag[0])
            if status == k.OK:
                return val, int(finish)
            if status == k.SLOW:
                return None
            self._grow()

    def _backward(self, val: IntArray, finish: int) -> tuple[int, IntArray]:
        """The status (OK, STUCK: no use, SLOW: the Python pass is needed) and latest points
        of a backward pass."""
        while True:
            self.flag[0] = k.OK
            late = k.backward(
                val,
                finish,
                self.kind,
                self.cal,
                self.span,
                self.in_ptr,
                self.in_e,
                self.e_src,
                self.e_dst,
                self.e_min,
                self.e_keep,
                self.e_add,
                self.e_wsrc,
                self.e_wdst,
                self.e_ct,
                self.e_cross,
                self.a_ptr,
                self.a_res,
                self.a_units,
                self.a_limit,
                self.base,
                self.rows,
                self.rowlen,
                self.lo,
                self.n_days,
                self.d0,
                self.flag,
            )
            status = int(self.flag[0])
            if status != k.GROW:
                return status, late
            self._grow()

    def forward(self, key: Sequence[int] | IntArray) -> Schedule:
        """:meth:`Scheduler.forward` (without ``pin``)."""
        keys = np.asarray(key, np.int64)
        got = self._forward(keys)
        if got is None:
            with TABLES_LOCK:
                return self.reference.forward(keys.tolist())
        return Schedule(got[0].tolist(), got[1])

    def backward(self, sched: Schedule) -> list[int] | None:
        """:meth:`Scheduler.backward`."""
        status, late = self._backward(np.array(sched.values, np.int64), sched.finish)
        if status == k.SLOW:
            with TABLES_LOCK:
                return self.reference.backward(sched)
        return None if status == k.STUCK else late.tolist()

    def improve(self, sched: Schedule, *, deadline: float | None = None) -> Schedule:
        """:meth:`Scheduler.improve`: forward-backward rounds while the finish gets earlier."""
        return self._improve(np.array(sched.values, np.int64), sched.finish, deadline)

    def forward_improve(
        self, key: Sequence[int] | IntArray, *, deadline: float | None = None
    ) -> Schedule:
        """``improve(forward(key), deadline=deadline)`` in one call to the kernels (its
        first rounds; more calls while improvement goes on and time is left)."""
        keys = np.asarray(key, np.int64)
        began = time.perf_counter()
        while True:
            self.flag[0] = k.OK
            val, end, ran, done = k.forward_improve(keys, self.rounds, *self._args)
            if ran:
                break
            if int(self.flag[0]) == k.SLOW:
                with TABLES_LOCK:
                    return self.reference.improve(
                        self.reference.forward(keys.tolist()), deadline=deadline
                    )
            self._grow()
        self._calls += 1
        if self._calls == 2:  # about a millisecond per call between checks of the deadline
            seconds = time.perf_counter() - began  # a forward pass and a round
            self.rounds = int(min(max(1e-3 / (seconds + 1e-9), 1), 64))
        if done:
            return Schedule(val.tolist(), int(end))
        status = int(self.flag[0])
        if status == k.SLOW:
            with TABLES_LOCK:
                return self.reference.improve(Schedule(val.tolist(), int(end)), deadline=deadline)
        if status == k.GROW:
            self._grow()
        return self._improve(val, int(end), deadline)

    def _improve(self, val: IntArray, finish: int, deadline: float | None) -> Schedule:
        # a call runs a few rounds, so that the deadline is checked about every millisecond
        while deadline is None or time.perf_counter() < deadline:
            self.flag[0] = k.OK
            val, end, done = k.improve(val, finish, self.rounds, *self._args)
            finish = int(end)
            if done:
                break
            status = int(self.flag[0])
            if status == k.GROW:
                self._grow()
            elif status == k.SLOW:  # out of the compiled tables' reach: the Python rounds
                with TABLES_LOCK:
                    return self.reference.improve(Schedule(val.tolist(), finish), deadline=deadline)
        return Schedule(val.tolist(), finish)

    def start_days(self, sched: Schedule) -> IntArray:
        """The start day of every searched activity in ``sched``."""
        s = self.searched
        c = self.cal[s]
        points = (np.asarray(sched.values, np.int64)[s] >> 1) - self.lo[c]
        if points.size and (points.min() < 0 or np.any(points >= self.rowlen[c])):
            day = self.pb.tables.day
            with TABLES_LOCK:
                return np.array(
                    [day(int(x), int(p)) for x, p in zip(c, points + self.lo[c], strict=True)],
                    np.int64,
                )
        return self.rows[c, points] + self.d0  # type: ignore[no-any-return]
