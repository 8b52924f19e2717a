"""Statistics shared by the compute curve and the scorecard: intervals, multiplicity, noise bands, with SciPy's
distributions. Ground floor, torch-free."""
from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from scipy import stats

#: The two-sided 95 % normal quantile.
Z95 = float(stats.norm.isf(0.025))


def paired_se(difference: float, p: float) -> float | None:
    """The standard error (points) of a paired difference from its two-sided McNemar p: |difference| / z(p),
    z the two-sided normal quantile; None where p ≥ 0.5 or the difference is 0 (too close to tell)."""
    return abs(difference) / float(stats.norm.isf(p / 2)) if p < 0.5 and difference != 0 else None


def z_two_sided(alpha: float) -> float:
    """The normal quantile of a two-sided test at level ``alpha`` (1.96 at 0.05)."""
    return float(stats.norm.isf(alpha / 2))


def wilson(p: float, n: int, z: float = Z95) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion ``p`` measured on ``n`` items."""
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def holm(ps: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order of ``ps``."""
    adjusted, running = [0.0] * len(ps), 0.0
    for rank, i in enumerate(sorted(range(len(ps)), key=ps.__getitem__)):
        running = max(running, min(1.0, (len(ps) - rank) * ps[i]))
        adjusted[i] = running
    return adjusted


def t95(df: int) -> float:
    """The two-sided 95 % quantile of Student's t with ``df`` degrees of freedom."""
    return float(stats.t.isf(0.025, df))


def noise_band(reference: Sequence[float], m: int = 1, k: int | None = None) -> float:
    """Half-width of the 95 % band of an effect: t95(n − 1) · s · √(1/m + 1/k), s the standard deviation of
    the ``reference`` seeds (n of them), m and k the runs averaged on the variant and the baseline side."""
    n = len(reference)
    return t95(n - 1) * statistics.stdev(reference) * math.sqrt(1 / m + 1 / (k or n))
