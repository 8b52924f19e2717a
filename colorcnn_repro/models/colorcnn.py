"""ColorCNN (Sec. 3.2–3.3) and ColorCNN+ (Sec. 3.4): a backbone, a colour probability map, and the
hard (test-time) and soft (train-time) quantized outputs.

Images enter and leave in [0, 1] RGB; the network itself sees them normalized with ``mean``/``std``.

ColorCNN+ pools the weights of its last 1×1 convolution before applying it (Eq. 8 is linear and that
convolution has no bias): the same logits as the D-channel map followed by the pooling, without making the
D-channel map. :func:`reference_ops` switches back to the plain form, against which tests and
``benchmarks/train_step.py`` check the outputs (≤ 1e-5). Training runs the models in channels-last memory
(``torch.channels_last``), where a 1×1 convolution is a plain matrix product.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .dncnn import DnCNN
from .unet import UNet

BACKBONES = {"unet": UNet, "dncnn": DnCNN}
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
EPS = 1e-8


_REFERENCE_OPS = False


@contextmanager
def reference_ops() -> Iterator[None]:
    """Within this block the heads and the relationship-preserving loss run as the paper writes them: NCHW 1×1
    convolutions, then the D → C pooling of Eq. 8 on the D-channel map; L_RP from the N×N relationship
    matrices (:func:`colorcnn_repro.losses.relationship_preserving_loss`). Same outputs as the default fast
    forms (≤ 1e-5); for tests and benchmarks."""
    global _REFERENCE_OPS
    before, _REFERENCE_OPS = _REFERENCE_OPS, True
    try:
        yield
    finally:
        _REFERENCE_OPS = before


def using_reference_ops() -> bool:
    """Whether a :func:`reference_ops` block is active."""
    return _REFERENCE_OPS


def build_backbone(name: str, width: int) -> nn.Module:
    if name not in BACKBONES:
        raise ValueError(f"unknown backbone {name!r}; accepted: {', '.join(BACKBONES)}")
    return BACKBONES[name](width=width)


def weighted_palette(x: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    """Palette as the m-weighted mean of pixels (Eq. 5; with one-hot m it is Eq. 3). x: B×3×H×W,
    m: B×C×H×W → B×C×3. Colours no pixel chooses get black."""
    num = torch.einsum("bchw,bkhw->bck", m, x)
    return num / (m.sum(dim=(2, 3)).unsqueeze(-1) + EPS)


def paint(m: torch.Tensor, palette: torch.Tensor) -> torch.Tensor:
    """Σ_c palette_c · m_c: weighted colour filling (Eq. 6), or table look-up for one-hot m (Eq. 4)."""
    return torch.einsum("bchw,bck->bkhw", m, palette)


def one_hot_map(index: torch.Tensor, colors: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """B×H×W indices → B×C×H×W one-hot map."""
    return F.one_hot(index, colors).permute(0, 3, 1, 2).to(dtype)


@dataclass
class QuantizerOutput:
    image: torch.Tensor  # B×3×H×W in [0, 1]: soft x̃ (train) or hard x̄ (test)
    prob: torch.Tensor  # B×C×H×W colour probability map m(x)
    palette: torch.Tensor  # B×C×3 in [0, 1]
    index: torch.Tensor | None = None  # B×H×W argmax map M(x) (test mode)


class ColorQuantizerNet(nn.Module):
    """Shared forward of ColorCNN and ColorCNN+; subclasses provide the C-channel logits."""

    mean: torch.Tensor  # buffers
    std: torch.Tensor
    config: dict[str, Any]  # the constructor's arguments, set by each subclass

    def __init__(self, backbone: str, width: int, mean=IMAGENET_MEAN, std=IMAGENET_STD,
                 palette_from_soft: bool = False, temperature: float = 1.0) -> None:
        super().__init__()
        if not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature!r}")
        self.backbone = build_backbone(backbone, width)
        self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1))
        self.palette_from_soft = palette_from_soft
        self.temperature = temperature

    def check_colors(self, colors: int) -> None:
        raise NotImplementedError

    def logits(self, features: torch.Tensor, colors: int) -> torch.Tensor:
        raise NotImplementedError

    def to_probabilities(self, logits: torch.Tensor) -> torch.Tensor:
        return logits.softmax(dim=1)

    def probability_map(self, x: torch.Tensor, colors: int) -> torch.Tensor:
        """m(x): B×C×H×W, sums to 1 over C at every pixel; the softmax sees the logits divided by the
        temperature T.

        The logit scale decides how fast training gets going: at the paper's scale (T = 1) the logits of a
        fresh model are tiny (ColorCNN+ averages D/C channels, so their spread is about 0.03 at C = 2), the
        softmax is nearly flat, the soft training image is a washed-out blend and the task loss's gradient is
        ~300× weaker at C = 2 than at C = 64. T = 0.1 (the authors' code has this temperature, the paper is
        silent) makes every C start from a usable map; a temperature keeps the architecture and its optimum
        unchanged, it only rescales the logits (docs/studies.md, short-budget recipe study)."""
        self.check_colors(colors)
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"expected a B×3×H×W image batch, got shape {tuple(x.shape)}")
        logits = self.logits(self.backbone((x - self.mean) / self.std), colors)
        return self.to_probabilities(logits / self.temperature if self.temperature != 1 else logits)

    def forward(self, x: torch.Tensor, colors: int, hard: bool | None = None) -> QuantizerOutput:
        """Train-time soft output (Eq. 5–6) or test-time hard output (Eq. 2–4).

        ``hard`` defaults to ``not self.training``.
        """
        m = self.probability_map(x, colors)
        if hard is None:
            hard = not self.training
        if not hard:
            palette = weighted_palette(x, m)
            return QuantizerOutput(paint(m, palette), m, palette)
        index = m.argmax(dim=1)
        onehot = one_hot_map(index, colors, x.dtype)
        palette = weighted_palette(x, m if self.palette_from_soft else onehot)
        return QuantizerOutput(paint(onehot, palette), m, palette, index)

    @torch.no_grad()
    def quantize(self, x: torch.Tensor, colors: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Hard quantization for storage: (index B×H×W long, palette B×C×3 uint8)."""
        out = self.forward(x, colors, hard=True)
        assert out.index is not None
        return out.index, (out.palette * 255).round().clamp(0, 255).to(torch.uint8)


