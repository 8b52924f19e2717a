"""U-Net feature extractor (Ronneberger et al.; the bilinear-upsampling form used by the authors)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def double_conv(c_in: int, c_out: int) -> nn.Sequential:
    """(3×3 conv with bias → BN → ReLU) × 2."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        nn.Conv2d(c_out, c_out, 3, padding=1),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class Up(nn.Module):
    """Bilinear ×2 upsampling, concatenation with the skip connection, double conv."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.conv = double_conv(c_in, c_out)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)
        return self.conv(torch.cat([skip, x], dim=1))


class UNet(nn.Module):
    """Four-level U-Net returning a ``width``-channel feature map at input resolution.

    ``width=64`` gives the paper's 13,395,264 parameters. Inputs must have sides divisible by 16.
    """

    def __init__(self, width: int = 64, in_channels: int = 3) -> None:
        super().__init__()
        w = width
        self.out_channels = w
        self.inc = double_conv(in_channels, w)
        self.downs = nn.ModuleList(
            [double_conv(a, b) for a, b in [(w, 2 * w), (2 * w, 4 * w), (4 * w, 8 * w), (8 * w, 8 * w)]]
        )
        self.ups = nn.ModuleList(
            [Up(a, b) for a, b in [(16 * w, 4 * w), (8 * w, 2 * w), (4 * w, w), (2 * w, w)]]
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        if h % 16 or w % 16:
            raise ValueError(f"U-Net needs image sides divisible by 16, got {h}×{w}")
        skips = [self.inc(x)]
        for down in self.downs:
            skips.append(down(F.max_pool2d(skips[-1], 2)))
        x = skips.pop()
        for up in self.ups:
            x = up(x, skips.pop())
        return x
