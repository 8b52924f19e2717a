"""Classical colour quantizers: per-image methods, exact vectorised Floyd–Steinberg, and a batched hot path."""
from .batched import quantize_batch, to_quantized
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
from .learned import LearnedQuantizer

__all__ = [
    "METHODS",
    "LearnedQuantizer",
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
