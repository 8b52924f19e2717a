"""Every quantization method by one name: ``quantizer("colorcnn+")``, ``quantize(image, "colorcnn+", 4)``.

The classical names are :data:`colorcnn_repro.quantizers.METHODS`, served by
:class:`~colorcnn_repro.quantizers.ClassicalQuantizer`; the learned ones
(:data:`~colorcnn_repro.methods.LEARNED`) by the zoo's trained model for the given dataset,
classifier and profile, as a :class:`~colorcnn_repro.quantizers.LearnedQuantizer`. Both offer the one
interface :class:`~colorcnn_repro.quantizers.Quantizer`.
"""
from __future__ import annotations

import warnings
from functools import lru_cache
from typing import cast

import torch

from ..methods import LEARNED, learned
from ..models.colorcnn import ColorQuantizerNet
from ..profiles import PIPELINE_CHECK
from ..quantized import Quantized
from ..quantizers import METHODS, ClassicalQuantizer, Quantizer
from ..quantizers.classical import ImageLike
from ..quantizers.learned import LearnedQuantizer
from .pretrained import load_pretrained

ALL_METHODS = (*METHODS, *LEARNED)


def pretrained_quantizer(name: str = "colorcnn+", colors: int | None = None, dataset: str = "cifar10",
                         classifier: str = "alexnet", profile: str = "cpu",
                         device: str | torch.device | None = None) -> LearnedQuantizer:
    """The learned method ``name`` from the zoo or a local run of the same config. A per-C method's (ColorCNN's)
    nets load lazily, one per C; ``colors`` loads (and checks) that one now, so a missing model shows at once.
    A model of a pipeline-check profile (:data:`~colorcnn_repro.profiles.PIPELINE_CHECK`: ``smoke``) is used
    only when that profile is given, and then with a warning."""
    method = learned(name)

    def load(c: int | None) -> ColorQuantizerNet:
        return cast(ColorQuantizerNet, load_pretrained(name, dataset, classifier, c, profile))

    source = f"zoo {dataset}/{classifier}, profile {profile}"
    quantizer = LearnedQuantizer(load if method.per_color else load(None), device, source, name=name)
    if colors is not None:
        quantizer.net_for(colors)
    if PIPELINE_CHECK[profile]:
        warnings.warn(f"using the smoke-profile {name} model (trained for minutes on a few hundred images): "
                      "its outputs check the pipeline and say nothing about the method", stacklevel=2)
    return quantizer


@lru_cache(maxsize=8)
def quantizer(method: str, *, dataset: str = "cifar10", classifier: str = "alexnet", profile: str = "cpu",
              device: str | None = None) -> Quantizer:
    """Any method of :data:`ALL_METHODS` behind the one interface, loaded once per process; a learned one is
    the zoo model trained against ``classifier`` on ``dataset`` at ``profile``."""
    if method in LEARNED:
        return pretrained_quantizer(method, None, dataset, classifier, profile, device)
    if method not in METHODS:
        raise ValueError(f"unknown quantization method {method!r}; accepted: {', '.join(ALL_METHODS)}")
    return ClassicalQuantizer(method)


def quantize(image: ImageLike, method: str, colors: int, *, dataset: str = "cifar10", classifier: str = "alexnet",
             profile: str = "cpu", device: str | None = None) -> Quantized:
    """Quantize ``image`` to at most ``colors`` colours with any method of :data:`ALL_METHODS`
    (:func:`quantizer`'s)."""
    return quantizer(method, dataset=dataset, classifier=classifier, profile=profile, device=device).quantize(
        image, colors)
