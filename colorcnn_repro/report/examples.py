"""Figs. 13–15: example images of a study. Each figure has a spec, ``(picks, bits)`` with ``picks[column] =
(variant label, method)``, that :func:`colorcnn_repro.experiments.examples.study_examples` computes the
examples of; the figure draws them, the originals first."""
from __future__ import annotations

from collections.abc import Mapping

from matplotlib.figure import Figure

from ..plots import examples_grid
from ..results import Examples

#: What a study's example figure shows: ``({column: (variant label, method)}, bits)``.
Spec = tuple[dict[str, tuple[str, str]], int]


def only_variant(result: Mapping) -> tuple[str, Mapping]:
    """(label, entry) of a data study's single variant."""
    label = next(iter(result["variants"]))
    return label, result["variants"][label]


def data_study_spec(result: Mapping, bits: int) -> Spec:
    """MedianCut and ColorCNN+ of a data study's one variant at ``bits`` (Figs. 13–14)."""
    label, _ = only_variant(result)
    return {"MedianCut": (label, "mediancut"), "ColorCNN+": (label, "colorcnn+")}, bits


def examples_figure(examples: Examples, title: str) -> Figure:
    """The examples' images, one row per image: the original, then each column of the spec."""
    columns = {"original": list(examples.images),
               **{curve: [q.to_rgb() for q in qs] for curve, qs in examples.quantized.items()}}
    return examples_grid(columns, title=title)


def data_study_figure(result: Mapping, examples: Examples, figure: str) -> Figure:
    """A data study's examples titled ``"<figure>: …"`` with the bit size, profile and dataset."""
    _, v = only_variant(result)
    return examples_figure(examples, f"{figure} ({examples.params['bits']} bit, {result['profile']} profile, "
                                     f"{v['data']['name']})")
