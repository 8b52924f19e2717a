"""The quickstart's photographs (notebook ``00_quickstart``): scikit-image's sample photographs, squared and
resized, quantized by every method at 1–6 bits, as in the paper's Fig. 2/3, with the learned quantizers from the
model zoo or, when it lacks them, from the profile's own trained models. :mod:`colorcnn_repro.report.quickstart`
draws them."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import cast

import numpy as np
from PIL import Image

from ..methods import LEARNED, LearnedMethod
from ..models import ColorQuantizerNet
from ..profiles import resolve
from ..quantized import Quantized
from ..quantizers import quantizers_for
from ..quantizers.learned import MULTIPLE, LearnedQuantizer
from ..store import model_file
from ..zoo import load_pretrained, pretrained_config
from .pipeline import learned_stage

PHOTOS = ("astronaut", "chelsea", "coffee")  # scikit-image's sample photographs

Key = tuple[str, str, int]  # (photograph, method, bits)


def square_photo(image: np.ndarray, size: int) -> np.ndarray:
    """``image`` (H×W×3 or H×W) centre-cropped to a square, then resized to ``size``×``size`` RGB (Lanczos);
    ``size`` must be a multiple of 16, the U-Net's stride."""
    if size <= 0 or size % MULTIPLE:
        raise ValueError(f"size must be a positive multiple of {MULTIPLE}, got {size}")
    h, w = image.shape[:2]
    s = min(h, w)
    top, left = (h - s) // 2, (w - s) // 2
    crop = Image.fromarray(image[top:top + s, left:left + s]).convert("RGB")
    return np.asarray(crop.resize((size, size), Image.Resampling.LANCZOS))


def sample_photos(size: int, names: Sequence[str] = PHOTOS) -> dict[str, np.ndarray]:
    """scikit-image's photographs ``names``, each :func:`square_photo` at ``size``."""
    from skimage import data as skdata

    return {name: square_photo(getattr(skdata, name)(), size) for name in names}


def _zoo_quantizers(methods: Sequence[str], bits: Sequence[int], dataset: str, classifier: str, profile: str,
                    overrides: Mapping | None) -> tuple[dict[str, LearnedQuantizer], list[Path]]:
    """The learned ``methods`` at ``profile`` and their weight files; every network serving ``bits`` (one per C
    for a per-C method) is loaded now so that a gap shows."""
    extra = dict(overrides) if overrides else None
    chosen = [LEARNED[m] for m in methods if m in LEARNED]

    def colors(method: LearnedMethod, c: int) -> int | None:  # the network's key: its C, or None when shared
        return c if method.per_color else None

    def loader(method: LearnedMethod) -> Callable[[int], ColorQuantizerNet]:
        return lambda c: nets[method.name, colors(method, c)]

    wanted = list(dict.fromkeys((m.name, colors(m, 2**b)) for m in chosen for b in bits))
    nets = {(name, c): cast(ColorQuantizerNet, load_pretrained(name, dataset, classifier, c, profile, extra))
            for name, c in wanted}
    files = [f for name, c in wanted
             if (f := model_file(name, pretrained_config(name, dataset, classifier, c, profile, extra)))]
    out = {m.name: LearnedQuantizer(loader(m), name=m.name) for m in chosen}
    return out, files


def learned_quantizers(methods: Sequence[str], bits: Sequence[int], dataset: str, classifier: str, profile: str,
                       overrides: Mapping | None = None,
                       weights_profile: str = "cpu") -> tuple[dict[str, LearnedQuantizer], str, list[Path]]:
    """The learned ``methods`` (by name), where their weights came from, and the weight files: the zoo's at
    ``weights_profile`` when it holds every one; otherwise ``profile``'s own models (with ``overrides``), trained
    first where no run of theirs exists."""
    try:
        learned, files = _zoo_quantizers(methods, bits, dataset, classifier, weights_profile, None)
        return learned, f"the model zoo ({weights_profile} profile)", files
    except FileNotFoundError as err:
        print(f"zoo weights unavailable, training the {profile} profile's own models instead:\n  {err}")
    exp = resolve(profile, {**(overrides or {}), "dataset": dataset, "classifier.classifier": classifier})
    for m in methods:
        if m in LEARNED:
            learned_stage(exp, m, bits=tuple(bits))  # each network skipped when its run exists
    learned, files = _zoo_quantizers(methods, bits, dataset, classifier, profile, overrides)
    return learned, f"this {profile} profile's own trained models", files


def quantize_photos(photos: Mapping[str, np.ndarray], methods: Sequence[str], bits: Sequence[int],
                    learned: Mapping[str, LearnedQuantizer]) -> dict[Key, Quantized]:
    """Every photograph × method × bit size: ``learned`` serves its methods, the classical quantizers the rest."""
    quantizers = quantizers_for(methods, learned)
    return {(name, m, b): quantizers[m].quantize(img, 2**b) for name, img in photos.items() for m in methods
            for b in bits}