class ColorCNN(ColorQuantizerNet):
    """ColorCNN: one model per colour count C; 1×1 conv head → C-channel softmax map (Sec. 3.2)."""

    def __init__(self, colors: int, *, backbone: str = "unet", width: int = 64, head_width: int = 256,
                 mean=IMAGENET_MEAN, std=IMAGENET_STD, palette_from_soft: bool = False,
                 temperature: float = 1.0) -> None:
        if not 2 <= colors <= 256:
            raise ValueError(f"ColorCNN colors must be in 2..256, got {colors}")
        super().__init__(backbone, width, mean, std, palette_from_soft, temperature)
        self.colors = colors
        self.config = dict(colors=colors, backbone=backbone, width=width, head_width=head_width,
                           mean=tuple(mean), std=tuple(std), palette_from_soft=palette_from_soft,
                           temperature=temperature)
        self.head = nn.Sequential(
            nn.Conv2d(width, head_width, 1), nn.ReLU(inplace=True), nn.Conv2d(head_width, colors, 1, bias=False)
        )

    def check_colors(self, colors: int) -> None:
        if colors != self.colors:
            raise ValueError(f"this ColorCNN was built for C={self.colors} colours, got C={colors}; "
                             "train one ColorCNN per C, or use ColorCNN+ for every C")

    def logits(self, features: torch.Tensor, colors: int) -> torch.Tensor:
        return self.head(features)


