"""Model definitions: backbones, ColorCNN / ColorCNN+, classifiers, and their checkpoints."""
from .checkpoint import (
    classifier_checkpoint,
    classifier_from_checkpoint,
    load_checkpoint,
    load_classifier,
    load_model,
    load_quantizer_net,
    quantizer_checkpoint,
    quantizer_from_checkpoint,
    save_checkpoint,
)
from .classifiers import (
    CLASSIFIERS,
    NormalizedClassifier,
    build_classifier,
    build_normalized_classifier,
    normalization_stats,
    register_classifier,
)
from .colorcnn import ColorCNN, ColorCNNPlus, ColorQuantizerNet, QuantizerOutput
from .dncnn import DnCNN
from .unet import UNet

__all__ = [
    "CLASSIFIERS",
    "ColorCNN",
    "ColorCNNPlus",
    "ColorQuantizerNet",
    "DnCNN",
    "NormalizedClassifier",
    "QuantizerOutput",
    "UNet",
    "build_classifier",
    "build_normalized_classifier",
    "classifier_checkpoint",
    "classifier_from_checkpoint",
    "load_checkpoint",
    "load_classifier",
    "load_model",
    "load_quantizer_net",
    "normalization_stats",
    "quantizer_checkpoint",
    "quantizer_from_checkpoint",
    "register_classifier",
    "save_checkpoint",
]
