"""Table 5, Fig. 17 and the summary of the ColorCNN ablation (:func:`colorcnn_repro.experiments.studies.
colorcnn_ablation`, notebook ``06_colorcnn_ablation``), all read from its result JSON. Sweep values come from
each variant's overrides, not from its label."""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..experiments import paper_numbers
from ..experiments.studies import BACKBONES
from ..plots import style

SWEEPS = {"xi": ("colorcnn.xi", "ξ (colour jitter)"), "gamma": ("colorcnn.gamma", "γ (colour-maximum regularization)")}


def bits(result: Mapping) -> int:
    """The colour-space size (bits) the ablation ran at (Table 5: 3)."""
    return min(r["bits"] for r in result["rows"])


def metric(result: Mapping, label: str, name: str) -> float:
    """``name`` (accuracy, colors_used, bpp) of the variant ``label``'s ColorCNN."""
    return result["variants"][label]["methods"]["colorcnn"][str(bits(result))][name]


def _setup(result: Mapping) -> str:
    v = result["variants"][result["groups"]["table5"][0]]
    return (f"{v['data']['name']}, {result['config']['classifier']['classifier']}, {result['profile']} profile, "
            f"{v['data']['count']} {v['data']['split']} images")


def table5(result: Mapping) -> str:
    """Markdown: Table 5 (accuracy, colours per image, bpp) for each row, ours above the paper's (STL10/AlexNet)."""
    labels = result["groups"]["table5"]
    paper_keys = dict(zip(labels, paper_numbers.TABLE5))
    table = [["variant", "source", "accuracy (%)", "#colour/image", "#bit/pixel"]]
    for label in labels:
        table.append([label, "ours", f"{100 * metric(result, label, 'accuracy'):.1f}",
                      f"{metric(result, label, 'colors_used'):.1f}", f"{metric(result, label, 'bpp'):.3f}"])
        p = paper_numbers.TABLE5[paper_keys[label]]
        table.append(["", "paper", f"{p['accuracy']:.1f}", f"{p['colors_used']:.1f}", f"{p['bpp']:.3f}"])
    return (f"Table 5 at {bits(result)} bit: ours ({_setup(result)}) and the paper's (STL10 / AlexNet).\n\n"
            + paper_numbers.markdown_table(table))


def _backbone(result: Mapping) -> dict[str, dict[str, float]]:
    """{classifier: {backbone name: accuracy %}} of the backbone group."""
    out: dict[str, dict[str, float]] = {}
    for label in result["groups"]["backbone"]:
        ov = result["variants"][label]["overrides"]
        clf, name = ov["classifier.classifier"], BACKBONES[ov["colorcnn.backbone"]]
        out.setdefault(clf, {})[name] = 100 * metric(result, label, "accuracy")
    return out


def fig17(result: Mapping) -> Figure:
    """Fig. 17: accuracy against ξ and against γ, and U-Net vs DnCNN for each classifier."""
    b = bits(result)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for ax, (group, (key, symbol)) in zip(axes, SWEEPS.items()):
        labels = result["groups"][group]
        xs = [f"{result['variants'][label]['overrides'][key]:g}" for label in labels]
        ax.plot(range(len(xs)), [100 * metric(result, label, "accuracy") for label in labels], marker="o",
                color=style("colorcnn")["color"])
        ax.set_xticks(range(len(xs)), xs)
        ax.set_xlabel(symbol)
        ax.set_ylabel(f"accuracy (%) at {b} bit")
        ax.grid(alpha=0.3)
    per_clf = _backbone(result)
    clfs = sorted(per_clf)
    for k, name in enumerate(BACKBONES.values()):
        axes[2].bar([i + 0.4 * k - 0.2 for i in range(len(clfs))], [per_clf[c][name] for c in clfs], width=0.4,
                    label=name)
    axes[2].set_xticks(range(len(clfs)), clfs)
    axes[2].set_ylabel(f"accuracy (%) at {b} bit")
    axes[2].set_title("backbone", fontsize=9)
    axes[2].legend(fontsize=8)
    v = result["variants"][result["groups"]["table5"][0]]
    fig.suptitle(f"Fig. 17: ColorCNN ablations · {result['profile']} profile · {v['data']['name']} · "
                 f"{v['data']['count']} images", fontsize=9)
    fig.tight_layout()
    return fig


def summary(result: Mapping) -> str:
    """Markdown bullets: Table 5's differences against the paper's, and U-Net vs DnCNN per classifier."""
    default, no_reg, no_jitter = result["groups"]["table5"]

    def diff(label: str, name: str, scale: float = 1.0) -> float:
        return scale * (metric(result, label, name) - metric(result, default, name))

    lines = [f"- w/o regularization − ColorCNN: {diff(no_reg, 'accuracy', 100):+.1f} points, "
             f"{diff(no_reg, 'colors_used'):+.1f} colours/image (paper: −2.2 points, −2.9 colours)",
             f"- w/o colour jitter − ColorCNN: {diff(no_jitter, 'accuracy', 100):+.1f} points "
             f"(paper: {paper_numbers.NO_JITTER_DROP:+.1f})"]
    for clf, acc in sorted(_backbone(result).items()):
        lines.append(f"- {clf}: U-Net {acc['U-Net']:.1f}% vs DnCNN {acc['DnCNN']:.1f}% (paper: U-Net better)")
    return "\n".join(lines)