def channel_pooling_matrix(colors: int, depth: int) -> torch.Tensor:
    """C×D matrix averaging contiguous channel blocks [⌊cD/C⌋, ⌊(c+1)D/C⌋) (Eq. 8, any C ≤ D)."""
    bounds = [(c * depth) // colors for c in range(colors + 1)]
    pool = torch.zeros(colors, depth)
    for c in range(colors):
        pool[c, bounds[c]:bounds[c + 1]] = 1.0 / (bounds[c + 1] - bounds[c])
    return pool


def topk_softmax(h: torch.Tensor, k: int) -> torch.Tensor:
    """Softmax over the top-K channels at every pixel, zero elsewhere (Eq. 9). k=0 → plain softmax."""
    if k == 0 or k >= h.shape[1]:
        return h.softmax(dim=1)
    values, idx = h.topk(k, dim=1)
    return torch.zeros_like(h).scatter(1, idx, values.softmax(dim=1))


class ColorCNNPlus(ColorQuantizerNet):
    """ColorCNN+: one model for every C in 2..D (Sec. 3.4).

    backbone → bottleneck (1×1 conv + BN + ReLU, ``bottleneck`` channels; 0 disables it) → D-channel map
    h(x) → channel-wise average pooling to C (Eq. 8) → top-K masked softmax (Eq. 9).
    """

    def __init__(self, *, backbone: str = "unet", width: int = 64, bottleneck: int = 16, depth: int = 256,
                 topk: int = 4, mean=IMAGENET_MEAN, std=IMAGENET_STD, palette_from_soft: bool = False,
                 temperature: float = 1.0) -> None:
        super().__init__(backbone, width, mean, std, palette_from_soft, temperature)
        self.depth, self.topk = depth, topk
        self.config = dict(backbone=backbone, width=width, bottleneck=bottleneck, depth=depth, topk=topk,
                           mean=tuple(mean), std=tuple(std), palette_from_soft=palette_from_soft,
                           temperature=temperature)
        self.bottleneck: nn.Module
        if bottleneck:
            self.bottleneck = nn.Sequential(nn.Conv2d(width, bottleneck, 1), nn.BatchNorm2d(bottleneck),
                                            nn.ReLU(inplace=True))
        else:
            self.bottleneck = nn.Identity()
        self.color_mask = nn.Conv2d(bottleneck or width, depth, 1, bias=False)
        self._pools: dict[tuple[int, torch.device, torch.dtype], torch.Tensor] = {}

    def check_colors(self, colors: int) -> None:
        if not isinstance(colors, int) or not 2 <= colors <= self.depth:
            raise ValueError(f"ColorCNN+ serves C in 2..{self.depth} (D={self.depth}), got C={colors!r}")

    def logits(self, features: torch.Tensor, colors: int) -> torch.Tensor:
        """Pooled logits (Eq. 8). Fast form: the C×D pooling matrix times the D×b weights of the bias-free
        ``color_mask`` convolution gives a C×b matrix, applied once per pixel; no D-channel map is made."""
        z = self.bottleneck(features)
        key = (colors, z.device, z.dtype)
        if key not in self._pools:
            self._pools[key] = channel_pooling_matrix(colors, self.depth).to(z.device, z.dtype)
        if _REFERENCE_OPS:
            return torch.einsum("cd,bdhw->bchw", self._pools[key], self.color_mask(z))
        w = self._pools[key] @ self.color_mask.weight.flatten(1)
        return F.conv2d(z, w[:, :, None, None])

    def to_probabilities(self, logits: torch.Tensor) -> torch.Tensor:
        return topk_softmax(logits, self.topk)


#: The network class of each learned method, by the method's name (:data:`colorcnn_repro.methods.LEARNED`): what a
#: checkpoint's ``kind`` names.
QUANTIZER_NETS: dict[str, type[ColorQuantizerNet]] = {"colorcnn": ColorCNN, "colorcnn+": ColorCNNPlus}

