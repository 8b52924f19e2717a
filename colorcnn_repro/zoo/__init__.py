"""The model zoo: trained weights shipped in this folder, each ``<stage>-<config key>.pt`` beside its config
JSON (:mod:`.pretrained`), and :class:`LearnedQuantizer`, ColorCNN / ColorCNN+ behind the classical quantizers'
interface (:mod:`.learned`)."""
from .learned import FewColorsWarning, LearnedQuantizer, tiled_quantize
from .pretrained import NAMES, available_colors, colors_text, load_pretrained, pretrained_config, publish

__all__ = ["NAMES", "FewColorsWarning", "LearnedQuantizer", "available_colors", "colors_text", "load_pretrained",
           "pretrained_config", "publish", "tiled_quantize"]
