"""Model definitions: backbones, ColorCNN / ColorCNN+, classifiers."""
from .classifiers import (CLASSIFIERS, NormalizedClassifier, build_classifier, build_normalized_classifier,
                          normalization_stats, register_classifier)
from .colorcnn import (ColorCNN, ColorCNNPlus, ColorQuantizerNet, QuantizerOutput, quantizer_checkpoint,
                       quantizer_from_checkpoint)
from .dncnn import DnCNN
from .unet import UNet
