"""Figures and table of the class-activation-map study (:func:`colorcnn_repro.experiments.defense.cam_study`,
notebook ``09_class_activation_maps``, Fig. 1), all read from its result JSON."""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..plots import describe, style
from ..results import Scores


def _bits(result: Mapping) -> list[int]:
    return sorted(result["params"]["bits"], reverse=True)  # Fig. 1's order: 4, 2, 1 bit


def feature_map_text(result: Mapping, shape: tuple[int, int, int]) -> str:
    """One line: the shape (channels, height, width) of the feature map Grad-CAM works on for the study's images
    (:func:`colorcnn_repro.experiments.defense.cam_feature_map`): how coarse the maps are."""
    h, w = result["data"]["image_size"]
    channels, fh, fw = shape
    return f"Grad-CAM feature map: {channels} channels of {fh}×{fw} for {h}×{w} images"


def panels_figure(result: Mapping) -> Figure:
    """For each shown image: a row of images (original, then each method at each size, largest first) over a row
    of Grad-CAMs on grey copies, captioned with the ground-truth confidence and ✓/✗ for the top prediction."""
    panels, classes, methods = result["panels"], result["classes"], result["params"]["methods"]
    columns = [("Original (24 bit)", panels["original"])]
    quantized = Scores(panels)
    columns += [(f"{style(m)['label']} {b} bit", quantized.metrics(m, b)) for m in methods for b in _bits(result)]
    n = len(panels["target"])
    fig, axes = plt.subplots(2 * n, len(columns), figsize=(1.45 * len(columns) + 0.4, 3.2 * n + 0.6), squeeze=False)
    for i in range(n):
        target = int(panels["target"][i])
        for c, (title, panel) in enumerate(columns):
            img = np.asarray(panel["images"][i])
            top, bottom = axes[2 * i][c], axes[2 * i + 1][c]
            top.imshow(img, interpolation="nearest")
            bottom.imshow(img.mean(axis=2), cmap="gray", vmin=0, vmax=255, interpolation="nearest")
            bottom.imshow(panel["cam"][i], cmap="jet", alpha=0.5, vmin=0, vmax=1, interpolation="bilinear")
            ok = "✓" if int(panel["prediction"][i]) == target else "✗"
            bottom.set_xlabel(f"{100 * panel['confidence'][i]:.1f}% {ok}", fontsize=7)
            for ax in (top, bottom):
                ax.set_xticks([])
                ax.set_yticks([])
            if i == 0:
                top.set_title(title, fontsize=7)
            if c == 0:
                top.set_ylabel(classes[target], fontsize=7)
                bottom.set_ylabel("Grad-CAM", fontsize=7)
    fig.suptitle(f"Class activation maps and ground-truth confidence (Fig. 1)\n{describe(result)}", fontsize=8)
    fig.tight_layout()
    return fig


def _scores(entry: Mapping, target: np.ndarray) -> tuple[float, float, float | None]:
    """(accuracy %, mean ground-truth confidence %, mean CAM agreement) of one set of images."""
    accuracy = 100 * float((np.asarray(entry["prediction"]) == target).mean())
    return accuracy, 100 * entry["mean_confidence"], entry.get("mean_agreement")


def summary_table(result: Mapping) -> str:
    """Markdown: accuracy, mean ground-truth confidence and mean CAM agreement, original then each method and size."""
    target = np.asarray(result["target"])
    acc0, conf0, _ = _scores(result["original"], target)
    md = ["| images | accuracy (%) | mean GT confidence (%) | mean CAM agreement |", "|---|---|---|---|",
          f"| original (24 bit) | {acc0:.1f} | {conf0:.1f} | 1 |"]
    scores = Scores(result)
    for m in result["params"]["methods"]:
        for b in _bits(result):
            acc, conf, agreement = _scores(scores.metrics(m, b), target)
            md.append(f"| {style(m)['label']} {b} bit | {acc:.1f} | {conf:.1f} | {agreement:.2f} |")
    data = result["data"]
    return f"{data['count']} {data['split']} images ({result['profile']} profile)\n\n" + "\n".join(md)


def summary_figure(result: Mapping) -> Figure:
    """Mean ground-truth confidence and mean CAM agreement against the colour-space size, per method."""
    xs = sorted(result["params"]["bits"])
    fig, (ax_c, ax_a) = plt.subplots(1, 2, figsize=(9, 3.4))
    scores = Scores(result)
    for m in result["params"]["methods"]:
        s, per = style(m), scores.per_bits(m)
        ax_c.plot(xs, [100 * per[b]["mean_confidence"] for b in xs], color=s["color"], marker=s["marker"],
                  label=s["label"])
        ax_a.plot(xs, [per[b]["mean_agreement"] for b in xs], color=s["color"], marker=s["marker"],
                  label=s["label"])
    ax_c.axhline(100 * result["original"]["mean_confidence"], color="grey", ls=":", label="original images")
    for ax, ylabel in ((ax_c, "mean ground-truth confidence (%)"), (ax_a, "mean CAM agreement (Pearson r)")):
        ax.set_xticks(xs)
        ax.set_xlabel("colour-space size (bits)")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(describe(result), fontsize=8)
    fig.tight_layout()
    return fig
