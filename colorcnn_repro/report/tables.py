"""Reading study results into tables: a metric per variant and bit size, evaluation-shaped curves for
:func:`colorcnn_repro.plots.accuracy_vs_colors`, and markdown tables of ours beside the paper's numbers."""
from __future__ import annotations

from collections.abc import Mapping

from ..paper_numbers import _pct, markdown_table
from ..results import variant_scores


def metric_table(result: Mapping, method: str | None = None, metric: str = "accuracy",
                 labels: list[str] | None = None) -> dict[str, dict[int, float]]:
    """``{variant label: {bits: metric}}`` for ``method`` (default: each variant's only/first method); sizes
    without the metric are left out."""
    out = {}
    variants = variant_scores(result)
    for label in labels or list(variants):
        scores = variants[label]
        m = method if method is not None else scores.methods[0]
        if m in scores:
            out[label] = {b: float(v[metric]) for b, v in scores.per_bits(m).items() if metric in v}
    return out


def curves(result: Mapping, picks: dict[str, tuple[str, str]]) -> dict:
    """An evaluation-shaped dict ``{"methods": {curve: per-bit metrics}, "original", ...}`` whose curves are
    ``picks[curve] = (variant label, method)``, for :func:`colorcnn_repro.plots.accuracy_vs_colors`."""
    variants = variant_scores(result)
    first = next(iter(result["variants"].values()))
    return {"profile": result.get("profile"), "config": {"classifier": result["config"]["classifier"]},
            "data": first["data"], "original": first["original"],
            "methods": {curve: variants[label].map(dict)[m] for curve, (label, m) in picks.items()
                        if label in variants and m in variants[label]}}


def beside_paper(ours: Mapping[str, Mapping[int, float | None]], paper: Mapping[str, Mapping[int, float | None]],
                 bits: list[int] | None = None, names: dict[str, str] | None = None, scale: float = 100.0) -> str:
    """A markdown table: for each row label its "ours" cells (fractions × ``scale``) and, when ``paper`` has
    the row under ``names.get(label, label)``, the paper's cells (already in %) beneath."""
    names = names or {}
    bits = bits or sorted({int(b) for per in ours.values() for b in per})
    rows = [["", "source", *(f"{b} bit" for b in bits)]]
    for label, per in ours.items():
        rows.append([label, "ours", *(_pct(None if (v := per.get(b)) is None else scale * v) for b in bits)])
        key = names.get(label, label)
        if key in paper:
            rows.append(["", "paper", *(_pct(paper[key].get(b)) for b in bits)])
    return markdown_table(rows)
