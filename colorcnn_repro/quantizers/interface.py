"""The one interface of every quantization method: ``quantize(image, colors) -> Quantized`` for one image and
``quantize_set(images, colors) -> QuantizedSet`` for N images of one size.

:class:`ClassicalQuantizer` serves the classical methods (:data:`~.classical.METHODS`);
:class:`~.learned.LearnedQuantizer` serves ColorCNN and ColorCNN+ with the same two methods, and
:func:`colorcnn_repro.zoo.quantizer` gives either by name. C is checked once, by the method that does the work.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..quantized import Quantized, QuantizedSet
from .classical import METHODS, ImageLike, check_method


class Quantizer(Protocol):
    """A quantization method."""

    @property
    def name(self) -> str:
        """The method's id (``mediancut``, ``colorcnn+``, …)."""
        ...

    def quantize(self, image: ImageLike, colors: int) -> Quantized:
        """``image`` (a path, PIL image or H×W×3 array) with at most ``colors`` colours."""
        ...

    def quantize_set(self, images: np.ndarray, colors: int) -> QuantizedSet:
        """N×H×W×3 uint8 ``images`` with at most ``colors`` colours each."""
        ...


@dataclass(frozen=True)
class ClassicalQuantizer:
    """A classical method by name; ``workers > 0`` spreads a set's images over that many processes
    (:func:`~.batched.quantize_batch`)."""

    name: str
    workers: int = 0

    def __post_init__(self) -> None:
        check_method(self.name)

    def quantize(self, image: ImageLike, colors: int) -> Quantized:
        return METHODS[self.name](image, colors)

    def quantize_set(self, images: np.ndarray, colors: int) -> QuantizedSet:
        from .batched import quantize_batch  # torch: loaded on first use

        index, palette = quantize_batch(images, self.name, colors, workers=self.workers)
        return QuantizedSet(index.numpy().astype(np.uint8), palette.numpy())


def quantizers_for(methods: Sequence[str], learned: Mapping[str, Quantizer] | None = None,
                   workers: int = 0) -> dict[str, Quantizer]:
    """``{method: quantizer}`` for ``methods``: the classical ones by name (a set spread over ``workers``
    processes), the others (learned, or a user's) from ``learned``; a ValueError names one that ``learned``
    lacks."""
    learned = learned or {}
    missing = [m for m in methods if m not in METHODS and m not in learned]
    if missing:
        raise ValueError(f"no quantizer given for {', '.join(missing)}; given: {', '.join(learned) or 'none'}")
    return {m: ClassicalQuantizer(m, workers) if m in METHODS else learned[m] for m in methods}
