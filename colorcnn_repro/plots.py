"""Figures of the reproduction, drawn from the evaluation JSON (:func:`~colorcnn_repro.experiments.pipeline.
main_results`) or from image arrays. Every function returns a matplotlib Figure; :func:`save_figure` writes it
to ``figures/<profile>/<name>.png`` and ``.pdf`` under the repository root (``$COLORCNN_FIGURES`` overrides
the ``figures`` folder), without timestamps so that the files are reproducible.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .names import METHOD_NAMES
from .paper_numbers import ordered_methods
from .paths import figures_root
from .results import Scores, Source, source_digests

SIGNIFICANT_P = 1e-3  # the paper's ★★★
BETTER, WORSE = "↑", "↓"  # Fig. 12's marks: significantly above / below the baseline (no method's marker)

METHOD_STYLE: dict[str, dict] = {
    "mediancut": {"color": "tab:blue", "marker": "o"},
    "octree": {"color": "tab:orange", "marker": "s"},
    "dither": {"color": "tab:green", "marker": "^"},
    "kmeans": {"color": "tab:purple", "marker": "v"},
    "libimagequant": {"color": "tab:brown", "marker": "D"},
    "colorcnn": {"color": "tab:red", "marker": "P"},
    "colorcnn+": {"color": "black", "marker": "*"},
}


def style(method: str) -> dict:
    """Label, colour and marker of a method (unknown methods get matplotlib's defaults)."""
    return {"label": METHOD_NAMES.get(method, method), **METHOD_STYLE.get(method, {"color": None, "marker": "x"})}


def describe(result: Mapping) -> str:
    """"profile · dataset · classifier · N images (split)" from a result JSON."""
    cfg = result.get("config", {})
    clf = cfg.get("classifier", {})
    clf_name = clf.get("classifier", "?") if isinstance(clf, Mapping) else str(clf)
    data = result.get("data", {})
    dataset = data.get("name") or (clf.get("data", {}).get("dataset") if isinstance(clf, Mapping) else "?")
    return (f"{result.get('profile', '?')} profile · {dataset} · {clf_name} · "
            f"N={data.get('count', '?')} {data.get('split', '')} images")


def _p_value(result: Mapping, bits: int, a: str, b: str) -> float | None:
    table = result.get("significance", {}).get(str(bits), {})
    entry = table.get(f"{a} vs {b}") or table.get(f"{b} vs {a}")
    return None if entry is None else float(entry["p"])


def _curves(result: Mapping) -> Iterator[tuple[str, dict, list[int], list[Mapping]]]:
    """For each method in plotting order: its name, style, the bits it was evaluated at and the metrics at
    each."""
    scores = Scores(result)
    for m in ordered_methods(scores.methods):
        per = scores.per_bits(m)
        yield m, style(m), list(per), list(per.values())


def accuracy_vs_colors(result: Mapping, paper: Mapping[str, Mapping] | None = None, *,
                       baseline: str = "mediancut", starred: Sequence[str] = ("colorcnn+", "colorcnn"),
                       longer: Sequence[tuple[str, str, Mapping[int, Mapping[str, Any]]]] = (),
                       ax: Axes | None = None) -> Figure:
    """Fig. 12: accuracy (%) against colour-space size (bits) for every method, the original-image accuracy
    as a dashed line, and at a learned method's point :data:`BETTER` where it is significantly above
    ``baseline`` (paired McNemar p < 0.001, the paper's ★★★) or :data:`WORSE` where it is significantly
    below; the title says so. ``paper``: optional ``{method: {bits: accuracy %}}`` drawn as thin dashed lines
    (e.g. Table 4's rows). ``longer``: ``(method, label, {bits: metrics})`` of longer-trained models evaluated
    on the same images (:func:`_draw_longer`)."""
    fig, ax = _figure(ax, (6.4, 4.4))
    scores = Scores(result)
    bits = scores.bits()
    for m, s, xs, per in _curves(result):
        ys = [100 * metrics["accuracy"] for metrics in per]
        ax.plot(xs, ys, label=s["label"], color=s["color"], marker=s["marker"], lw=1.6 if m in starred else 1.0)
        if m in starred and m != baseline and baseline in scores:
            for x, y in zip(xs, ys):
                p = _p_value(result, x, m, baseline)
                if p is not None and p < SIGNIFICANT_P:
                    above = y > 100 * scores.accuracy(baseline, x)
                    ax.annotate(BETTER if above else WORSE, (x, y), xytext=(0, 5 if above else -5),
                                textcoords="offset points", ha="center", va="bottom" if above else "top",
                                fontsize=7, color=s["color"])
    for m, row in (paper or {}).items():
        s = style(m)
        xs = [b for b in bits if row.get(b) is not None]
        ax.plot(xs, [row[b] for b in xs], ls="--", lw=0.9, color=s["color"], marker=s["marker"], mfc="none",
                alpha=0.7, label=f"paper: {s['label']}")
    _draw_longer(ax, longer, lambda bits, metrics: bits)
    original = result.get("original", {}).get("accuracy")
    if original is not None:
        ax.axhline(100 * original, color="grey", ls=":", lw=1, label=f"original images ({100 * original:.1f}%)")
    ax.set_xticks(bits)
    ax.set_xlabel("colour-space size (bits), C = 2^bits")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(f"Accuracy vs colour-space size\n{describe(result)}\n{BETTER} / {WORSE}: above / below "
                 f"{style(baseline)['label']} at raw paired McNemar p < {SIGNIFICANT_P:g} (the paper's ★★★; "
                 "hollow: longer-trained models)", fontsize=8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right", ncol=2 if paper or longer else 1)
    fig.tight_layout()
    return fig


def _draw_longer(ax: Axes, longer: Sequence[tuple[str, str, Mapping[int, Mapping[str, Any]]]],
                 x: Callable[[int, Mapping[str, Any]], float]) -> None:
    """Longer-trained models as large hollow markers in their method's style: accuracy (%) against ``x`` of
    (bits, metrics)."""
    for m, label, points in longer:
        s = style(m)
        bits = sorted(points)
        xs, ys = [x(b, points[b]) for b in bits], [100 * points[b]["accuracy"] for b in bits]
        ax.plot(xs, ys, ls="none", marker=s["marker"], ms=9, mfc="none", mew=1.6, color=s["color"], label=label)
        for b, px, py in zip(bits, xs, ys):  # the curve's rows carry their McNemar p against MedianCut
            if points[b].get("p_mediancut", 1.0) < SIGNIFICANT_P:
                above = points[b]["lead_mediancut"] > 0
                ax.annotate(BETTER if above else WORSE, (px, py), xytext=(6, 0), textcoords="offset points",
                            ha="left", va="center", fontsize=7, color=s["color"])


def accuracy_vs_bpp(result: Mapping, *, mark_bytes_per_pixel: float = 0.2, logx: bool = False,
                    longer: Sequence[tuple[str, str, Mapping[int, Mapping[str, Any]]]] = (),
                    ax: Axes | None = None) -> Figure:
    """Fig. 16: accuracy (%) against the mean real bitrate (bits per pixel of the indexed PNG) for every
    method, bits rising along each line; JPEG at each quality as the dotted reference curve; a vertical line
    at the paper's "0.2 bpp", which the authors' code measures in bytes per pixel (``mark_bytes_per_pixel``
    × 8 bits), labelled in the paper's unit. The legend sits beside the axes, off the data. ``longer``: as in
    :func:`accuracy_vs_colors`, at their own bitrate."""
    fig, ax = _figure(ax, (8.2, 4.4))
    for _m, s, _xs, per in _curves(result):
        ax.plot([metrics["bpp"] for metrics in per], [100 * metrics["accuracy"] for metrics in per],
                label=s["label"], color=s["color"], marker=s["marker"], lw=1.2)
    _draw_longer(ax, longer, lambda bits, metrics: metrics["bpp"])
    jpeg = sorted(result.get("jpeg", []), key=lambda j: j["bpp"])
    if jpeg:
        ax.plot([j["bpp"] for j in jpeg], [100 * j["accuracy"] for j in jpeg], ls=":", color="grey", marker=".",
                label="JPEG (quality " + ", ".join(str(j["quality"]) for j in jpeg) + ")")
    if mark_bytes_per_pixel:
        ax.axvline(8 * mark_bytes_per_pixel, color="crimson", lw=0.8, ls="--",
                   label=f"paper's \"{mark_bytes_per_pixel:g} bpp\" read as bytes/pixel, as the authors' code "
                         f"measures it ({8 * mark_bytes_per_pixel:g} bits)")
    original = result.get("original", {}).get("accuracy")
    if original is not None:
        ax.axhline(100 * original, color="grey", ls="-.", lw=0.8, label="original images")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel("bits per pixel (indexed PNG; JPEG for the reference)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(f"Accuracy vs bitrate\n{describe(result)}", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.tight_layout()
    return fig


def image_grid(rows: Mapping[str, Sequence[np.ndarray | None]], col_labels: Sequence[str],
               captions: Mapping[str, Sequence[str]] | Sequence[Sequence[str]] | None = None, *,
               title: str | None = None, panel: float = 1.5) -> Figure:
    """Fig. 2/3/10/11-style grid: one row per entry of ``rows`` (its key labels the row), one column per
    ``col_labels`` entry; ``None`` leaves a panel empty. ``captions`` (same shape as ``rows``, by key or by
    position) puts a line of text under each panel, e.g. colours used and bpp."""
    names = list(rows)
    if not names:
        raise ValueError("image_grid needs at least one row")
    ncols = len(col_labels)
    for name in names:
        if len(rows[name]) != ncols:
            raise ValueError(f"row {name!r} has {len(rows[name])} panels, expected {ncols} (one per column label)")
    caps = _caption_rows(captions, names, ncols)
    text_h = 0.28 if caps else 0.0
    fig, axes = plt.subplots(len(names), ncols, figsize=(panel * ncols + 0.6, (panel + text_h) * len(names) + 0.5),
                             squeeze=False)
    for r, name in enumerate(names):
        for c in range(ncols):
            ax = axes[r][c]
            img = rows[name][c]
            if img is not None:
                ax.imshow(_as_display(img), interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(img is not None)
            if r == 0:
                ax.set_title(col_labels[c], fontsize=8)
            if c == 0:
                ax.set_ylabel(name, fontsize=8)
            if caps and caps[r][c]:
                ax.set_xlabel(caps[r][c], fontsize=6.5)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def examples_grid(examples: Mapping[str, Sequence[np.ndarray]], *, title: str | None = None) -> Figure:
    """:func:`image_grid` of ``{column: [image per example]}`` (:func:`colorcnn_repro.report.examples.examples_figure`):
    one row per example image, one column per entry."""
    n = len(next(iter(examples.values())))
    rows = {f"image {i + 1}": [images[i] for images in examples.values()] for i in range(n)}
    return image_grid(rows, list(examples), title=title)


def training_curve(history: Sequence[Mapping] | None, *, key: str = "total", title: str = "") -> Figure:
    """Training loss (``key``) per epoch from a run's history (an empty plot says when there is none)."""
    fig, ax = plt.subplots(figsize=(4.8, 3.2))
    if history:
        epochs = [h.get("epoch", i + 1) for i, h in enumerate(history)]
        ax.plot(epochs, [h.get(key, np.nan) for h in history], marker="o")
        ax.set_xticks(epochs)
    else:
        ax.text(0.5, 0.5, "no training history recorded", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"training loss ({key})")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


#: The PNG text key holding what a figure was drawn from: ``{file from the repository root: sha256}``.
SOURCES_KEY = "colorcnn:sources"


def save_figure(fig: Figure, name: str, profile: str, *, sources: Iterable[Source], dpi: int = 150
                ) -> tuple[Path, Path]:
    """Write ``fig`` to ``<figures root>/<profile>/<name>.png`` and ``.pdf``; no dates or software versions
    in the metadata, so the same figure gives the same bytes. The PNG records the digests of its ``sources``
    (results as read, examples, or files such as model weights; :data:`SOURCES_KEY`), by which a test tells
    a figure drawn from other results than today's. Returns both paths."""
    for part, what in ((name, "name"), (profile, "profile")):
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.+-]*", part):
            raise ValueError(f"figure {what} must be a plain file name (letters, digits, _ . + -), got {part!r}")
    folder = figures_root() / profile
    folder.mkdir(parents=True, exist_ok=True)
    png, pdf = folder / f"{name}.png", folder / f"{name}.pdf"
    digests = json.dumps(source_digests(sources), sort_keys=True)
    fig.savefig(png, dpi=dpi, metadata={"Software": None, SOURCES_KEY: digests})
    fig.savefig(pdf, metadata={"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None})
    return png, pdf


def save_and_show(fig: Figure, name: str, profile: str, *, sources: Iterable[Source], dpi: int = 150) -> None:
    """:func:`save_figure`, then show the saved PNG in the notebook's output whatever the matplotlib backend
    (``MPLBACKEND=Agg`` included, which shows nothing by itself) and close the figure. Returns nothing, so no
    machine's path lands in a cell's output."""
    from IPython.display import Image, display

    png, _ = save_figure(fig, name, profile, sources=sources, dpi=dpi)
    display(Image(filename=str(png)))
    plt.close(fig)


def _figure(ax, size):
    if ax is None:
        fig, ax = plt.subplots(figsize=size)
        return fig, ax
    return ax.figure, ax


def _as_display(img: np.ndarray) -> np.ndarray:
    arr = np.asarray(img)
    if arr.ndim == 3 and arr.shape[0] == 3 and arr.shape[-1] != 3:  # C×H×W tensor layout
        arr = arr.transpose(1, 2, 0)
    if arr.dtype != np.uint8:
        arr = np.clip(arr.astype(np.float64), 0, 1)
    return arr


def _caption_rows(captions, names: list[str], ncols: int) -> list[list[str]] | None:
    if captions is None:
        return None
    if isinstance(captions, Mapping):
        out = [list(captions.get(n, [""] * ncols)) for n in names]
    else:
        out = [list(c) for c in captions]
    if len(out) != len(names) or any(len(r) != ncols for r in out):
        raise ValueError(f"captions must match the grid: {len(names)} rows of {ncols} strings")
    return out
