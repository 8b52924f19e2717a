"""ColorCNN / ColorCNN+ as per-image quantizers with the same interface as the classical methods.

:class:`LearnedQuantizer` accepts any image :func:`~colorcnn_repro.quantizers.as_rgb` accepts, of any size:
the networks need sides divisible by 16, so the image is padded at the bottom and right (reflect, or
replicate when a side is too short to reflect), quantized, and the index map cropped back. An output that
uses fewer than half the colours asked for raises a :class:`FewColorsWarning`.

Large images run tile by tile in bounded memory (:func:`tiled_quantize`): the probability map is computed on
overlapping windows of the padded image, each keeping its centre, so tiles show no seams; the palette is
computed once for the whole image (Eq. 3: colour c = mean of the pixels assigned to c) from per-colour sums
and counts accumulated across tiles.
"""
from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F

from .. import progress as progress_bars
from ..models.checkpoint import load_quantizer_net
from ..models.colorcnn import EPS, QUANTIZER_NETS, ColorQuantizerNet, one_hot_map
from ..parallel import pick_device, to_device
from ..quantized import Quantized, QuantizedSet
from .classical import ImageLike, as_rgb, check_colors

MULTIPLE = 16  # the U-Net downsamples four times
NetLoader = Callable[[int], ColorQuantizerNet]


class FewColorsWarning(UserWarning):
    """A quantization used fewer than half the colours asked for."""


TILE = 512  # core side of a tile, pixels (a multiple of MULTIPLE)
OVERLAP = 64  # context added on every side of a tile's core, pixels (a multiple of MULTIPLE)


def _pad_mode(pad_h: int, pad_w: int, height: int, width: int) -> str:
    return "reflect" if pad_h < height and pad_w < width else "replicate"


def pad_to_multiple(x: torch.Tensor, multiple: int = MULTIPLE) -> torch.Tensor:
    """Pad a B×3×H×W batch at the bottom and right so both sides are multiples of ``multiple``."""
    height, width = x.shape[-2:]
    pad_h, pad_w = -height % multiple, -width % multiple
    if not pad_h and not pad_w:
        return x
    return F.pad(x, (0, pad_w, 0, pad_h), mode=_pad_mode(pad_h, pad_w, height, width))


def pad_rgb_to_multiple(rgb: np.ndarray, multiple: int = MULTIPLE) -> np.ndarray:
    """:func:`pad_to_multiple` for an H×W×3 uint8 array (kept uint8, so a huge image stays small)."""
    height, width = rgb.shape[:2]
    pad_h, pad_w = -height % multiple, -width % multiple
    if not pad_h and not pad_w:
        return rgb
    mode: Literal["reflect", "edge"] = "reflect" if _pad_mode(pad_h, pad_w, height, width) == "reflect" else "edge"
    return np.pad(rgb, ((0, pad_h), (0, pad_w), (0, 0)), mode=mode)


def _check_tiling(tile: int, overlap: int) -> None:
    if not (isinstance(tile, int) and tile >= MULTIPLE and tile % MULTIPLE == 0):
        raise ValueError(f"tile must be a positive multiple of {MULTIPLE} pixels, got {tile!r}")
    if not (isinstance(overlap, int) and overlap >= 0 and overlap % MULTIPLE == 0):
        raise ValueError(f"overlap must be a non-negative multiple of {MULTIPLE} pixels, got {overlap!r}")


@torch.no_grad()
def tiled_quantize(net: ColorQuantizerNet, rgb: np.ndarray, colors: int, device: torch.device | str = "cpu",
                   tile: int = TILE, overlap: int = OVERLAP, progress: bool = True) -> Quantized:
    """Hard-quantize an H×W×3 uint8 image with ``net`` in tiles of ``tile``² pixels, each seen with
    ``overlap`` pixels of context on every side; the palette (Eq. 3, or Eq. 5 when ``net.palette_from_soft``)
    is the weighted mean over the whole image, from sums and counts accumulated across tiles.

    The image is padded once to a multiple of 16 and windows start on multiples of 16, so one tile covering
    the image is exactly the single-pass result, and a pixel whose receptive field lies inside its window gets
    the single-pass probabilities. Memory is bounded by the window size, not the image size. A progress bar
    shows when there is more than one tile (``progress=False`` hides it)."""
    _check_tiling(tile, overlap)
    height, width = rgb.shape[:2]
    padded = pad_rgb_to_multiple(rgb)
    rows, cols = range(0, height, tile), range(0, width, tile)
    sums = torch.zeros(colors, 3, dtype=torch.float64, device=device)
    counts = torch.zeros(colors, dtype=torch.float64, device=device)
    index = np.empty((height, width), dtype=np.uint8 if colors <= 256 else np.int64)
    bar = progress_bars.bar(total=len(rows) * len(cols), show=progress and len(rows) * len(cols) > 1,
                            desc=f"{type(net).__name__} tiles", unit="tile")
    for top in rows:
        for left in cols:
            y0, x0 = max(top - overlap, 0), max(left - overlap, 0)
            y1 = min(top + tile + overlap, padded.shape[0])
            x1 = min(left + tile + overlap, padded.shape[1])
            window = torch.tensor(padded[y0:y1, x0:x1]).to(device)
            window = window.permute(2, 0, 1)[None].float().div_(255)
            m = net.probability_map(window, colors)
            # the core's real (unpadded) pixels, in window coordinates
            core = (..., slice(top - y0, min(top + tile, height) - y0), slice(left - x0, min(left + tile, width) - x0))
            m, x = m[core][0], window[core][0]
            hard = m.argmax(dim=0)
            weights = m if net.palette_from_soft else one_hot_map(hard[None], colors, m.dtype)[0]
            sums += torch.einsum("chw,khw->ck", weights, x).double()
            counts += weights.sum(dim=(1, 2)).double()
            index[top:top + hard.shape[0], left:left + hard.shape[1]] = hard.cpu().numpy()
            bar.update()
    bar.close()
    palette = (sums / (counts[:, None] + EPS) * 255).round().clamp(0, 255).to(torch.uint8)
    return Quantized(index, palette[: int(index.max()) + 1].cpu().numpy())


