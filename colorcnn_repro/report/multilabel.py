"""Table 2 of the multi-label study (:func:`colorcnn_repro.experiments.studies.multilabel_voc`, notebook
``10_multilabel_voc``): MedianCut and ColorCNN+ accuracy and mAP beside the paper's, as a table and a figure,
and Fig. 13's examples."""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .. import paper_numbers
from ..plots import style
from ..results import Examples, Scores
from .examples import Spec, data_study_figure, data_study_spec, only_variant
from .tables import beside_paper, metric_table

METHODS = {"MedianCut": "mediancut", "ColorCNN+": "colorcnn+"}
METRICS = ("accuracy", "mAP")


def table2(result: Mapping) -> str:
    """Markdown: the setup line, then accuracy and mAP (%) per colour-space size, ours above the paper's."""
    label, v = only_variant(result)
    parts = [f"Ours: {v['data']['name']}, {result['config']['classifier']['classifier']}, {result['profile']} "
             f"profile, {v['data']['count']} {v['data']['split']} images; original images "
             f"{100 * v['original']['accuracy']:.1f}% accuracy / {100 * v['original']['mAP']:.1f} mAP (paper: "
             f"{paper_numbers.TABLE2['original']['accuracy']}% / {paper_numbers.TABLE2['original']['mAP']} mAP, "
             "ResNet18 on VOC 2012 val)."]
    for metric in METRICS:
        rows = {name: metric_table(result, m, metric)[label] for name, m in METHODS.items()}
        parts.append(f"**{metric}** (%)\n\n" + beside_paper(rows, paper_numbers.TABLE2[metric], names=METHODS))
    return "\n\n".join(parts)


def table2_figure(result: Mapping) -> Figure:
    """Accuracy and mAP against the colour-space size, ours solid, the paper's dashed, original images dotted."""
    _, v = only_variant(result)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, metric in zip(axes, METRICS):
        for m in METHODS.values():
            per, s = Scores(v).per_bits(m), style(m)
            ax.plot(list(per), [100 * p[metric] for p in per.values()], marker=s["marker"], color=s["color"],
                    label=s["label"])
            paper = paper_numbers.TABLE2[metric][m]
            ax.plot(list(paper), list(paper.values()), ls="--", color=s["color"], mfc="none", marker=s["marker"],
                    alpha=0.6, label=f"paper: {s['label']}")
        ax.axhline(100 * v["original"][metric], color="grey", ls=":", label="original images (ours)")
        ax.set_xlabel("colour-space size (bits)")
        ax.set_ylabel(f"{metric} (%)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(f"Table 2: multi-label VOC · {result['profile']} profile · {v['data']['name']} · "
                 f"{v['data']['count']} images", fontsize=9)
    fig.tight_layout()
    return fig


def fig13_spec(result: Mapping) -> Spec:
    """Fig. 13: MedianCut and ColorCNN+ at 2 bits (the smallest size run when 2 was not)."""
    bits = Scores(only_variant(result)[1]).bits("colorcnn+")
    return data_study_spec(result, 2 if 2 in bits else min(bits))


def fig13(result: Mapping, examples: Examples) -> Figure:
    """Fig. 13: four images of :func:`fig13_spec`."""
    return data_study_figure(result, examples, "Fig. 13: multi-label VOC")
