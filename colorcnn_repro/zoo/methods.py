"""Every quantization method by one name: ``quantizer("colorcnn+")``, ``quantize(image, "colorcnn+", 4)``.

The classical names are :data:`colorcnn_repro.quantizers.METHODS`, served by
:class:`~colorcnn_repro.quantizers.ClassicalQuantizer`; the learned ones
(:data:`~colorcnn_repro.quantizers.LEARNED_METHODS`) by the zoo's trained model for the given dataset,
classifier and profile, as a :class:`~colorcnn_repro.quantizers.LearnedQuantizer`. Both offer the one
interface :class:`~colorcnn_repro.quantizers.Quantizer`.
"""
from __future__ import annotations

import warnings
from functools import lru_cache
from typing import cast

import torch

from ..models.colorcnn import QUANTIZER_NETS, ColorQuantizerNet
from ..profiles import PIPELINE_CHECK
from ..quantized import Quantized
from ..quantizers import LEARNED_METHODS, METHODS, ClassicalQuantizer, Quantizer
from ..quantizers.classical import ImageLike
from ..quantizers.learned import LearnedQuantizer
from .pretrained import load_pretrained

ALL_METHODS = (*METHODS, *LEARNED_METHODS)


def pretrained_quantizer(name: str = "colorcnn+", colors: int | None = None, dataset: str = "cifar10",
                         classifier: str = "alexnet", profile: str = "cpu",
                         device: str | torch.device | None = None) -> LearnedQuantizer:
    """``name`` ("colorcnn" or "colorcnn+") from the zoo or a local run of the same config. ColorCNN nets
    load lazily, one per C; ``colors`` loads (and checks) that one now, so a missing model shows at once.
    A model of a pipeline-check profile (:data:`~colorcnn_repro.profiles.PIPELINE_CHECK`: ``smoke``) is used
    only when that profile is given, and then with a warning."""
    if name not in QUANTIZER_NETS:
        raise ValueError(f"unknown learned quantizer {name!r}; accepted: {', '.join(QUANTIZER_NETS)}")

    def load(c: int | None) -> ColorQuantizerNet:
        return cast(ColorQuantizerNet, load_pretrained(name, dataset, classifier, c, profile))

    source = f"zoo {dataset}/{classifier}, profile {profile}"
    quantizer = (LearnedQuantizer(load, device, source) if name == "colorcnn"
                 else LearnedQuantizer(load(None), device, source))
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
    if method in LEARNED_METHODS:
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
