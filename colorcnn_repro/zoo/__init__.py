"""The model zoo: trained weights shipped in this folder, each ``<stage>-<config key>.pt`` beside its config
JSON (:mod:`.pretrained`), their readable index by tag such as ``colorcnn+/cifar10/alexnet/cpu`` (:mod:`.index`),
and :class:`LearnedQuantizer`, ColorCNN / ColorCNN+ behind the classical quantizers' interface (:mod:`.learned`),
and :func:`quantize`, every method by name (:mod:`.methods`)."""
from .index import ZooEntry, zoo_index
from .learned import FewColorsWarning, LearnedQuantizer, tiled_quantize
from .methods import ALL_METHODS, pretrained_quantizer, quantize
from .pretrained import NAMES, available_colors, colors_text, load_pretrained, pretrained_config, publish

__all__ = ["ALL_METHODS", "NAMES", "FewColorsWarning", "LearnedQuantizer", "ZooEntry", "available_colors",
           "colors_text", "load_pretrained", "pretrained_config", "pretrained_quantizer", "publish", "quantize",
           "tiled_quantize", "zoo_index"]