class LearnedQuantizer:
    """A trained ColorCNN or ColorCNN+ behind the quantizers' interface (:class:`~colorcnn_repro.quantizers.
    Quantizer`): ``quantize(image, colors) -> Quantized``, ``quantize_set(images, colors) -> QuantizedSet``.

    ``net`` is one network, or a function C → network (ColorCNN has one network per C), called at most once
    per C. Networks are moved to ``device`` (default: CUDA when present, else CPU) and run in eval mode.
    ``source`` says where the weights came from (shown by ``repr``); ``name`` is the method's (default: the
    network's kind); ``batch_size`` is how many images of a
    set go through the network at once.
    """

    def __init__(self, net: ColorQuantizerNet | NetLoader, device: str | torch.device | None = None,
                 source: str = "given network", batch_size: int = 250, name: str | None = None) -> None:
        self.name = name or next((k for k, cls in QUANTIZER_NETS.items() if type(net) is cls), "learned quantizer")
        self.source = source
        self.device = pick_device(str(device) if device is not None else None)
        self.batch_size = batch_size
        self._loader: NetLoader | None = None if isinstance(net, ColorQuantizerNet) else net
        self._nets: dict[int, ColorQuantizerNet] = {}
        self._net = net.to(self.device) if isinstance(net, ColorQuantizerNet) else None

    @classmethod
    def from_nets(cls, name: str, nets: Mapping[int, ColorQuantizerNet], batch_size: int = 250) -> LearnedQuantizer:
        """``name``'s networks already loaded, one per C (``{C: net}``; ColorCNN+ may serve each C with the same
        one), on the device they are on. Asking for another C is a ValueError naming the C it has."""
        if not nets:
            raise ValueError(f"no {name} network given")
        available = sorted(nets)

        def net_for(colors: int) -> ColorQuantizerNet:
            if colors not in nets:
                raise ValueError(f"no {name} network for C={colors}; given for C={available}")
            return nets[colors]

        first = nets[available[0]]
        return cls(net_for, next(first.parameters()).device, batch_size=batch_size, name=name)

    @classmethod
    def from_checkpoint(cls, path: str | os.PathLike[str], expect: str | None = None,
                        device: str | torch.device | None = None) -> LearnedQuantizer:
        """Load a checkpoint written by ``quantizer_checkpoint`` (``expect``: "colorcnn" or "colorcnn+").

        Loads with ``torch.load(weights_only=True)`` (:mod:`colorcnn_repro.models.checkpoint`): tensors and
        plain data only, no arbitrary code.
        """
        return cls(load_quantizer_net(path, expect), device, f"checkpoint {Path(path)}")

    def net_for(self, colors: int) -> ColorQuantizerNet:
        """The network serving ``colors`` colours, in eval mode; ValueError if it cannot."""
        colors = check_colors(colors)
        if self._loader is None:
            net = self._net
            assert net is not None
        else:
            if colors not in self._nets:
                self._nets[colors] = self._loader(colors).to(self.device)
            net = self._nets[colors]
        net.check_colors(colors)
        return net.eval()

    def quantize(self, image: ImageLike, colors: int, tile: int = TILE, overlap: int = OVERLAP,
                 progress: bool = True) -> Quantized:
        """Quantize ``image`` to at most ``colors`` colours; the palette is cut after the largest index used.
        Images larger than ``tile`` pixels a side run tile by tile (:func:`tiled_quantize`)."""
        q = tiled_quantize(self.net_for(colors), as_rgb(image), colors, self.device, tile, overlap, progress)
        if 2 * (used := q.colors_used()) < colors:
            warnings.warn(f"{self.name} used {used} of the {colors} colours asked for (fewer than half)",
                          FewColorsWarning, stacklevel=2)
        return q

    @torch.no_grad()
    def quantize_set(self, images: np.ndarray, colors: int) -> QuantizedSet:
        """N×H×W×3 uint8 ``images``, ``batch_size`` at a time; images whose sides are not multiples of 16 (as the
        networks need) one by one, padded as :meth:`quantize` pads them, with the same result."""
        net = self.net_for(colors)
        if images.shape[1] % MULTIPLE or images.shape[2] % MULTIPLE:
            return QuantizedSet.of([tiled_quantize(net, image, colors, self.device, progress=False)
                                    for image in images], colors)
        index, palette = [], []
        for s in range(0, len(images), self.batch_size):
            x = to_device(torch.tensor(images[s:s + self.batch_size]), self.device).permute(0, 3, 1, 2)
            i, p = net.quantize(x.float() / 255, colors)
            index.append(i.to(torch.uint8).cpu().numpy())
            palette.append(p.cpu().numpy())
        return QuantizedSet(np.concatenate(index), np.concatenate(palette))

    def __repr__(self) -> str:
        loaded = f", loaded C={sorted(self._nets)}" if self._loader is not None else ""
        return f"LearnedQuantizer({self.name!r}, source={self.source!r}, device='{self.device}'{loaded})"
