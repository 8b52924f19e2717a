"""A quantizer of one's own, to evaluate beside the paper's methods (docs/compare-your-quantizer.md).

Luminance bins: the pixels of an image are split into C groups of (nearly) equal size by their luminance, and
each group is drawn in its mean colour. It knows nothing of the classifier: a baseline to beat.
"""
from __future__ import annotations

import numpy as np

from colorcnn_repro.quantized import Quantized
from colorcnn_repro.quantizers import as_rgb

LUMA = np.array([0.299, 0.587, 0.114])


class LuminanceBins:
    """The quantizers' interface: a ``name`` and ``quantize(image, colors) -> Quantized``. A set of images is
    quantized one image at a time unless the class also has ``quantize_set``."""

    name = "luminance-bins"

    def quantize(self, image, colors: int) -> Quantized:
        rgb = as_rgb(image)
        luma = rgb @ LUMA
        edges = np.quantile(luma, np.linspace(0, 1, colors + 1)[1:-1])
        index = np.searchsorted(edges, luma, side="right").astype(np.uint8)
        palette = np.zeros((colors, 3), dtype=np.uint8)
        for c in np.unique(index):
            palette[c] = rgb[index == c].mean(axis=0).round()
        return Quantized(index, palette)
