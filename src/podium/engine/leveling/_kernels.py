"""Compiled serial SGS passes: :mod:`._sgs`'s forward and backward passes, line for line,
over NumPy arrays, compiled to machine code by Numba (``cache=True``: compiled once per
machine and kept on disk beside this module).

The arrays are those of :class:`._fast.FastScheduler`: per slot ``kind``, ``cal``,
``span``, ``init``, ``indeg``; per edge ``e_src`` … ``e_cross``; CSR lists of each
slot's outgoing edges (``out_ptr``/``out_e``), incoming edges (``in_ptr``/``in_e``)
and assignments (``a_ptr``/``a_res``/``a_units``, and ``a_limit``: the most of its
resource a day may already hold for the assignment to fit); the fixed work as
``base[day, resource]``; the tables as ``rows[c, i]``, the day (minus ``d0``) of
point ``lo[c] + i`` of calendar ``c`` (``rowlen[c]`` of them, over ``n_days`` days):
a day's point is found by binary search in its row.

A pass that needs a point or a day the arrays do not hold stops and says so in
``flag[0]``: :data:`GROW` (past the end: the caller grows the tables and runs it
again) or :data:`SLOW` (before the start: the caller runs the Python pass). The
heaps compare ``(key, slot)`` pairs as :mod:`heapq` compares the Python tuples, so
the passes pop the slots in the same order and give the same schedules.
"""

from __future__ import annotations

import numpy as np
from numba import njit

OK, GROW, SLOW, STUCK = 0, 1, 2, 3
BIG = 1 << 40
HALF_BIG = BIG // 2
FIRST = -BIG
SEARCHED, FREE, MILESTONE, FIXED, SUMMARY = range(5)
CT_OWN = -1


@njit(cache=True, nogil=True)
def _push(hk, hs, size, k, s):  # type: ignore[no-untyped-def]
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        pk, ps = hk[parent], hs[parent]
        if pk < k or (pk == k and ps < s):
            break
        hk[i], hs[i] = pk, ps
        i = parent
    hk[i], hs[i] = k, s
    return size + 1


