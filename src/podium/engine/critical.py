"""Critical paths: chains of critical activities joined by driving links.

An activity is critical when its total float is at most zero (PMBOK; Microsoft
Project's default). With late constraints or deadlines a chain can have
negative float without driving the program finish; it is critical too, and it
forms a chain of its own that ends at the constrained activity.

A link is *critical* when both its ends are critical, it drives its successor
in the early schedule (zero link slack) and it binds its predecessor in the
late schedule — so float is the same all along a critical chain. The paths are
the maximal chains of critical links (a lone critical activity is a path of
one), enumerated depth-first up to a limit because parallel critical branches
multiply.
"""

from __future__ import annotations

from collections.abc import Sequence

from podium.engine.calendar import BoolArray, IntArray


def enumerate_paths(
    critical_slot: BoolArray, src: IntArray, dst: IntArray, order: Sequence[int], limit: int,
) -> list[list[int]]:
    """Maximal chains of slots along the edges ``src[k] → dst[k]`` (all critical).

    Chains start at critical slots without an incoming edge, visited in
    ``order``; at most ``limit`` chains are returned.
    """
    successors: dict[int, list[int]] = {}
    has_predecessor: set[int] = set()
    for u, v in zip(src.tolist(), dst.tolist(), strict=True):
        successors.setdefault(u, []).append(v)
        has_predecessor.add(v)
    paths: list[list[int]] = []
    for start in order:
        if not critical_slot[start] or start in has_predecessor:
            continue
        path = [start]
        stack = [0]  # per path position: index of the next successor to try
        while stack and len(paths) < limit:
            nexts = successors.get(path[-1], [])
            if not nexts and stack[-1] == 0:
                paths.append(list(path))
            if stack[-1] < len(nexts):
                node = nexts[stack[-1]]
                stack[-1] += 1
                path.append(node)
                stack.append(0)
            else:
                path.pop()
                stack.pop()
        if len(paths) >= limit:
            break
    return paths


def name_paths(
    paths: list[list[int]], owner: IntArray, is_leaf: BoolArray, ids: Sequence[str],
    drives_finish: BoolArray,
) -> tuple[tuple[str, ...], ...]:
    """Paths of slots as activity ids (summary slots dropped, duplicates removed),
    the paths ending at the program finish first."""
    named: dict[tuple[str, ...], bool] = {}
    owner_of, leaf, drives = owner.tolist(), is_leaf.tolist(), drives_finish.tolist()
    for path in paths:
        leaves = [owner_of[s] for s in path if leaf[owner_of[s]]]
        if not leaves:
            continue
        key = tuple(ids[i] for i in leaves)
        named[key] = named.get(key, False) or drives[leaves[-1]]
    finishing = [p for p, f in named.items() if f]
    return tuple(finishing + [p for p, f in named.items() if not f])
