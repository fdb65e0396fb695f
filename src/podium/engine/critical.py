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
    starts: Sequence[int], src: IntArray, dst: IntArray, limit: int
) -> list[list[int]]:
    """Maximal chains of slots from each of ``starts`` along the edges ``src[k] → dst[k]``,
    depth first, at most ``limit`` of them."""
    successors: dict[int, list[int]] = {}
    for u, v in zip(src.tolist(), dst.tolist(), strict=True):
        successors.setdefault(u, []).append(v)
    paths: list[list[int]] = []
    for start in starts:
        path = [start]
        tried = [0]  # per path position: how many of its successors were followed
        while tried and len(paths) < limit:
            nexts = successors.get(path[-1])
            i = tried[-1]
            if nexts is not None and i < len(nexts):
                tried[-1] = i + 1
                path.append(nexts[i])
                tried.append(0)
                continue
            if nexts is None:  # the end of a chain
                paths.append(path.copy())
            path.pop()
            tried.pop()
        if len(paths) >= limit:
            break
    return paths


def name_paths(
    paths: list[list[int]],
    owner: IntArray,
    is_leaf: BoolArray,
    ids: Sequence[str],
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
