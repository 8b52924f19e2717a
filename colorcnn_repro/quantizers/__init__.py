"""Classical colour quantizers: per-image methods, exact vectorised Floyd–Steinberg, and a batched hot path.

The torch-based names (``quantize_batch``, ``to_quantized``) load on first use, so the classical methods start
without importing torch. The learned quantizers are :class:`colorcnn_repro.zoo.LearnedQuantizer`.
"""
from importlib import import_module
from typing import Any

from .classical import (
    LEARNED_METHODS,
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

_LAZY = {"quantize_batch": "batched", "to_quantized": "batched"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "LEARNED_METHODS",
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
    "to_quantized",
]
