"""Batched augmentation with random parameters drawn per image (no per-sample Python work).

The parameters are drawn from the epoch's seeded CPU generator (small tensors, one value per image, so that
runs are reproducible and a resumed run repeats them), then moved to the images' device, where the
augmentation itself runs. Draws go through :func:`~colorcnn_repro.parallel.per_image`, so a batch sharded
over torchrun processes sees the single-process draws; in a single process they are the plain draws.
"""
from __future__ import annotations

import math
from functools import partial

import torch
import torch.nn.functional as F

from ..parallel import per_image


def random_flip(x: torch.Tensor, g: torch.Generator, *extra: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Flip each image horizontally with p = 0.5; the same flip is applied to ``extra`` (…×H×W maps)."""
    flip = per_image(torch.rand, x.shape[0], generator=g) < 0.5
    flip = flip.to(x.device)
    out = [torch.where(flip.view(-1, *[1] * (x.ndim - 1)), x.flip(-1), x)]
    out += [torch.where(flip.view(-1, *[1] * (t.ndim - 1)), t.flip(-1), t) for t in extra]
    return tuple(out)


def random_crop(x: torch.Tensor, pad: int, g: torch.Generator) -> torch.Tensor:
    """Zero-pad by ``pad`` and crop back to size at a random offset per image (RandomCrop(s, pad))."""
    b, _, h, w = x.shape
    padded = F.pad(x, (pad, pad, pad, pad))
    oy = per_image(partial(torch.randint, 0, 2 * pad + 1), b, generator=g).to(x.device)
    ox = per_image(partial(torch.randint, 0, 2 * pad + 1), b, generator=g).to(x.device)
    rows = (oy[:, None] + torch.arange(h, device=x.device)).view(b, 1, h, 1)
    cols = (ox[:, None] + torch.arange(w, device=x.device)).view(b, 1, 1, w)
    bi = torch.arange(b, device=x.device).view(b, 1, 1, 1)
    ci = torch.arange(x.shape[1], device=x.device).view(1, -1, 1, 1)
    return padded[bi, ci, rows, cols]


def classifier_augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Flip + RandomCrop(pad = size/8), the standard training augmentation for the classifiers."""
    (x,) = random_flip(x, g)
    return random_crop(x, x.shape[-1] // 8, g)


def random_affine(x: torch.Tensor, g: torch.Generator, degrees: float = 15.0, translate: float = 0.125) -> torch.Tensor:
    """Per-image flip, rotation in ±degrees and translation up to ±translate·size, zero fill (one
    grid_sample for the batch); differentiable with respect to ``x``."""
    b = x.shape[0]
    angle = (per_image(torch.rand, b, generator=g) * 2 - 1) * math.radians(degrees)
    flip = torch.where(per_image(torch.rand, b, generator=g) < 0.5, -1.0, 1.0)
    shift = (per_image(torch.rand, b, 2, generator=g) * 2 - 1) * translate * 2  # grid units span 2
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([torch.stack([cos * flip, -sin, shift[:, 0]], 1),
                         torch.stack([sin * flip, cos, shift[:, 1]], 1)], 1).to(x)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def random_erasing(x: torch.Tensor, g: torch.Generator, p: float = 0.5,
                   area: tuple[float, float] = (0.02, 0.33), ratio: tuple[float, float] = (0.3, 3.3)) -> torch.Tensor:
    """Random erasing (Zhong et al.) with p per image: a random rectangle set to zero."""
    b, _, h, w = x.shape
    apply = per_image(torch.rand, b, generator=g) < p
    s = (per_image(torch.rand, b, generator=g) * (area[1] - area[0]) + area[0]) * h * w
    log_r = per_image(torch.rand, b, generator=g) * (math.log(ratio[1]) - math.log(ratio[0])) + math.log(ratio[0])
    r = torch.exp(log_r)
    eh = torch.sqrt(s * r).round().clamp(1, h).long()
    ew = torch.sqrt(s / r).round().clamp(1, w).long()
    y0 = (per_image(torch.rand, b, generator=g) * (h - eh + 1)).long()
    x0 = (per_image(torch.rand, b, generator=g) * (w - ew + 1)).long()
    apply, eh, ew, y0, x0 = (t.to(x.device) for t in (apply, eh, ew, y0, x0))  # the box is made on x's device
    ys = torch.arange(h, device=x.device).view(1, h, 1)
    xs = torch.arange(w, device=x.device).view(1, 1, w)
    box = (ys >= y0.view(b, 1, 1)) & (ys < (y0 + eh).view(b, 1, 1)) & (xs >= x0.view(b, 1, 1)) & \
          (xs < (x0 + ew).view(b, 1, 1)) & apply.view(b, 1, 1)
    return x * (~box).unsqueeze(1).to(x)


def post_quantization_augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """ColorCNN+ augmentation after quantization (Sec. 3.6.2): flip, crop, rotation, erasing."""
    return random_erasing(random_affine(x, g), g)