@njit(cache=True, nogil=True)
def _pop(hk, hs, size):  # type: ignore[no-untyped-def]
    top = hs[0]
    size -= 1
    k, s = hk[size], hs[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        right = child + 1
        if right < size and (
            hk[right] < hk[child] or (hk[right] == hk[child] and hs[right] < hs[child])
        ):
            child = right
        ck, cs = hk[child], hs[child]
        if k < ck or (k == ck and s < cs):
            break
        hk[i], hs[i] = ck, cs
        i = child
    if size > 0:
        hk[i], hs[i] = k, s
    return top, size


@njit(cache=True, nogil=True)
def _day(rows, rowlen, lo, d0, c, p, flag):  # type: ignore[no-untyped-def]
    i = p - lo[c]
    if i < 0:
        flag[0] = SLOW
        return 0
    if i >= rowlen[c]:
        flag[0] = GROW
        return 0
    return rows[c, i] + d0


@njit(cache=True, nogil=True)
def _point(rows, rowlen, lo, n_days, d0, c, day, flag):  # type: ignore[no-untyped-def]
    """Tables.point: the working days of calendar ``c`` before ``day``."""
    i = day - d0
    if i < 0:
        flag[0] = SLOW
        return 0
    if i >= n_days:
        flag[0] = GROW
        return 0
    return lo[c] + np.searchsorted(rows[c, : rowlen[c]], i)


@njit(cache=True, nogil=True)
def _candidate(  # type: ignore[no-untyped-def]
    e,
    v,
    cal,
    e_src,
    e_dst,
    e_keep,
    e_add,
    e_wsrc,
    e_wdst,
    e_ct,
    e_cross,
    rows,
    rowlen,
    lo,
    n_days,
    d0,
    flag,
):
    if not e_cross[e]:
        return (v & e_keep[e]) + e_add[e]
    if abs(v) >= HALF_BIG:
        return v
    ct = e_ct[e]
    start_type = v & 1 if ct == CT_OWN else ct
    a, b = cal[e_src[e]], cal[e_dst[e]]
    p = (v >> 1) + e_wsrc[e]
    if start_type == 1:
        day = _day(rows, rowlen, lo, d0, a, p, flag)
    else:
        day = _day(rows, rowlen, lo, d0, a, p - 1, flag) + 1
    point = _point(rows, rowlen, lo, n_days, d0, b, day, flag)
    return 2 * (point + e_wdst[e]) + start_type


@njit(cache=True, nogil=True)
def _bound_back(  # type: ignore[no-untyped-def]
    e,
    q,
    source_value,
    cal,
    e_src,
    e_dst,
    e_wsrc,
    e_wdst,
    e_ct,
    e_cross,
    rows,
    rowlen,
    lo,
    n_days,
    d0,
    flag,
):
    if q >= HALF_BIG:
        return BIG
    target = q - e_wdst[e]
    if e_cross[e]:
        ct = e_ct[e]
        start_type = source_value & 1 if ct == CT_OWN else ct
        a, b = cal[e_src[e]], cal[e_dst[e]]
        limit = _day(rows, rowlen, lo, d0, b, target, flag)
        if start_type == 1:
            target = _point(rows, rowlen, lo, n_days, d0, a, limit + 1, flag) - 1
        else:
            target = _point(rows, rowlen, lo, n_days, d0, a, limit, flag)
    return target - e_wsrc[e]


@njit(cache=True, nogil=True)
def _finish_day(val, n, kind, cal, span, rows, rowlen, lo, d0, flag):  # type: ignore[no-untyped-def]
    """Problem.finish_day: the last working day of any activity."""
    last = -BIG
    for s in range(n):
        if kind[s] == SUMMARY:
            continue
        c = cal[s]
        p = val[s] >> 1
        i = (p + span[s] - 1 if span[s] > 0 else p - 1 + (val[s] & 1)) - lo[c]
        if i < 0:
            flag[0] = SLOW
        elif i >= rowlen[c]:
            flag[0] = GROW
        else:
            last = max(last, rows[c, i] + d0)
    return last


# The hot loops below are written out in the passes rather than called: a call that takes
# arrays costs more than the few reads it saves.


@njit(cache=True, nogil=True)
def forward(  # type: ignore[no-untyped-def]
    key,
    n,
    kind,
    cal,
    span,
    init,
    indeg,
    out_ptr,
    out_e,
    e_src,
    e_dst,
    e_min,
    e_keep,
    e_add,
    e_wsrc,
    e_wdst,
    e_ct,
    e_cross,
    a_ptr,
    a_res,
    a_units,
    a_limit,
    base,
    rows,
    rowlen,
    lo,
    n_days,
    d0,
    flag,
):
    """Scheduler.forward: the encoded values and the finish day (``flag[0]`` OK or not).

    Scheduler.earliest reads each window from its last day back and starts the next
    window just past a day without room; here the days past that one are remembered to
    have room, so each day is read at most once (the first window that fits is the same)."""
    n_slots = kind.size
    val = init.copy()
    count = indeg.copy()
    loads = base.copy()
    hk = np.empty(n_slots, np.int64)
    hs = np.empty(n_slots, np.int64)
    size = 0
    for s in range(n_slots):
        if count[s] == 0:
            size = _push(hk, hs, size, key[s] if kind[s] == SEARCHED else FIRST, s)
    while size > 0:
        s, size = _pop(hk, hs, size)
        if kind[s] == SEARCHED:
            d, c = span[s], cal[s]
            a0, a1 = a_ptr[s], a_ptr[s + 1]
            w = (val[s] >> 1) - lo[c]
            if w < 0:
                flag[0] = SLOW
                return val, 0
            good = w  # the days [w, good) of the window are known to have room
            while True:
                if w + d > rowlen[c]:
                    flag[0] = GROW
                    return val, 0
                k = w + d - 1
                while k >= good:
                    x = rows[c, k]
                    room = True
                    for a in range(a0, a1):
                        if loads[x, a_res[a]] > a_limit[a]:
                            room = False
                            break
                    if not room:
                        break
                    k -= 1
                if k < good:
                    break
                good = w + d
                w = k + 1
            for a in range(a0, a1):
                r, u = a_res[a], a_units[a]
                for k in range(w, w + d):
                    loads[rows[c, k], r] += u
            val[s] = 2 * (w + lo[c]) + 1
        v = val[s]
        for j in range(out_ptr[s], out_ptr[s + 1]):
            e = out_e[j]
            t = e_dst[e]
            if e_cross[e]:
                cand = _candidate(
                    e,
                    v,
                    cal,
                    e_src,
                    e_dst,
                    e_keep,
                    e_add,
                    e_wsrc,
                    e_wdst,
                    e_ct,
                    e_cross,
                    rows,
                    rowlen,
                    lo,
                    n_days,
                    d0,
                    flag,
                )
                if flag[0] != OK:
                    return val, 0
            else:
                cand = (v & e_keep[e]) + e_add[e]
            if e_min[e]:
                if cand < val[t]:
                    val[t] = cand
            elif cand > val[t]:
                val[t] = cand
            count[t] -= 1
            if count[t] == 0:
                size = _push(hk, hs, size, key[t] if kind[t] == SEARCHED else FIRST, t)
    return val, _finish_day(val, n, kind, cal, span, rows, rowlen, lo, d0, flag)


@njit(cache=True, nogil=True)
def _last_day(val, s, cal, span, rows, rowlen, lo, d0, flag):  # type: ignore[no-untyped-def]
    c = cal[s]
    i = (val[s] >> 1) + span[s] - 1 - lo[c]
    if i < 0:
        flag[0] = SLOW
        return 0
    if i >= rowlen[c]:
        flag[0] = GROW
        return 0
    return rows[c, i] + d0


@njit(cache=True, nogil=True)
def backward(  # type: ignore[no-untyped-def]
    val,
    finish,
    kind,
    cal,
    span,
    in_ptr,
    in_e,
    e_src,
    e_dst,
    e_min,
    e_keep,
    e_add,
    e_wsrc,
    e_wdst,
    e_ct,
    e_cross,
    a_ptr,
    a_res,
    a_units,
    a_limit,
    base,
    rows,
    rowlen,
    lo,
    n_days,
    d0,
    flag,
):
    """Scheduler.backward: the latest point of every slot (``flag[0]`` STUCK for ``None``).

    Scheduler.latest mirrored as :func:`forward` mirrors Scheduler.earliest."""
    n_slots = kind.size
    m = e_src.size
    use = np.zeros(m, np.bool_)
    count = np.zeros(n_slots, np.int64)
    for e in range(m):
        used = True
        if e_min[e]:
            cand = _candidate(
                e,
                val[e_src[e]],
                cal,
                e_src,
                e_dst,
                e_keep,
                e_add,
                e_wsrc,
                e_wdst,
                e_ct,
                e_cross,
                rows,
                rowlen,
                lo,
                n_days,
                d0,
                flag,
            )
            used = (cand >> 1) == (val[e_dst[e]] >> 1)
        use[e] = used
        if used:
            count[e_src[e]] += 1
    n_cal = rows.shape[0]
    deadline = np.empty(n_cal, np.int64)
    for c in range(n_cal):
        deadline[c] = _point(rows, rowlen, lo, n_days, d0, c, finish + 1, flag)
    late = np.full(n_slots, BIG, np.int64)
    if flag[0] != OK:
        return late
    loads = base.copy()
    hk = np.empty(n_slots, np.int64)
    hs = np.empty(n_slots, np.int64)
    size = 0
    for s in range(n_slots):
        if count[s] == 0:
            pk = FIRST
            if kind[s] == SEARCHED:
                pk = -_last_day(val, s, cal, span, rows, rowlen, lo, d0, flag)
            size = _push(hk, hs, size, pk, s)
    while size > 0:
        if flag[0] != OK:
            return late
        s, size = _pop(hk, hs, size)
        k = kind[s]
        now = val[s] >> 1
        if k == FIXED:
            late[s] = now
        elif k != SUMMARY:
            bound = min(late[s], deadline[cal[s]] - span[s])
            if k == SEARCHED:
                d, c = span[s], cal[s]
                a0, a1 = a_ptr[s], a_ptr[s + 1]
                w = bound - lo[c]
                stop = now - lo[c]
                if w >= stop and w + d > rowlen[c]:
                    flag[0] = GROW
                    return late
                good = w + d  # the days [good, w + d) of the window are known to have room
                placed = False
                while w >= stop:
                    if w < 0:
                        flag[0] = SLOW
                        return late
                    i = w
                    while i < good:
                        x = rows[c, i]
                        room = True
                        for a in range(a0, a1):
                            if loads[x, a_res[a]] > a_limit[a]:
                                room = False
                                break
                        if not room:
                            break
                        i += 1
                    if i >= good:
                        placed = True
                        break
                    good = w
                    w = i - d
                if not placed:
                    flag[0] = STUCK
                    return late
                for a in range(a0, a1):
                    r, u = a_res[a], a_units[a]
                    for i in range(w, w + d):
                        loads[rows[c, i], r] += u
                bound = w + lo[c]
            elif bound < now:
                flag[0] = STUCK
                return late
            late[s] = bound
        q = late[s]
        for j in range(in_ptr[s], in_ptr[s + 1]):
            e = in_e[j]
            if not use[e]:
                continue
            u = e_src[e]
            if e_cross[e]:
                b = _bound_back(
                    e,
                    q,
                    val[u],
                    cal,
                    e_src,
                    e_dst,
                    e_wsrc,
                    e_wdst,
                    e_ct,
                    e_cross,
                    rows,
                    rowlen,
                    lo,
                    n_days,
                    d0,
                    flag,
                )
            elif q >= HALF_BIG:
                b = BIG
            else:
                b = q - e_wdst[e] - e_wsrc[e]
            if b < late[u]:
                late[u] = b
            count[u] -= 1
            if count[u] == 0:
                pk = FIRST
                if kind[u] == SEARCHED:
                    pk = -_last_day(val, u, cal, span, rows, rowlen, lo, d0, flag)
                size = _push(hk, hs, size, pk, u)
    return late


@njit(cache=True, nogil=True)
def late_keys(late, kind, cal, rows, rowlen, lo, d0, flag):  # type: ignore[no-untyped-def]
    """The forward keys of an improvement round: each searched activity's latest start day."""
    key = np.zeros(kind.size, np.int64)
    for s in range(kind.size):
        if kind[s] == SEARCHED:
            c = cal[s]
            i = late[s] - lo[c]
            if i < 0:
                flag[0] = SLOW
            elif i >= rowlen[c]:
                flag[0] = GROW
            else:
                key[s] = rows[c, i] + d0
    return key


@njit(cache=True, nogil=True)
def improve(  # type: ignore[no-untyped-def]
    val,
    finish,
    rounds,
    n,
    kind,
    cal,
    span,
    init,
    indeg,
    out_ptr,
    out_e,
    in_ptr,
    in_e,
    e_src,
    e_dst,
    e_min,
    e_keep,
    e_add,
    e_wsrc,
    e_wdst,
    e_ct,
    e_cross,
    a_ptr,
    a_res,
    a_units,
    a_limit,
    base,
    rows,
    rowlen,
    lo,
    n_days,
    d0,
    flag,
):
    """Up to ``rounds`` rounds of Scheduler.improve from ``val``/``finish``: the best values
    and finish so far, and whether improvement has ended (``flag[0]`` GROW or SLOW when a
    round needs what the arrays do not hold; the best so far is then the round's start)."""
    for _ in range(rounds):
        late = backward(
            val,
            finish,
            kind,
            cal,
            span,
            in_ptr,
            in_e,
            e_src,
            e_dst,
            e_min,
            e_keep,
            e_add,
            e_wsrc,
            e_wdst,
            e_ct,
            e_cross,
            a_ptr,
            a_res,
            a_units,
            a_limit,
            base,
            rows,
            rowlen,
            lo,
            n_days,
            d0,
            flag,
        )
        if flag[0] == STUCK:
            flag[0] = OK
            return val, finish, True
        if flag[0] != OK:
            return val, finish, False
        key = late_keys(late, kind, cal, rows, rowlen, lo, d0, flag)
        if flag[0] != OK:
            return val, finish, False
        again, again_finish = forward(
            key,
            n,
            kind,
            cal,
            span,
            init,
            indeg,
            out_ptr,
            out_e,
            e_src,
            e_dst,
            e_min,
            e_keep,
            e_add,
            e_wsrc,
            e_wdst,
            e_ct,
            e_cross,
            a_ptr,
            a_res,
            a_units,
            a_limit,
            base,
            rows,
            rowlen,
            lo,
            n_days,
            d0,
            flag,
        )
        if flag[0] != OK:
            return val, finish, False
        if again_finish >= finish:
            if again_finish == finish:
                return again, again_finish, True
            return val, finish, True
        val, finish = again, again_finish
    return val, finish, False


@njit(cache=True, nogil=True)
def forward_improve(  # type: ignore[no-untyped-def]
    key,
    rounds,
    n,
    kind,
    cal,
    span,
    init,
    indeg,
    out_ptr,
    out_e,
    in_ptr,
    in_e,
    e_src,
    e_dst,
    e_min,
    e_keep,
    e_add,
    e_wsrc,
    e_wdst,
    e_ct,
    e_cross,
    a_ptr,
    a_res,
    a_units,
    a_limit,
    base,
    rows,
    rowlen,
    lo,
    n_days,
    d0,
    flag,
):
    """:func:`forward` then :func:`improve` in one call (one call per sampled order)."""
    val, finish = forward(
        key,
        n,
        kind,
        cal,
        span,
        init,
        indeg,
        out_ptr,
        out_e,
        e_src,
        e_dst,
        e_min,
        e_keep,
        e_add,
        e_wsrc,
        e_wdst,
        e_ct,
        e_cross,
        a_ptr,
        a_res,
        a_units,
        a_limit,
        base,
        rows,
        rowlen,
        lo,
        n_days,
        d0,
        flag,
    )
    if flag[0] != OK:
        return val, finish, False, False
    val, finish, done = improve(
        val,
        finish,
        rounds,
        n,
        kind,
        cal,
        span,
        init,
        indeg,
        out_ptr,
        out_e,
        in_ptr,
        in_e,
        e_src,
        e_dst,
        e_min,
        e_keep,
        e_add,
        e_wsrc,
        e_wdst,
        e_ct,
        e_cross,
        a_ptr,
        a_res,
        a_units,
        a_limit,
        base,
        rows,
        rowlen,
        lo,
        n_days,
        d0,
        flag,
    )
    return val, finish, True, done
