"""Tables and figures of the two ablation studies, read from their result JSON: Table 5, Fig. 17 and a summary
of the ColorCNN ablation (:func:`colorcnn_repro.experiments.studies.colorcnn_ablation`, notebook
``06_colorcnn_ablation``; sweep values come from each variant's overrides, not from its label), and Fig. 18 of
the ColorCNN+ ablation (:func:`~colorcnn_repro.experiments.studies.colorcnn_plus_ablation`, notebook 07)."""
from __future__ import annotations

import statistics
from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .. import paper_numbers
from ..names import BACKBONE_NAMES
from ..plots import style
from ..results import Scores
from .tables import beside_paper, metric_table

SWEEPS = {"xi": ("colorcnn.xi", "ξ (colour jitter)"), "gamma": ("colorcnn.gamma", "γ (colour-maximum regularization)")}


def bits(result: Mapping) -> int:
    """The colour-space size (bits) the ablation ran at (Table 5: 3)."""
    return min(r["bits"] for r in result["rows"])


def metric(result: Mapping, label: str, name: str) -> float:
    """``name`` (accuracy, colors_used, bpp) of the variant ``label``'s ColorCNN."""
    return float(Scores(result["variants"][label]).metrics("colorcnn", bits(result))[name])


def _setup(result: Mapping) -> str:
    v = result["variants"][result["groups"]["table5"][0]]
    return (f"{v['data']['name']}, {result['config']['classifier']['classifier']}, {result['profile']} profile, "
            f"{v['data']['count']} {v['data']['split']} images")


def _titled(fig: Figure, title: str, result: Mapping, label: str, *extra: str) -> Figure:
    """``fig`` with the suptitle "title · profile · dataset · *extra · N images" (data of variant ``label``)."""
    data = result["variants"][label]["data"]
    parts = [title, f"{result['profile']} profile", data["name"], *extra, f"{data['count']} images"]
    fig.suptitle(" · ".join(parts), fontsize=9)
    fig.tight_layout()
    return fig


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
        clf, name = ov["classifier.classifier"], BACKBONE_NAMES[ov["colorcnn.backbone"]]
        out.setdefault(clf, {})[name] = 100 * metric(result, label, "accuracy")
    return out


def seed_sd(result: Mapping) -> float | None:
    """The standard deviation (points) of the ColorCNN reference's accuracy over its seeds (the variant and its
    ``noise`` group), or None with fewer than two."""
    seeds = [result["groups"]["table5"][0], *result["groups"].get("noise", [])]
    values = [100 * metric(result, label, "accuracy") for label in seeds if label in result["variants"]]
    return statistics.stdev(values) if len(values) > 1 else None


def fig17(result: Mapping) -> Figure:
    """Fig. 17: accuracy against ξ and against γ, each point with ±1 standard deviation of the reference's
    seeds (the run-to-run spread a difference must leave), and U-Net vs DnCNN for each classifier."""
    b = bits(result)
    sd = seed_sd(result)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for ax, (group, (key, symbol)) in zip(axes, SWEEPS.items()):
        labels = result["groups"][group]
        xs = [f"{result['variants'][label]['overrides'][key]:g}" for label in labels]
        ax.errorbar(range(len(xs)), [100 * metric(result, label, "accuracy") for label in labels], yerr=sd,
                    marker="o", capsize=3, color=style("colorcnn")["color"],
                    label=None if sd is None else f"±{sd:.1f}: 1 s.d. of {len(result['groups']['noise']) + 1} "
                                                  "seeds of ColorCNN")
        if sd is not None:
            ax.legend(fontsize=7)
        ax.set_xticks(range(len(xs)), xs)
        ax.set_xlabel(symbol)
        ax.set_ylabel(f"accuracy (%) at {b} bit")
        ax.grid(alpha=0.3)
    per_clf = _backbone(result)
    clfs = sorted(per_clf)
    for k, name in enumerate(BACKBONE_NAMES.values()):
        axes[2].bar([i + 0.4 * k - 0.2 for i in range(len(clfs))], [per_clf[c][name] for c in clfs], width=0.4,
                    label=name)
    axes[2].set_xticks(range(len(clfs)), clfs)
    axes[2].set_ylabel(f"accuracy (%) at {b} bit")
    axes[2].set_title("backbone", fontsize=9)
    axes[2].legend(fontsize=8)
    return _titled(fig, "Fig. 17: ColorCNN ablations", result, result["groups"]["table5"][0])


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


