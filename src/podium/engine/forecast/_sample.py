"""Random durations: triangular and PERT-beta three-point distributions, and risk events.

Both distributions are drawn by inversion (one uniform number per draw). A
three-point estimate ``(a, m, b)`` is standardized to ``x = (d - a) / (b - a)``
on [0, 1] with mode ``c = (m - a) / (b - a)``:

* triangular: ``Q(u) = sqrt(u c)`` below ``c``, ``1 - sqrt((1 - u)(1 - c))`` above;
  mean ``(a + m + b) / 3``, variance ``(a² + m² + b² - am - ab - mb) / 18``;
* PERT-beta (Malcolm et al. 1959; Vose, "Risk Analysis", 2008): a beta
  distribution with ``alpha = 1 + 4c`` and ``beta = 5 - 4c`` (so ``alpha + beta
  = 6``), mean ``(a + 4m + b) / 6``, variance ``(mean - a)(b - mean) / 7``. Its
  quantile has no closed form: the density is integrated on a fine grid once.

Both are one-parameter families once standardized, so each is kept as a table
of quantiles for 501 modes x 4 096 equiprobable levels (8 MB, built once), and
a draw is one random integer and one lookup: a discrete approximation whose
moments agree with the continuous distribution to about 0.1 % of ``b - a``.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import numpy as np
import numpy.typing as npt

Distribution = Literal["pert", "triangular"]
DISTRIBUTIONS: tuple[Distribution, ...] = ("pert", "triangular")

FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]

_MODES = 501  # rows of a table: mode c = 0, 0.002, …, 1
QUANTILES = 4096  # equiprobable draws per row: the quantile at u = (k + 0.5) / 4096


@cache
def quantile_table(distribution: Distribution) -> Float32Array:
    """Standardized quantiles, flattened: ``table[i * QUANTILES + k]`` is the quantile at
    ``(k + 0.5) / QUANTILES`` of the distribution with mode ``i / (_MODES - 1)``."""
    u = (np.arange(QUANTILES) + 0.5) / QUANTILES
    c = np.linspace(0.0, 1.0, _MODES)[:, None]
    if distribution == "triangular":
        table = np.where(u < c, np.sqrt(u * c), 1 - np.sqrt((1 - u) * (1 - c)))
        return table.astype(np.float32).ravel()
    x = np.linspace(0.0, 1.0, 16385)[1:-1]
    alpha, beta = 1 + 4 * c, 5 - 4 * c
    pdf = np.exp((alpha - 1) * np.log(x) + (beta - 1) * np.log1p(-x))
    x = np.concatenate([[0.0], x, [1.0]])
    pdf = np.concatenate(
        [
            np.where(alpha == 1, pdf[:, :1], 0.0),
            pdf,
            np.where(beta == 1, pdf[:, -1:], 0.0),
        ],
        axis=1,
    )
    cdf = np.concatenate(
        [np.zeros((_MODES, 1)), np.cumsum((pdf[:, 1:] + pdf[:, :-1]) / 2, axis=1)], axis=1
    )
    cdf /= cdf[:, -1:]
    table = np.stack([np.interp(u, row, x) for row in cdf])
    return table.astype(np.float32).ravel()


def standard_draws(
    distribution: Distribution, mode: FloatArray, rng: np.random.Generator, r: int
) -> Float32Array:
    """``r`` standardized draws on [0, 1] per task (``mode[i]`` its ``c``): one random
    integer per draw picks one of the row's equiprobable quantiles."""
    table = quantile_table(distribution)
    row = (np.rint(mode * (_MODES - 1)).astype(np.int32) * QUANTILES)[:, None]
    k = rng.integers(0, QUANTILES, (len(mode), r), dtype=np.int32)
    k += row
    out: Float32Array = table[k]
    return out


def pert_mean(a: float, m: float, b: float) -> float:
    """The PERT mean ``(a + 4m + b) / 6``."""
    return (a + 4 * m + b) / 6
