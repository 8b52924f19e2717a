"""Table 4, its figures and Fig. 15 from the ColorCNN+ variant study
(:func:`colorcnn_repro.experiments.studies.variants_lambda`, notebook ``05_variants_lambda``): ColorCNN+ with
λ ∈ {0, 1, 3, 10} and without bottleneck, top-K or post-quantization augmentation, or with KD, beside MedianCut
and ColorCNN."""
from __future__ import annotations

from collections.abc import Mapping

from matplotlib.figure import Figure

from .. import paper_numbers
from ..plots import accuracy_vs_colors
from ..results import Examples, variant_scores
from .examples import Spec, examples_figure
from .tables import beside_paper, curves, metric_table

#: Our row labels → the paper's Table 4 rows.
PAPER_ROWS = {"MedianCut": "mediancut", "ColorCNN": "colorcnn", "λ=0": "colorcnn+ lambda=0",
              "λ=1": "colorcnn+ lambda=1", "λ=3": paper_numbers.TABLE4_DEFAULT, "λ=10": "colorcnn+ lambda=10",
              "w/o bottleneck": "colorcnn+ w/o bottleneck", "w/o top-K": "colorcnn+ w/o top-K",
              "w/o augmentation": "colorcnn+ w/o augmentation", "CE→KD": "colorcnn+ CE->KD"}


def reference(result: Mapping) -> str:
    """The label of the variant that evaluated MedianCut and ColorCNN."""
    return result["groups"]["references"][0]


def _where(result: Mapping) -> str:
    v = result["variants"][reference(result)]
    return f"{result['profile']} profile · {v['data']['name']}"


def table4(result: Mapping) -> str:
    """Markdown: every row's accuracy (%) per bit size, ours above the paper's Table 4 (CIFAR100 / ResNet18)."""
    ref, groups = reference(result), result["groups"]
    rows = {"MedianCut": metric_table(result, "mediancut", labels=[ref])[ref],
            "ColorCNN": metric_table(result, "colorcnn", labels=[ref])[ref],
            **metric_table(result, "colorcnn+", labels=groups["lambda"] + groups["variants"])}
    v = result["variants"][ref]
    clf = result["config"]["classifier"]["classifier"]
    return (f"Accuracy (%) of every variant, ours ({v['data']['name']}, {clf}, "
            f"{result['profile']} profile, {v['data']['count']} {v['data']['split']} images; original images "
            f"{100 * v['original']['accuracy']:.1f}%) and the paper's Table 4 (CIFAR100 / ResNet18; the cells of the "
            "four variant rows at 1, 2, 4, 5 and 6 bits are reconstructed from a garbled extraction, see "
            "`paper_numbers.TABLE4_UNCERTAIN`).\n\n" + beside_paper(rows, paper_numbers.TABLE4, names=PAPER_ROWS))


def _figure(result: Mapping, picks: dict[str, tuple[str, str]], title: str) -> Figure:
    fig = accuracy_vs_colors(curves(result, picks))
    fig.axes[0].set_title(f"{title}\n{_where(result)}", fontsize=9)
    return fig


def lambda_figure(result: Mapping) -> Figure:
    """Accuracy against colour-space size of ColorCNN+ at each λ, with MedianCut and ColorCNN."""
    ref = reference(result)
    picks = {"mediancut": (ref, "mediancut"), "colorcnn": (ref, "colorcnn"),
             **{label: (label, "colorcnn+") for label in result["groups"]["lambda"]}}
    return _figure(result, picks, "ColorCNN+ with imitation weight λ (Table 4)")


def variants_figure(result: Mapping) -> Figure:
    """Accuracy against colour-space size of the ColorCNN+ variants, with λ = 3 (the default) and MedianCut."""
    picks = {"mediancut": (reference(result), "mediancut"), "λ=3 (default)": ("λ=3", "colorcnn+"),
             **{label: (label, "colorcnn+") for label in result["groups"]["variants"]}}
    return _figure(result, picks, "ColorCNN+ variants (Table 4)")


def fig15_spec(result: Mapping) -> Spec:
    """Fig. 15: MedianCut and ColorCNN+ at each λ, at the largest bit size."""
    ref = reference(result)
    bits = max(variant_scores(result)[ref].bits("mediancut"))
    picks = {"MedianCut": (ref, "mediancut"), **{label: (label, "colorcnn+") for label in result["groups"]["lambda"]}}
    return picks, bits


def fig15(result: Mapping, examples: Examples) -> Figure:
    """Fig. 15: the validation images of :func:`fig15_spec`."""
    return examples_figure(examples, f"Fig. 15: MedianCut and ColorCNN+ with λ ({examples.params['bits']} bit, "
                                     f"{_where(result)})")


def lambda_summary(result: Mapping) -> str:
    """Markdown: ColorCNN+ accuracy at each λ at the smallest and largest bit size, and the best λ at each
    (the paper: λ = 0 at 1 bit, λ = 10 at 6 bits)."""
    lam = metric_table(result, "colorcnn+", labels=result["groups"]["lambda"])
    first = next(iter(lam.values()))
    lo, hi = min(first), max(first)
    lines = [f"- {b} bit: " + ", ".join(f"{k} {100 * lam[k][b]:.1f}%" for k in lam) for b in (lo, hi)]
    best = {b: max(lam, key=lambda k: lam[k][b]) for b in (lo, hi)}
    lines.append(f"- best λ at {lo} bit: {best[lo]} (paper at 1 bit: λ=0); at {hi} bit: {best[hi]} "
                 "(paper at 6 bits: λ=10)")
    return "\n".join(lines)
