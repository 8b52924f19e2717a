"""ColorCNN / ColorCNN+ as per-image quantizers with the same interface as the classical methods.

:class:`LearnedQuantizer` accepts any image :func:`~colorcnn_repro.quantizers.as_rgb` accepts, of any size:
the networks need sides divisible by 16, so the image is padded at the bottom and right (reflect, or
replicate when a side is too short to reflect), quantized, and the index map cropped back. An output that
uses fewer than half the colours asked for raises a :class:`FewColorsWarning`.
"""
from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F

from .. import zoo  # a module import: the zoo imports the training engine, which imports this package
from ..models.checkpoint import load_quantizer_net
from ..models.colorcnn import QUANTIZER_NETS, ColorQuantizerNet
from ..quantized import Quantized
from ..training.runs import pick_device
from .classical import ImageLike, as_rgb, check_colors

MULTIPLE = 16  # the U-Net downsamples four times
NetLoader = Callable[[int], ColorQuantizerNet]


class FewColorsWarning(UserWarning):
    """A quantization used fewer than half the colours asked for."""


def pad_to_multiple(x: torch.Tensor, multiple: int = MULTIPLE) -> torch.Tensor:
    """Pad a B×3×H×W batch at the bottom and right so both sides are multiples of ``multiple``."""
    height, width = x.shape[-2:]
    pad_h, pad_w = -height % multiple, -width % multiple
    if not pad_h and not pad_w:
        return x
    mode = "reflect" if pad_h < height and pad_w < width else "replicate"
    return F.pad(x, (0, pad_w, 0, pad_h), mode=mode)


class LearnedQuantizer:
    """A trained ColorCNN or ColorCNN+ behind ``quantize(image, colors) -> Quantized``.

    ``net`` is one network, or a function C → network (ColorCNN has one network per C), called at most once
    per C. Networks are moved to ``device`` (default: CUDA when present, else CPU) and run in eval mode.
    ``source`` says where the weights came from (shown by ``repr``).
    """

    def __init__(self, net: ColorQuantizerNet | NetLoader, device: str | torch.device | None = None,
                 source: str = "given network") -> None:
        self.name = next((k for k, cls in QUANTIZER_NETS.items() if type(net) is cls), "colorcnn")
        self.source = source
        self.device = pick_device(str(device) if device is not None else None)
        self._loader: NetLoader | None = None if isinstance(net, ColorQuantizerNet) else net
        self._nets: dict[int, ColorQuantizerNet] = {}
        self._net = net.to(self.device) if isinstance(net, ColorQuantizerNet) else None

    @classmethod
    def from_checkpoint(cls, path: str | os.PathLike[str], expect: str | None = None,
                        device: str | torch.device | None = None) -> "LearnedQuantizer":
        """Load a checkpoint written by ``quantizer_checkpoint`` (``expect``: "colorcnn" or "colorcnn+").

        Loads with ``torch.load(weights_only=True)`` (:mod:`colorcnn_repro.models.checkpoint`): tensors and
        plain data only, no arbitrary code.
        """
        return cls(load_quantizer_net(path, expect), device, f"checkpoint {Path(path)}")

    @classmethod
    def pretrained(cls, name: str = "colorcnn+", colors: int | None = None, dataset: str = "cifar10",
                   classifier: str = "alexnet", profile: str = "cpu",
                   device: str | torch.device | None = None) -> "LearnedQuantizer":
        """``name`` ("colorcnn" or "colorcnn+") from the zoo or a local run of the same config. ColorCNN nets
        load lazily, one per C; ``colors`` loads (and checks) that one now, so a missing model shows at once.
        A ``smoke``-profile model (a pipeline check, not a trained quantizer) is used only when
        ``profile="smoke"`` is given, and then with a warning."""
        if name not in QUANTIZER_NETS:
            raise ValueError(f"unknown learned quantizer {name!r}; accepted: {', '.join(QUANTIZER_NETS)}")

        def load(c: int | None) -> ColorQuantizerNet:
            return zoo.load_pretrained(name, dataset, classifier, c, profile)

        source = f"zoo {dataset}/{classifier}, profile {profile}"
        quantizer = cls(load, device, source) if name == "colorcnn" else cls(load(None), device, source)
        if colors is not None:
            quantizer.net_for(colors)
        if profile == "smoke":
            warnings.warn(f"using the smoke-profile {name} model (trained for minutes on a few hundred images): "
                          "its outputs check the pipeline and say nothing about the method", stacklevel=2)
        return quantizer

    def net_for(self, colors: int) -> ColorQuantizerNet:
        """The network serving ``colors`` colours, in eval mode; ValueError if it cannot."""
        colors = check_colors(colors)
        if self._loader is None:
            net = self._net
        else:
            if colors not in self._nets:
                self._nets[colors] = self._loader(colors).to(self.device)
            net = self._nets[colors]
        net.check_colors(colors)
        return net.eval()

    def quantize(self, image: ImageLike, colors: int) -> Quantized:
        """Quantize ``image`` to at most ``colors`` colours; the palette is cut after the largest index used."""
        net = self.net_for(colors)
        rgb = as_rgb(image)
        height, width = rgb.shape[:2]
        x = torch.tensor(rgb, device=self.device).permute(2, 0, 1)[None].float().div_(255)
        with torch.no_grad():
            index, palette = net.quantize(pad_to_multiple(x), colors)
        index = index[0, :height, :width].cpu().numpy()
        q = Quantized(index, palette[0, : int(index.max()) + 1].cpu().numpy())
        if 2 * (used := q.colors_used()) < colors:
            warnings.warn(f"{self.name} used {used} of the {colors} colours asked for (fewer than half)",
                          FewColorsWarning, stacklevel=2)
        return q

    def __repr__(self) -> str:
        loaded = f", loaded C={sorted(self._nets)}" if self._loader is not None else ""
        return f"LearnedQuantizer({self.name!r}, source={self.source!r}, device='{self.device}'{loaded})"
