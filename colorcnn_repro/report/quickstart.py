"""The quickstart (notebook ``00_quickstart``): photographs quantized by every method at 1–6 bits, as in the
paper's Fig. 2/3, with the learned quantizers from the model zoo or, when it lacks them, from the profile's own
trained models; one image grid per photograph and a table of colours used and bits per pixel."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from ..experiments.paper_numbers import METHOD_NAMES, markdown_table
from ..experiments.pipeline import colorcnn_plus_stage, colorcnn_stage
from ..models import ColorQuantizerNet
from ..plots import image_grid
from ..profiles import resolve
from ..quantized import Quantized
from ..quantizers import quantize
from ..zoo import LearnedQuantizer, load_pretrained
from ..zoo.learned import MULTIPLE
from .main import distinct_colours

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
                    overrides: Mapping | None) -> dict[str, LearnedQuantizer]:
    """The learned ``methods`` at ``profile``; every ColorCNN of ``bits`` is loaded now so that a gap shows."""
    extra = dict(overrides) if overrides else None
    out = {}
    if "colorcnn+" in methods:
        out["colorcnn+"] = LearnedQuantizer(load_pretrained("colorcnn+", dataset, classifier, None, profile, extra))
    if "colorcnn" in methods:
        per_c = {2**b: cast(ColorQuantizerNet, load_pretrained("colorcnn", dataset, classifier, 2**b, profile, extra))
                 for b in bits}
        out["colorcnn"] = LearnedQuantizer(per_c.__getitem__)
    return out


def learned_quantizers(methods: Sequence[str], bits: Sequence[int], dataset: str, classifier: str, profile: str,
                       overrides: Mapping | None = None,
                       weights_profile: str = "cpu") -> tuple[dict[str, LearnedQuantizer], str]:
    """The learned ``methods`` (by name) and where their weights came from: the zoo's at ``weights_profile``
    when it holds every one; otherwise ``profile``'s own models (with ``overrides``), trained first where no
    run of theirs exists."""
    try:
        return (_zoo_quantizers(methods, bits, dataset, classifier, weights_profile, None),
                f"the model zoo ({weights_profile} profile)")
    except FileNotFoundError as err:
        print(f"zoo weights unavailable, training the {profile} profile's own models instead:\n  {err}")
    exp = resolve(profile, {**(overrides or {}), "dataset": dataset, "classifier.classifier": classifier})
    if "colorcnn" in methods:
        colorcnn_stage(exp, bits=tuple(bits))  # each C skipped when its run exists
    if "colorcnn+" in methods:
        colorcnn_plus_stage(exp)
    return (_zoo_quantizers(methods, bits, dataset, classifier, profile, overrides),
            f"this {profile} profile's own trained models")


def quantize_photos(photos: Mapping[str, np.ndarray], methods: Sequence[str], bits: Sequence[int],
                    learned: Mapping[str, LearnedQuantizer]) -> dict[Key, Quantized]:
    """Every photograph × method × bit size: ``learned`` serves its methods, the classical quantizers the rest."""
    out = {}
    for name, img in photos.items():
        for m in methods:
            for b in bits:
                out[name, m, b] = learned[m].quantize(img, 2**b) if m in learned else quantize(img, m, 2**b)
    return out


def photo_grid(name: str, photo: np.ndarray, quantized: Mapping[Key, Quantized], methods: Sequence[str],
               bits: Sequence[int], source: str) -> Figure:
    """One photograph's grid: a row per method, a column per bit size (the original first), each panel captioned
    with the colours it uses and its indexed PNG's bits per pixel."""
    rows, captions = {}, {}
    for r, m in enumerate(methods):
        label = METHOD_NAMES.get(m, m)
        rows[label] = [photo if r == 0 else None] + [quantized[name, m, b].to_rgb() for b in bits]
        captions[label] = [f"{distinct_colours(photo)} colours" if r == 0 else ""] + [
            f"{quantized[name, m, b].colors_used()} col · {quantized[name, m, b].bpp():.2f} bpp" for b in bits]
    h, w = photo.shape[:2]
    return image_grid(rows, ["original"] + [f"{b} bit ({2**b} colours)" for b in bits], captions,
                      title=f"{name}, {h}×{w}: learned quantizers from {source}")


def summary_table(quantized: Mapping[Key, Quantized], photos: Sequence[str], methods: Sequence[str],
                  bits: Sequence[int]) -> str:
    """Markdown: per method and bit size, the colours used and the bits per pixel, averaged over ``photos``."""
    rows = [["method", *(f"{b} bit" for b in bits)]]
    for m in methods:
        cells = []
        for b in bits:
            qs = [quantized[name, m, b] for name in photos]
            colours, bpp = np.mean([q.colors_used() for q in qs]), np.mean([q.bpp() for q in qs])
            cells.append(f"{colours:.1f} col · {bpp:.2f} bpp")
        rows.append([METHOD_NAMES.get(m, m), *cells])
    return markdown_table(rows)
