"""Tables and the figure of the two studies behind the ``cpu`` recipe (notebook ``12_short_budget_recipe``):
the short-budget recipe (:func:`colorcnn_repro.experiments.studies.short_budget_recipe`) and the training
length (:func:`~colorcnn_repro.experiments.studies.training_length`), read from their result JSON."""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..methods import epochs_key
from ..names import METHOD_NAMES
from ..plots import style
from ..results import variant_scores
from .tables import metric_table


def recipe_table(result: Mapping) -> str:
    """Markdown table of the recipe study: per row, accuracy (%) at each evaluated bit size with the
    difference to MedianCut on the same images."""
    mc = metric_table(result, "mediancut", labels=result["groups"]["references"])["MedianCut (reference)"]
    bits = sorted({b for scores in variant_scores(result).values() for b in scores.bits()})
    lines = ["| row | " + " | ".join(f"{b} bit" for b in bits) + " |", "|---" * (len(bits) + 1) + "|",
             "| MedianCut | " + " | ".join(f"{100 * mc[b]:.1f}" if b in mc else "" for b in bits) + " |"]
    for group, method in (("colorcnn+", "colorcnn+"), ("colorcnn", "colorcnn"), ("colorcnn_paper", "colorcnn")):
        if not result["groups"].get(group):  # results from before the group existed
            continue
        for label, per in metric_table(result, method, labels=result["groups"][group]).items():
            cells = [f"{100 * per[b]:.1f} ({100 * (per[b] - mc[b]):+.1f})" if b in per else "" for b in bits]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    v = result["variants"]["MedianCut (reference)"]
    return (f"Accuracy (%) on {v['data']['count']} {v['data']['split']} images of {v['data']['name']} "
            f"({result['profile']} profile; original images {100 * v['original']['accuracy']:.1f}%), "
            "difference to MedianCut in brackets.\n\n" + "\n".join(lines))


def length_table(result: Mapping) -> str:
    """Markdown table of the training-length study: per row, accuracy (%) at each bit size, the difference
    to MedianCut on the same images and its McNemar p."""
    variants, scores = result["variants"], variant_scores(result)
    bits = sorted({b for v in scores.values() for m in v.methods if m != "mediancut" for b in v.bits(m)})
    mc = _mediancut(result)
    lines = ["| row | " + " | ".join(f"{b} bit" for b in bits) + " |", "|---" * (len(bits) + 1) + "|",
             "| MedianCut | " + " | ".join(f"{100 * mc[b]:.1f}" if b in mc else "" for b in bits) + " |"]
    for method in ("colorcnn", "colorcnn+"):
        for label in result["groups"].get(method, []):
            v = variants[label]
            cells = []
            for b in bits:
                ours = scores[label].find(method, b)
                if ours is None:
                    cells.append("")
                    continue
                p = v["significance"][str(b)][f"{method} vs mediancut"]["p"]
                cells.append(f"{100 * ours['accuracy']:.1f} ({100 * (ours['accuracy'] - mc[b]):+.1f}, p={p:.2g})")
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    data = next(iter(variants.values()))["data"]
    return (f"Accuracy (%) on {data['count']} {data['split']} images of {data['name']} ({result['profile']} "
            "profile), difference to MedianCut on the same images and McNemar p in brackets.\n\n" + "\n".join(lines))


def _mediancut(result: Mapping) -> dict[int, float]:
    """MedianCut accuracy per bit size, from whichever variants evaluated it (the same images in all)."""
    return {b: m["accuracy"] for v in variant_scores(result).values() for b, m in v.per_bits("mediancut").items()}


def length_figure(result: Mapping) -> Figure:
    """Accuracy against training epochs, one panel per learned quantizer, one line per bit size, with
    MedianCut on the same images as a dashed line of the same colour."""
    mc = _mediancut(result)
    methods = [m for m in ("colorcnn", "colorcnn+") if result["groups"].get(m)]
    fig, axes = plt.subplots(1, len(methods), figsize=(4.6 * len(methods), 3.4), squeeze=False)
    for ax, method in zip(axes[0], methods):
        labels = result["groups"][method]
        epochs = [result["variants"][label]["overrides"][epochs_key(method)] for label in labels]
        scores = variant_scores(result)
        for i, b in enumerate(scores[labels[0]].bits(method)):
            color = f"C{i}"
            acc = [100 * scores[label].accuracy(method, b) for label in labels]
            ax.plot(epochs, acc, marker=style(method).get("marker", "o"), color=color, label=f"{b} bit")
            ax.axhline(100 * mc[b], color=color, ls="--", lw=1, label=f"MedianCut {b} bit")
        ax.set_xticks(epochs)
        ax.set_xlabel("training epochs")
        ax.set_ylabel("accuracy (%)")
        ax.set_title(METHOD_NAMES[method], fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    data = next(iter(result["variants"].values()))["data"]
    fig.suptitle(f"Training length · {result['profile']} profile · {data['name']} · {data['count']} "
                 f"{data['split']} images", fontsize=9)
    fig.tight_layout()
    return fig
