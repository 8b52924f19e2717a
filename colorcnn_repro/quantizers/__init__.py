"""Colour quantizers: the classical per-image methods, exact vectorised Floyd–Steinberg, a batched hot path, the
learned quantizer over trained networks, and the one interface they share.

Every method, classical or learned, offers the one :class:`Quantizer` interface (:mod:`.interface`):
:class:`ClassicalQuantizer` by name, :class:`LearnedQuantizer` over trained ColorCNN / ColorCNN+ networks
(:mod:`.learned`; the zoo's models by name through :func:`colorcnn_repro.zoo.quantizer`). The torch-based names
(``quantize_batch``, ``to_quantized``, ``LearnedQuantizer``, ``FewColorsWarning``, ``tiled_quantize``) load on
first use, so the classical methods start without importing torch.
"""
from importlib import import_module
from typing import Any

from .classical import (
    METHODS,
    as_rgb,
    check_colors,
    check_method,
    kmeans,
    libimagequant,
    load_image,
    mediancut,
    mediancut_dither,
    octree,
    quantize,
)
from .dither import floyd_steinberg, floyd_steinberg_reference
from .interface import ClassicalQuantizer, Quantizer, quantizers_for

_LAZY = {"quantize_batch": "batched", "to_quantized": "batched", "LearnedQuantizer": "learned",
         "FewColorsWarning": "learned", "tiled_quantize": "learned"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ClassicalQuantizer",
    "FewColorsWarning",
    "LearnedQuantizer",
    "METHODS",
    "as_rgb",
    "check_colors",
    "check_method",
    "floyd_steinberg",
    "floyd_steinberg_reference",
    "kmeans",
    "libimagequant",
    "load_image",
    "mediancut",
    "mediancut_dither",
    "octree",
    "quantize",
    "quantize_batch",
    "Quantizer",
    "quantizers_for",
    "tiled_quantize",
    "to_quantized",
]
