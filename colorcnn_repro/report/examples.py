"""Figs. 13–14: the first evaluation images of a one-variant data study (multi-label VOC, stylized images),
MedianCut beside ColorCNN+, and the study's one variant."""
from __future__ import annotations

from collections.abc import Mapping

from matplotlib.figure import Figure

from ..experiments.studies import quantized_examples
from ..plots import examples_grid


def only_variant(result: Mapping) -> tuple[str, Mapping]:
    """(label, entry) of a data study's single variant."""
    label = next(iter(result["variants"]))
    return label, result["variants"][label]


def examples_figure(result: Mapping, bits: int, figure: str, n: int = 4) -> Figure:
    """The first ``n`` images, original, MedianCut and ColorCNN+ at ``2**bits`` colours, titled
    ``"<figure>: …"`` with the bit size, profile and dataset."""
    label, v = only_variant(result)
    examples = quantized_examples(result, {"MedianCut": (label, "mediancut"), "ColorCNN+": (label, "colorcnn+")},
                                  bits, n=n)
    return examples_grid(examples, title=f"{figure} ({bits} bit, {result['profile']} profile, {v['data']['name']})")
