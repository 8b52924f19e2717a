"""The model zoo: trained weights shipped in this folder, each ``<stage>-<config key>.pt`` beside its config
JSON (:mod:`.pretrained`), their readable index by tag such as ``colorcnn+/cifar10/alexnet/cpu`` (:mod:`.index`),
and every quantization method by name, the learned ones served by the zoo's models (:mod:`.methods`:
:func:`quantizer`, :func:`quantize`, :func:`pretrained_quantizer`)."""
from .index import ZooEntry, find_entry, zoo_index
from .methods import ALL_METHODS, pretrained_quantizer, quantize, quantizer
from .pretrained import available_colors, colors_text, load_pretrained, pretrained_config, publish

__all__ = ["ALL_METHODS", "ZooEntry", "available_colors", "colors_text", "find_entry", "load_pretrained",
           "pretrained_config", "pretrained_quantizer", "publish", "quantize", "quantizer", "zoo_index"]
