"""Every quantization method by one name: ``quantize(image, "colorcnn+", 4)``.

The classical names are :data:`colorcnn_repro.quantizers.METHODS`, the learned ones
:data:`~colorcnn_repro.quantizers.LEARNED_METHODS`, served by the zoo's trained model for the given dataset,
classifier and profile (loaded once per process). :func:`colorcnn_repro.quantizers.quantize` is the classical
floor's own entry, which starts without torch.
"""
from __future__ import annotations

from functools import lru_cache

from ..quantized import Quantized
from ..quantizers import LEARNED_METHODS, METHODS
from ..quantizers import quantize as classical_quantize
from ..quantizers.classical import ImageLike
from .learned import LearnedQuantizer

ALL_METHODS = (*METHODS, *LEARNED_METHODS)


@lru_cache(maxsize=8)
def pretrained_quantizer(method: str, dataset: str = "cifar10", classifier: str = "alexnet", profile: str = "cpu",
                         device: str | None = None) -> LearnedQuantizer:
    """The zoo's ``method`` ("colorcnn" or "colorcnn+") for these settings, loaded once per process."""
    return LearnedQuantizer.pretrained(method, None, dataset, classifier, profile, device)


def quantize(image: ImageLike, method: str, colors: int, *, dataset: str = "cifar10", classifier: str = "alexnet",
             profile: str = "cpu", device: str | None = None) -> Quantized:
    """Quantize ``image`` to at most ``colors`` colours with any method of :data:`ALL_METHODS`; a learned one
    uses the zoo model trained against ``classifier`` on ``dataset`` at ``profile``."""
    if method in LEARNED_METHODS:
        return pretrained_quantizer(method, dataset, classifier, profile, device).quantize(image, colors,
                                                                                          progress=False)
    if method not in METHODS:
        raise ValueError(f"unknown quantization method {method!r}; accepted: {', '.join(ALL_METHODS)}")
    return classical_quantize(image, method, colors)
