"""Accuracy, multi-label metrics and paired significance tests."""
from __future__ import annotations

import numpy as np
from scipy.stats import binomtest


def mcnemar_p(correct_a: np.ndarray, correct_b: np.ndarray) -> float:
    """Exact McNemar test (two-sided binomial test on the discordant pairs) for two classifiers' per-image
    correctness on the same images. 1.0 when they never disagree."""
    a, b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    if a.shape != b.shape:
        raise ValueError(f"paired test needs results on the same images, got {a.shape} and {b.shape}")
    only_a, only_b = int((a & ~b).sum()), int((~a & b).sum())
    if only_a + only_b == 0:
        return 1.0
    return float(binomtest(only_a, only_a + only_b, 0.5).pvalue)


def stars(p: float) -> str:
    """The paper's notation: ★★★ for p < 0.001 (and ★★ < 0.01, ★ < 0.05)."""
    return "★★★" if p < 1e-3 else "★★" if p < 1e-2 else "★" if p < 5e-2 else ""


def average_precision(scores: np.ndarray, targets: np.ndarray) -> float:
    """Area under the precision–recall curve of one label (non-interpolated AP, as in scikit-learn)."""
    order = np.argsort(-scores, kind="stable")
    t = np.asarray(targets, bool)[order]
    if not t.any():
        return float("nan")
    hits = np.cumsum(t)
    precision = hits / np.arange(1, len(t) + 1)
    return float((precision * t).sum() / t.sum())


def mean_average_precision(scores: np.ndarray, targets: np.ndarray) -> float:
    """mAP over labels that have at least one positive (N×K scores and 0/1 targets)."""
    aps = [average_precision(scores[:, k], targets[:, k]) for k in range(targets.shape[1])]
    return float(np.nanmean(aps))


def exact_match(scores: np.ndarray, targets: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Per-image multi-label correctness: every label right at the sigmoid threshold."""
    return ((scores >= threshold) == np.asarray(targets, bool)).all(axis=1)
