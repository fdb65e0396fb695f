"""Topological levels of the slot graph (Kahn 1962), and the cycle when there is none.

The level of a slot is the length of the longest edge path that reaches it, so
every edge goes from a lower level to a higher one and the passes can process a
whole level at once with NumPy. Kahn's pass runs over CSR arrays in plain
Python lists (linear in slots + edges, whatever the depth of the network).
"""

from __future__ import annotations

import numpy as np

from podium.engine.calendar import IntArray


def csr(keys: IntArray, size: int) -> tuple[IntArray, IntArray]:
    """(order, offsets): ``order`` sorts edges by ``keys``; edges of key k are
    ``order[offsets[k]:offsets[k + 1]]``."""
    order = np.argsort(keys, kind="stable")
    offsets = np.zeros(size + 1, np.int64)
    np.cumsum(np.bincount(keys, minlength=size), out=offsets[1:])
    return order, offsets


def levels(src: IntArray, dst: IntArray, size: int) -> tuple[IntArray, list[int]]:
    """Level of each slot; raises nothing but returns the slots left in a cycle.

    Returns ``(level, stuck)``: ``stuck`` is empty when the graph is acyclic,
    else it lists slots on or behind a cycle.
    """
    order, offsets = csr(src, size)
    targets = dst[order].tolist()
    bounds = offsets.tolist()
    indegree = np.bincount(dst, minlength=size).tolist()
    level = [0] * size
    queue = [v for v in range(size) if indegree[v] == 0]
    append = queue.append
    for u in queue:
        next_level = level[u] + 1
        for v in targets[bounds[u] : bounds[u + 1]]:
            if level[v] < next_level:
                level[v] = next_level
            remaining = indegree[v] - 1
            indegree[v] = remaining
            if remaining == 0:
                append(v)
    stuck = [] if len(queue) == size else [v for v in range(size) if indegree[v] > 0]
    return np.asarray(level, np.int64).reshape(size), stuck


def find_cycle(src: IntArray, dst: IntArray, stuck: list[int]) -> list[int]:
    """One cycle among the ``stuck`` slots, in edge order, its first slot repeated last."""
    inside = np.zeros(int(max(src.max(), dst.max())) + 1, np.bool_)
    inside[stuck] = True
    keep = inside[src] & inside[dst]
    # every stuck slot has a stuck predecessor: walk backwards until a slot repeats
    predecessor = dict(zip(dst[keep].tolist(), src[keep].tolist(), strict=True))
    seen: dict[int, int] = {}
    walk: list[int] = []
    node = stuck[0]
    while node not in seen:
        seen[node] = len(walk)
        walk.append(node)
        node = predecessor[node]
    loop = walk[seen[node] :]
    loop.reverse()
    return [*loop, loop[0]]


def cycle_among(pairs: list[tuple[int, int]], size: int) -> list[int]:
    """One cycle of the directed graph of ``pairs`` over nodes ``0 .. size - 1``, its
    first node repeated last; empty when there is none."""
    if not pairs:
        return []
    src = np.asarray([a for a, _ in pairs], np.int64)
    dst = np.asarray([b for _, b in pairs], np.int64)
    _, stuck = levels(src, dst, size)
    return find_cycle(src, dst, stuck) if stuck else []
