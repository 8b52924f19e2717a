"""Display names, the one place they are kept: methods, datasets, classifiers and backbones by their ids.
The learned methods' come from their specs. Ground floor: imports only those."""
from __future__ import annotations

from .methods import LEARNED

METHOD_NAMES = {"mediancut": "MedianCut", "octree": "OCTree", "dither": "MedianCut+Dither", "kmeans": "k-means",
                "libimagequant": "libimagequant", **{name: m.title for name, m in LEARNED.items()}}
DATASET_NAMES = {"cifar10": "CIFAR10", "cifar100": "CIFAR100", "stl10": "STL10", "tinyimagenet": "Tiny200",
                 "voc2012": "VOC2012"}
CLASSIFIER_NAMES = {"alexnet": "AlexNet", "vgg16": "VGG16", "resnet18": "ResNet18"}
BACKBONE_NAMES = {"unet": "U-Net", "dncnn": "DnCNN"}
