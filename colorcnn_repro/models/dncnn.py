"""DnCNN feature extractor (Zhang et al.), the backbone variant of the paper's Fig. 17."""
from __future__ import annotations

import torch
from torch import nn


class DnCNN(nn.Module):
    """17 plain 3×3 conv layers, no skip connections; returns a ``width``-channel map at input size."""

    def __init__(self, width: int = 64, depth: int = 17, in_channels: int = 3) -> None:
        super().__init__()
        self.out_channels = width
        layers: list[nn.Module] = [nn.Conv2d(in_channels, width, 3, padding=1, bias=False), nn.ReLU(inplace=True)]
        for _ in range(depth - 2):
            layers += [nn.Conv2d(width, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
        layers.append(nn.Conv2d(width, width, 3, padding=1, bias=False))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        if h % 16 or w % 16:
            raise ValueError(f"DnCNN (as a ColorCNN backbone) needs image sides divisible by 16, got {h}×{w}")
        return self.net(x)
