"""Statistics shared by the compute curve and the scorecard, from SciPy. Ground floor, torch-free."""
from __future__ import annotations

from scipy import stats


def paired_se(difference: float, p: float) -> float | None:
    """The standard error (points) of a paired difference from its two-sided McNemar p: |difference| / z(p),
    z the two-sided normal quantile; None where p ≥ 0.5 or the difference is 0 (too close to tell)."""
    return abs(difference) / float(stats.norm.isf(p / 2)) if p < 0.5 and difference != 0 else None


def z_two_sided(alpha: float) -> float:
    """The normal quantile of a two-sided test at level ``alpha`` (1.96 at 0.05)."""
    return float(stats.norm.isf(alpha / 2))