# ---------------------------------------------------------------- Fig. 18 (ColorCNN+ ablation, notebook 07)

FIG18_PANELS = {"alpha": "α (R_info weight)", "beta": "β (R_conf weight)", "pace": "task selection pace"}
FIG18_PAPER_BEST = {"alpha": "α=1", "beta": "β=1", "pace": "a new task every 20 batches"}


def fig18_curves(result: Mapping) -> dict[str, dict[str, dict[int, float]]]:
    """{"MedianCut": {bits: accuracy}} of the reference variant, then {group: {variant: {bits: accuracy}}}."""
    ref = result["groups"]["references"][0]
    curves = {"MedianCut": {"MedianCut": metric_table(result, "mediancut", labels=[ref])[ref]}}
    curves.update({group: metric_table(result, "colorcnn+", labels=result["groups"][group]) for group in FIG18_PANELS})
    return curves


def fig18(result: Mapping) -> Figure:
    """Fig. 18: ColorCNN+ accuracy against the colour-space size for the α, β and task-pace variants, with
    MedianCut dashed in each panel."""
    curves = fig18_curves(result)
    mc = curves["MedianCut"]["MedianCut"]
    xs = sorted(mc)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
    for ax, (group, title) in zip(axes, FIG18_PANELS.items()):
        for colour, (label, per) in zip(("tab:orange", "tab:green", "tab:red"), curves[group].items()):
            ax.plot(xs, [100 * per[b] for b in xs], marker="o", color=colour, label=label)
        ax.plot(xs, [100 * mc[b] for b in xs], ls="--", color=style("mediancut")["color"], label="MedianCut")
        ax.set_title(title, fontsize=9)
        ax.set_xticks(xs)
        ax.set_xlabel("colour-space size (bits)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("accuracy (%)")
    return _titled(fig, "Fig. 18: ColorCNN+ ablations", result, result["groups"]["references"][0],
                   result["config"]["classifier"]["classifier"])


def fig18_table(result: Mapping) -> str:
    """Markdown: accuracy (%) of MedianCut and of every ColorCNN+ variant at each size (no paper numbers)."""
    curves = fig18_curves(result)
    rows = {**curves["MedianCut"], **{k: v for group in FIG18_PANELS for k, v in curves[group].items()}}
    v = result["variants"][result["groups"]["references"][0]]
    return (f"Accuracy (%), ours ({v['data']['name']}, {result['profile']} profile, {v['data']['count']} "
            f"{v['data']['split']} images; original images {100 * v['original']['accuracy']:.1f}%). The paper has no "
            "numbers for Fig. 18.\n\n" + beside_paper(rows, {}))


def fig18_summary(result: Mapping) -> str:
    """Markdown bullets: per group, the variant with the best mean accuracy over the sizes, and the paper's."""
    curves = fig18_curves(result)
    sizes = len(curves["MedianCut"]["MedianCut"])
    lines = []
    for group, title in FIG18_PANELS.items():
        mean = {label: sum(per.values()) / len(per) for label, per in curves[group].items()}
        best = max(mean, key=mean.__getitem__)
        lines.append(f"- {title}: best {best} ({100 * mean[best]:.1f}% mean over {sizes} bit sizes); "
                     f"paper: {FIG18_PAPER_BEST[group]}")
    return "\n".join(lines)
