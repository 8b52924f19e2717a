"""The classifiers of the paper in their CIFAR-style forms, with a registry so that configs name them."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

CLASSIFIERS: dict[str, Callable[..., nn.Module]] = {}


def register_classifier(name: str) -> Callable:
    def wrap(fn: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        CLASSIFIERS[name] = fn
        return fn

    return wrap


def build_classifier(name: str, num_classes: int) -> nn.Module:
    """Build a registered classifier (logits; :class:`NormalizedClassifier` says how they are read)."""
    if name not in CLASSIFIERS:
        raise ValueError(f"unknown classifier {name!r}; accepted: {', '.join(sorted(CLASSIFIERS))}")
    if num_classes < 1:
        raise ValueError(f"num_classes must be >= 1, got {num_classes}")
    return CLASSIFIERS[name](num_classes)


def conv_relu(c_in: int, c_out: int, stride: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1), nn.ReLU(inplace=True)]


@register_classifier("alexnet")
class AlexNet(nn.Module):
    """CIFAR-style AlexNet: five 3×3 convs, no BN, global average pooling (2,254,154 params at 10 classes)."""

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        self.features = nn.Sequential(
            *conv_relu(3, 64, stride=2), nn.MaxPool2d(2),
            *conv_relu(64, 192), nn.MaxPool2d(2),
            *conv_relu(192, 384),
            *conv_relu(384, 256),
            *conv_relu(256, 256), nn.MaxPool2d(2),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(256, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pool(self.features(x)).flatten(1))


VGG16_CFG: list[int | str] = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512]


@register_classifier("vgg16")
class VGG16(nn.Module):
    """VGG16 with BN after every conv, the last max-pool removed, global average pooling."""

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c = 3
        for v in VGG16_CFG:
            if isinstance(v, str):  # "M"
                layers.append(nn.MaxPool2d(2))
            else:
                layers += [nn.Conv2d(c, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
                c = v
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(512, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pool(self.features(x)).flatten(1))


class BasicBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(c_out),
            nn.ReLU(inplace=True),
            nn.Conv2d(c_out, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out),
        )
        self.shortcut = (
            nn.Identity() if stride == 1 and c_in == c_out
            else nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out))
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.body(x) + self.shortcut(x))


@register_classifier("resnet18")
class ResNet18(nn.Module):
    """CIFAR-style ResNet18: 3×3 stem without max-pool, BasicBlocks [2, 2, 2, 2]."""

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True))
        blocks, c = [], 64
        for width, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            blocks += [BasicBlock(c, width, stride), BasicBlock(width, width, 1)]
            c = width
        self.layers = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(512, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pool(self.layers(self.stem(x))).flatten(1))


DATASET_STATS = {
    "cifar10": ((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)),
    "cifar100": ((0.5071, 0.4865, 0.4409), (0.2673, 0.2564, 0.2762)),
}
IMAGENET_STATS = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


def normalization_stats(dataset: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean/std used to normalize inputs: CIFAR statistics, else ImageNet's."""
    return DATASET_STATS.get(dataset, IMAGENET_STATS)


class NormalizedClassifier(nn.Module):
    """A classifier taking [0, 1] RGB images: ``body(normalize(x))``. ``normalize`` is exposed because
    ColorCNN training adds jitter and rescaling *after* normalization (Sec. 3.3.2). ``multilabel``: sigmoid
    outputs and BCE training instead of softmax and cross-entropy."""

    mean: torch.Tensor  # buffers
    std: torch.Tensor

    def __init__(self, body: nn.Module, mean: Sequence[float], std: Sequence[float], multilabel: bool = False) -> None:
        super().__init__()
        self.body = body
        self.multilabel = multilabel
        self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1))

    def normalize(self, x: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
        return (x - self.mean) / (self.std * scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(self.normalize(x))


def build_normalized_classifier(name: str, num_classes: int, dataset: str,
                                multilabel: bool = False) -> NormalizedClassifier:
    mean, std = normalization_stats(dataset)
    return NormalizedClassifier(build_classifier(name, num_classes), mean, std, multilabel)
